#include "scenario/init.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include <fmt/format.h>

#include "scenario/edit_format.hpp"
#include "scenario/init_guess.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;
using init::alternative_of;
using init::comment_syntax;
using init::join;
using init::kEditsDir;
using init::kVariantsDir;

namespace {

constexpr int kMaxDockerfileDepth = 3;

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// ---------------------------------------------------------------- finding Dockerfiles

bool is_dockerfile_name(const std::string& name) {
  std::string n = lower(name);
  for (auto bad : {".dockerignore", ".bak", ".orig", ".swp", "~", ".md", ".toml"}) {
    if (n.ends_with(bad)) return false;
  }
  return n == "dockerfile" || n.starts_with("dockerfile.") || n.ends_with(".dockerfile");
}

std::vector<fs::path> find_dockerfiles(const fs::path& root) {
  std::vector<fs::path> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    std::string name = it->path().filename().string();
    if (it->is_directory(type_ec)) {
      bool skip = init::skipped_folder(name) || name == "vendor" || name == "third_party" ||
                  it.depth() >= kMaxDockerfileDepth;
      if (skip) it.disable_recursion_pending();
    } else if (it->is_regular_file(type_ec) && is_dockerfile_name(name)) {
      found.push_back(it->path());
    }
  }
  // A folder's plain Dockerfile comes before its variants.
  auto key = [](const fs::path& p) {
    return std::make_tuple(p.parent_path(), lower(p.filename().string()) != "dockerfile",
                           p.filename());
  };
  std::sort(found.begin(), found.end(), [&](auto& x, auto& y) { return key(x) < key(y); });
  return found;
}

// "Dockerfile.multistage" -> "multistage", "api.Dockerfile" -> "api".
std::string variant_of(const std::string& filename) {
  std::string n = lower(filename);
  if (n.starts_with("dockerfile.")) return filename.substr(11);
  if (n.ends_with(".dockerfile")) return filename.substr(0, filename.size() - 11);
  return "";
}

std::string folder_name(const fs::path& root, const fs::path& folder) {
  auto rel = folder.lexically_relative(root).generic_string();
  if (rel.empty() || rel == ".") {
    std::string name = root.filename().string();
    return name.empty() ? "scenario" : name;
  }
  std::replace(rel.begin(), rel.end(), '/', '-');
  return rel;
}

// ---------------------------------------------------------------- TOML text

std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04X}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string manifest_path(const InitGuess& g) {
  return (g.scenario_dir / "scenario.toml").lexically_normal().generic_string();
}

std::string code_append(const std::string& file, std::string_view what) {
  std::string comment = comment_syntax(file);
  return fmt::format("\n{} buildbench {} edit {{n}}\n", comment.empty() ? "#" : comment, what);
}

// Prose as TOML comment lines, wrapped at the project's column limit.
std::string comment(std::string_view prose) {
  constexpr std::size_t kWidth = 98;
  std::string out, line = "#";
  for (const auto& word : words_of(printable(prose))) {
    if (line.size() + 1 + word.size() > kWidth && line != "#") {
      out += line + "\n";
      line = "#";
    }
    line += " " + word;
  }
  return out + line + "\n";
}

std::string render_code(const InitGuess& g) {
  std::string out = "\n" + comment("warm-code appends a comment with a new token to one file.");
  if (g.code_file.empty()) {
    out +=
        comment(fmt::format("Not guessed: {}. To measure warm-code, name a file the build "
                            "copies (relative to the context) and uncomment:",
                            g.code_reason));
    return out +
           "# [edit.code]\n# file = \"src/main.py\"\n"
           "# append = \"\\n# buildbench code edit {n}\\n\"\n";
  }
  out +=
      comment(fmt::format("Guessed: {} ({}). To change it, name another file the build copies "
                          "late (relative to the context); append must be a comment in that "
                          "file's language and contain {{n}}.",
                          g.code_file, g.code_reason));
  return out + fmt::format("[edit.code]\nfile = {}\nappend = {}\n", toml_string(g.code_file),
                           toml_string(code_append(g.code_file, "code")));
}

std::string swap_table(const std::vector<std::string>& files) {
  std::vector<std::string> pairs;
  for (const auto& f : files)
    pairs.push_back(
        fmt::format("{} = {}", toml_string(f), toml_string(alternative_of(f).generic_string())));
  return fmt::format("swap = {{ {} }}", join(pairs));
}

// The commented-out swap, with the steps that make it valid.
std::string deps_template(const InitGuess& g) {
  std::string out = comment(fmt::format(
      "Guessed: {} ({}). Off: warm-deps needs a real change of the dependency set, which init "
      "cannot invent. To turn it on, copy these files into {}/ (same relative paths), add one "
      "dependency to the copies (re-lock with your tool so the build can install it), then "
      "uncomment:",
      join(g.deps_files), g.deps_reason, kEditsDir));
  out += "# [edit.deps]\n# " + swap_table(g.deps_files) + "\n";
  bool commentable = std::any_of(g.deps_files.begin(), g.deps_files.end(),
                                 [](auto& f) { return nonce_comment(f, "").has_value(); });
  if (!commentable) {
    out += comment(
        "None of these formats takes a comment, so the swap also needs a file that "
        "the same COPY reads, e.g. an empty .buildbench-edit added to that COPY:");
    out += "# file = \".buildbench-edit\"\n# append = \"{n}\"\n";
  }
  return out;
}

std::string render_deps(const InitGuess& g) {
  std::string out = "\n" + comment(
                               "warm-deps changes the dependency files; every COPY that reads "
                               "them must run again.");
  switch (g.deps_kind) {
    case DepsEditKind::kNone:
      out += comment(
          fmt::format("Not guessed: {}. To measure warm-deps, add for example:", g.deps_reason));
      return out +
             "# [edit.deps]\n# swap = { \"requirements.txt\" = "
             "\"buildbench-edits/requirements.txt\" }\n";
    case DepsEditKind::kAppend:
      out += comment(fmt::format(
          "Guessed: {} ({}). Vendored code has no lock file to swap: warm-deps appends a comment "
          "to it, which changes what its COPY reads, so it and every later step run again. For a "
          "real version change, swap it with a copy in {}/ instead.",
          g.deps_files[0], g.deps_reason, kEditsDir));
      return out + fmt::format("[edit.deps]\nfile = {}\nappend = {}\n",
                               toml_string(g.deps_files[0]),
                               toml_string(code_append(g.deps_files[0], "dependency")));
    case DepsEditKind::kSwap:
      out +=
          comment(fmt::format("Guessed: {} ({}), swapped with the alternatives found in {}/ "
                              "(they must differ by a real dependency change).",
                              join(g.deps_files), g.deps_reason, kEditsDir));
      return out + "[edit.deps]\n" + swap_table(g.deps_files) + "\n";
    case DepsEditKind::kTemplate:
      break;
  }
  return out + deps_template(g);
}

std::string render_probe(const InitGuess& g) {
  std::string out = "\n" + comment(
                               "Start-up: a started container is ready when an output line "
                               "matches ready_line (a regular expression), or when command "
                               "succeeds inside it.");
  if (g.ready_line_hint.empty()) {
    out += comment(fmt::format("Not guessed: {}. To measure start-up, add:", g.ready_reason));
    return out + "# [probe]\n# ready_line = \"listening on\"\n# timeout = \"60s\"\n";
  }
  out +=
      comment(fmt::format("Guessed from {}; change ready_line if your server prints another "
                          "line when ready.",
                          g.ready_reason));
  return out + fmt::format("[probe]\nready_line = {}\ntimeout = \"60s\"\n",
                           toml_string(g.ready_line_hint));
}

// ---------------------------------------------------------------- writing

void describe(const InitGuess& g, std::vector<std::string>& messages) {
  std::string where = manifest_path(g);
  auto say = [&](std::string text) { messages.push_back(g.name + ": " + printable(text)); };
  if (g.code_file.empty()) {
    say(fmt::format("no code edit guessed ({}); warm-code is off until you add [edit.code] in {}",
                    g.code_reason, where));
  } else {
    say(fmt::format("code edit guessed: {} ({}); change [edit.code] file in {}", g.code_file,
                    g.code_reason, where));
  }
  std::string files = join(g.deps_files);
  switch (g.deps_kind) {
    case DepsEditKind::kNone:
      say(
          fmt::format("no dependency files found ({}); warm-deps is off until you add "
                      "[edit.deps] in {}",
                      g.deps_reason, where));
      break;
    case DepsEditKind::kSwap:
      say(
          fmt::format("dependency edit guessed: {} ({}); swapped with the alternatives in {}/; "
                      "change [edit.deps] swap in {}",
                      files, g.deps_reason, kEditsDir, where));
      break;
    case DepsEditKind::kAppend:
      say(
          fmt::format("dependency edit guessed: {} ({}); warm-deps appends a comment to it; "
                      "change [edit.deps] file in {}",
                      files, g.deps_reason, where));
      break;
    case DepsEditKind::kTemplate:
      say(
          fmt::format("dependency files guessed: {} ({}); [edit.deps] is commented out: put a "
                      "copy with one dependency added under {}/, then uncomment it in {}",
                      files, g.deps_reason, kEditsDir, where));
      break;
  }
  if (g.ready_line_hint.empty()) {
    say(
        fmt::format("no ready line guessed ({}); start-up is not measured until you add [probe] "
                    "in {}",
                    g.ready_reason, where));
  } else {
    say(fmt::format("ready line guessed: \"{}\" ({}); change [probe] ready_line in {}",
                    g.ready_line_hint, g.ready_reason, where));
  }
  for (const auto& note : g.notes) say("note: " + note);
}

void write_file(const fs::path& file, const std::string& text, bool force,
                std::vector<std::string>& written, std::vector<std::string>& messages) {
  std::error_code ec;
  if (fs::exists(file, ec) && !force) {
    messages.push_back(fmt::format("kept {} (it exists; --force overwrites it)", file.string()));
    return;
  }
  fs::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw EnvironmentError(fmt::format("cannot write {}", file.string()));
  written.push_back(file.string());
  messages.push_back(fmt::format("wrote {}", file.string()));
}

}  // namespace

std::vector<InitGuess> guess_scenarios(const fs::path& root_in) {
  fs::path root = fs::absolute(root_in).lexically_normal();
  if (root.filename().empty()) root = root.parent_path();
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw UsageError(fmt::format("'{}' is not a folder; pass the folder holding your Dockerfiles",
                                 root.string()));
  }
  auto dockerfiles = find_dockerfiles(root);
  std::map<fs::path, int> per_folder;
  for (const auto& file : dockerfiles) ++per_folder[file.parent_path()];
  std::vector<InitGuess> guesses;
  std::set<std::string> names;
  for (const auto& file : dockerfiles) {
    InitGuess g = init::guess_one(root, file);
    fs::path folder = file.parent_path();
    // One scenario.toml per folder: a plain Dockerfile (or a lone variant) keeps the folder,
    // other variants get a folder of their own whose context points back.
    bool primary = variant_of(g.dockerfile).empty() || per_folder[folder] == 1;
    std::string base = folder_name(root, folder);
    g.name = primary ? base : base + "-" + variant_of(g.dockerfile);
    for (int n = 2; !names.insert(g.name).second; ++n) g.name = fmt::format("{}-{}", base, n);
    g.scenario_dir = primary ? g.context : g.context / kVariantsDir / g.name;
    g.scenario_dir = g.scenario_dir.lexically_normal();
    guesses.push_back(std::move(g));
  }
  return guesses;
}

std::string render_scenario_toml(const InitGuess& g) {
  auto context = g.context.lexically_relative(g.scenario_dir).lexically_normal().generic_string();
  while (context.ends_with("/")) context.pop_back();
  if (context.empty()) context = ".";
  std::string out =
      comment(fmt::format("Written by `buildbench init` from {}: the edits and the "
                          "probe below are guesses. Check them, then run "
                          "`buildbench list --suite FOLDER` to check every path.",
                          g.dockerfile));
  out += fmt::format("name = {}\n", toml_string(g.name));
  out += fmt::format("dockerfile = {}   # relative to the context\n", toml_string(g.dockerfile));
  out += fmt::format("context = {}   # the Dockerfile's folder, relative to this file\n",
                     toml_string(context));
  out += comment(
      "The build may fetch packages: \"default\" is the daemon's own network; \"none\" "
      "(buildbench's default) makes it hermetic; \"host\" reaches services on this "
      "machine.");
  out += "network = \"default\"\n";
  for (const auto& note : g.notes) out += comment("Note: " + note);
  return out + render_code(g) + render_deps(g) + render_probe(g);
}

std::string render_suite_toml(const std::string& suite_name,
                              const std::vector<InitGuess>& guesses) {
  std::string out =
      "# Written by `buildbench init`: one scenario per Dockerfile found under this folder.\n"
      "# Each scenario.toml says what was guessed and how to change it. Then:\n"
      "#   buildbench list --suite FOLDER      checks every path\n"
      "#   buildbench run --suite FOLDER --runs 3\n";
  out += fmt::format("name = {}\n", toml_string(suite_name));
  out += "description = \"Scenarios found by buildbench init.\"\n";
  for (const auto& g : guesses) {
    auto path = g.scenario_dir.lexically_normal().generic_string();
    out += fmt::format("\n[[scenario]]\npath = {}\n", toml_string(path.empty() ? "." : path));
  }
  std::string subject = guesses.empty() ? "A" : guesses.back().name;
  std::string baseline = guesses.empty() ? "B" : guesses.front().name;
  out += "\n# Claims are beliefs turned into verdicts by `buildbench report`, for example:\n";
  out += fmt::format(
      "# [[claim]]\n# id = \"smaller-image\"\n# text = \"{} gives a smaller image than {}.\"\n"
      "# subject = \"{}\"\n# baseline = \"{}\"\n# metric = \"image_bytes\"\n"
      "# relation = \"less\"\n",
      printable(subject), printable(baseline), printable(subject), printable(baseline));
  return out;
}

std::vector<std::string> write_init(const fs::path& root_in, bool force,
                                    std::vector<std::string>& messages) {
  fs::path root = fs::absolute(root_in).lexically_normal();
  if (root.filename().empty()) root = root.parent_path();
  std::vector<InitGuess> guesses = guess_scenarios(root);
  std::vector<std::string> written;
  if (guesses.empty()) {
    messages.push_back(
        fmt::format("no Dockerfile under {} (looked {} folders deep for "
                    "Dockerfile, *.Dockerfile, Dockerfile.*); nothing written",
                    root.string(), kMaxDockerfileDepth));
    return written;
  }
  for (const auto& g : guesses) {
    describe(g, messages);
    write_file((root / g.scenario_dir / "scenario.toml").lexically_normal(),
               render_scenario_toml(g), force, written, messages);
  }
  std::string suite_name = root.filename().string();
  write_file(root / "suite.toml",
             render_suite_toml(suite_name.empty() ? "suite" : suite_name, guesses), force, written,
             messages);
  messages.push_back(
      fmt::format("next: buildbench list --suite {} (checks every path), then "
                  "buildbench run --suite {}",
                  root.string(), root.string()));
  return written;
}

}  // namespace bb
