#include "scenario/init_guess.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "dockerfile/copy.hpp"
#include "dockerfile/stages.hpp"
#include "scenario/edit_format.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb::init {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxContextFiles = 50000;  // a bigger context is sampled, not walked

// ---------------------------------------------------------------- small helpers

// `word` as a whole word (so "go" is not found in "cargo"); alternatives split by '|'.
bool has_word(std::string_view text, std::string_view alternatives) {
  auto is_word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (const auto& word : split(alternatives, '|')) {
    for (auto pos = text.find(word); pos != std::string_view::npos;
         pos = text.find(word, pos + 1)) {
      bool start = pos == 0 || !is_word(text[pos - 1]);
      auto end = pos + word.size();
      if (start && (end == text.size() || !is_word(text[end]))) return true;
    }
  }
  return false;
}

std::string shorten(std::string_view text, std::size_t max = 70) {
  std::string out = printable(text);
  return out.size() <= max ? out : out.substr(0, max - 3) + "...";
}

// ---------------------------------------------------------------- the build context

// `<Dockerfile>.dockerignore` next to the Dockerfile wins over the context's .dockerignore.
dockerfile::IgnoreFile load_ignore(const fs::path& context, const fs::path& dockerfile) {
  auto text = read_text_file(fs::path(dockerfile.string() + ".dockerignore"));
  if (!text) text = read_text_file(context / ".dockerignore");
  return dockerfile::parse_ignore_file(text.value_or(""));
}

// The context's files, relative and sorted, without what .dockerignore leaves out.
std::vector<std::string> list_context(const fs::path& context,
                                      const dockerfile::IgnoreFile& ignore) {
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(context, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = it->path().lexically_relative(context).generic_string();
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      bool skip = skipped_folder(it->path().filename().string()) ||
                  (!ignore.has_exclusions && dockerfile::ignored(ignore, rel));
      if (skip) it.disable_recursion_pending();
    } else if (it->is_regular_file(type_ec) && !dockerfile::ignored(ignore, rel)) {
      files.push_back(rel);
      if (files.size() >= kMaxContextFiles) break;
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

struct Copied {
  std::string file;
  bool top_level = false;  // named by the source, or directly in a copied folder
  std::size_t copy = 0;    // index into the analysis' copies
};

// Which context files one source brings in; `top_level` marks those at its top level.
void match_source(const std::vector<std::string>& files, const dockerfile::SourceMatcher& source,
                  std::size_t copy, std::vector<Copied>& out) {
  for (const auto& file : files) {
    auto named = source.match(file);
    if (!named) continue;
    // Where the file's path under what the source names starts.
    std::size_t base = *named == 0 || *named == file.size() ? *named : *named + 1;
    bool top = base >= file.size() || file.find('/', base) == std::string::npos;
    out.push_back({file, top, copy});
  }
}

// ---------------------------------------------------------------- what the Dockerfile copies

// A COPY or ADD from the build context (never one --from another stage or image).
struct CopyOp {
  std::size_t index = 0;  // among the instructions
  dockerfile::Copy copy;  // empty when it names no source and destination
};

struct Analysis {
  fs::path context;
  dockerfile::Dockerfile file;
  std::vector<CopyOp> copies;  // from the context only
  std::vector<Copied> copied;  // every file each copy brings in
  std::vector<std::string> notes;
};

dockerfile::Dockerfile read_dockerfile(const fs::path& dockerfile, std::string_view text) {
  try {
    return dockerfile::parse(text);
  } catch (const dockerfile::ParseError& error) {
    throw UsageError(fmt::format("{}: {}", dockerfile.string(), error.what()));
  }
}

Analysis analyze(const fs::path& context, const fs::path& dockerfile, std::string_view text) {
  Analysis a;
  a.context = context;
  a.file = read_dockerfile(dockerfile, text);
  auto files = list_context(context, load_ignore(context, dockerfile));
  std::set<std::string> variables;
  for (std::size_t i = 0; i < a.file.instructions.size(); ++i) {
    const auto& ins = a.file.instructions[i];
    if (ins.keyword != "COPY" && ins.keyword != "ADD") continue;
    auto copy = dockerfile::parse_copy(ins.args);
    if (copy && copy->from) continue;
    CopyOp op{i, copy.value_or(dockerfile::Copy{})};
    for (const auto& source : op.copy.sources) {
      if (dockerfile::is_remote(source)) continue;
      if (source.find('$') != std::string::npos) variables.insert(source);
      match_source(files, dockerfile::SourceMatcher(source, op.copy), a.copies.size(), a.copied);
    }
    a.copies.push_back(std::move(op));
  }
  if (!variables.empty()) {
    a.notes.push_back(fmt::format("COPY sources with variables were not resolved: {}",
                                  join({variables.begin(), variables.end()})));
  }
  if (a.copies.empty()) a.notes.push_back("no COPY or ADD reads the build context");
  return a;
}

const dockerfile::Instruction& copy_instruction(const Analysis& a, std::size_t copy) {
  return a.file.instructions[a.copies[copy].index];
}

// An instruction as the messages name it; continuation lines show as one.
std::string show(const dockerfile::Instruction& ins) {
  return fmt::format("`{} {}` (line {})", ins.keyword,
                     shorten(join(dockerfile::words(ins.args), " ")), ins.line);
}

// ---------------------------------------------------------------- the dependency files

struct DepsFormat {
  std::string_view name;
  std::string_view companion;  // the manifest a lock file is generated from
  std::string_view tool;       // words that show the install uses it
  int rank;                    // 0 lock file, 1 manifest alone
};

const DepsFormat* deps_format(std::string_view file) {
  static const std::vector<DepsFormat> formats = {
      {"poetry.lock", "pyproject.toml", "poetry", 0},
      {"Pipfile.lock", "Pipfile", "pipenv", 0},
      {"uv.lock", "pyproject.toml", "uv", 0},
      {"package-lock.json", "package.json", "npm", 0},
      {"npm-shrinkwrap.json", "package.json", "npm", 0},
      {"yarn.lock", "package.json", "yarn", 0},
      {"pnpm-lock.yaml", "package.json", "pnpm", 0},
      {"go.sum", "go.mod", "go", 0},
      {"Cargo.lock", "Cargo.toml", "cargo", 0},
      {"pom.xml", "", "mvn|mvnw|maven", 0},
      {"build.gradle", "", "gradle|gradlew", 0},
      {"build.gradle.kts", "", "gradle|gradlew", 0},
      {"Gemfile.lock", "Gemfile", "bundle|bundler", 0},
      {"composer.lock", "composer.json", "composer", 0},
      {"conanfile.txt", "", "conan", 0},
      {"pyproject.toml", "", "", 1},
      {"Pipfile", "", "", 1},
      {"package.json", "", "", 1},
      {"go.mod", "", "", 1},
      {"Cargo.toml", "", "", 1},
      {"Gemfile", "", "", 1},
      {"composer.json", "", "", 1},
  };
  // requirements*.txt: the install names the file itself (pip install -r FILE).
  static const DepsFormat requirements{"requirements*.txt", "", "", 0};
  std::string name = fs::path(file).filename().string();
  if (name.starts_with("requirements") && name.ends_with(".txt")) return &requirements;
  for (const auto& format : formats) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

bool in_vendor_folder(std::string_view file) {
  static const std::set<std::string> names = {"vendor",     "third_party", "third-party",
                                              "thirdparty", "external",    "deps"};
  auto parts = split(file, '/');
  parts.pop_back();
  return std::any_of(parts.begin(), parts.end(), [](auto& p) { return names.count(p) > 0; });
}

bool uses_format(const std::string& run, const std::string& file) {
  const DepsFormat* format = deps_format(file);
  if (format->tool.empty())
    return run.find(fs::path(file).filename().string()) != std::string::npos;
  return has_word(lower(run), format->tool);
}

bool is_source(std::string_view file) {
  static const std::set<std::string> exts = {".py",  ".go",  ".rs",   ".c",  ".cc",  ".cpp",
                                             ".cxx", ".h",   ".hpp",  ".js", ".mjs", ".jsx",
                                             ".ts",  ".tsx", ".java", ".rb", ".php", ".sh"};
  return exts.count(lower(fs::path(file).extension().string())) > 0;
}

bool is_header(std::string_view file) {
  auto ext = lower(fs::path(file).extension().string());
  return ext == ".h" || ext == ".hpp";
}

struct DepsGuess {
  std::vector<std::string> files;
  bool vendored = false;
  std::optional<std::size_t> first_copy;   // index into copies
  std::optional<std::size_t> install_run;  // index into instructions
  std::string reason;
};

std::optional<std::size_t> next_run(const Analysis& a, std::size_t after) {
  for (std::size_t i = after + 1; i < a.file.instructions.size(); ++i) {
    if (a.file.instructions[i].keyword == "RUN") return i;
  }
  return std::nullopt;
}

bool is_deps_candidate(const Copied& c) {
  return (c.top_level && deps_format(c.file)) || in_vendor_folder(c.file);
}

// Lock files the install uses, with the manifests they were locked from; else manifests;
// else one vendored file (an implementation file rather than a header).
std::vector<std::string> pick_deps(const std::vector<const Copied*>& group, const std::string& run,
                                   bool& vendored) {
  std::vector<std::string> locks, manifests, vendor;
  for (const Copied* c : group) {
    const DepsFormat* f = c->top_level ? deps_format(c->file) : nullptr;
    if (f) (f->rank == 0 ? locks : manifests).push_back(c->file);
    if (!f && in_vendor_folder(c->file)) vendor.push_back(c->file);
  }
  std::vector<std::string> used;
  for (const auto& lock : locks)
    if (uses_format(run, lock)) used.push_back(lock);
  if (used.empty()) used = locks;
  for (std::size_t i = 0, n = used.size(); i < n; ++i) {
    auto companion = deps_format(used[i])->companion;
    if (companion.empty()) continue;
    auto file = (fs::path(used[i]).parent_path() / companion).generic_string();
    bool copied = std::any_of(group.begin(), group.end(), [&](auto* c) { return c->file == file; });
    if (copied) used.push_back(file);
  }
  if (used.empty()) used = manifests;
  if (used.empty() && !vendor.empty()) {
    std::stable_sort(vendor.begin(), vendor.end(), [](auto& x, auto& y) {
      return std::make_tuple(!is_source(x), is_header(x)) <
             std::make_tuple(!is_source(y), is_header(y));
    });
    vendored = true;
    used = {vendor.front()};
  }
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  return used;
}

// The first COPY of dependency files, with the COPYs after it up to the install RUN.
DepsGuess guess_deps(const Analysis& a) {
  DepsGuess g;
  auto first = std::find_if(a.copied.begin(), a.copied.end(), is_deps_candidate);
  if (first == a.copied.end()) {
    g.reason = "no COPY brings in a known lock file, manifest or vendor folder";
    return g;
  }
  g.first_copy = first->copy;
  g.install_run = next_run(a, a.copies[first->copy].index);
  std::size_t group_end = g.install_run.value_or(a.file.instructions.size());
  std::vector<const Copied*> group;
  for (const auto& c : a.copied) {
    if (c.copy >= first->copy && a.copies[c.copy].index < group_end) group.push_back(&c);
  }
  std::string run = g.install_run ? a.file.instructions[*g.install_run].args : "";
  g.files = pick_deps(group, run, g.vendored);
  const dockerfile::Instruction& copy = copy_instruction(a, first->copy);
  if (g.vendored) {
    g.reason = fmt::format("vendored sources copied early by {}", show(copy));
  } else if (g.install_run) {
    g.reason = fmt::format("copied by {} before {}", show(copy),
                           show(a.file.instructions[*g.install_run]));
  } else {
    g.reason = fmt::format("copied by {}; no RUN follows it", show(copy));
  }
  return g;
}

// ---------------------------------------------------------------- the code file

bool is_test_file(std::string_view file) {
  auto parts = split(file, '/');
  std::string name = parts.back();
  parts.pop_back();
  for (const auto& p : parts)
    if (p == "test" || p == "tests" || p == "__tests__" || p == "spec") return true;
  return name.starts_with("test_") || name.find("_test.") != std::string::npos ||
         name.find(".test.") != std::string::npos || name.find(".spec.") != std::string::npos;
}

int entry_rank(std::string_view file) {
  static const std::vector<std::string> stems = {"main", "app", "server", "index"};
  std::string stem = lower(fs::path(file).stem().string());
  auto it = std::find(stems.begin(), stems.end(), stem);
  return static_cast<int>(it - stems.begin());  // stems.size() when not entrypoint-like
}

// Entrypoint-like names first (shallowest), then the first source file in COPY order.
const Copied* best_source(const Analysis& a, const std::vector<std::string>& deps,
                          std::size_t from_copy, std::size_t after_instruction) {
  const Copied* best = nullptr;
  auto key = [](const Copied& c) {
    int rank = entry_rank(c.file);
    bool entry = rank < 4;
    auto depth = entry ? std::count(c.file.begin(), c.file.end(), '/') : 0;
    bool script = c.file.ends_with(".sh");  // a shell script only when nothing else is copied
    return std::make_tuple(is_test_file(c.file), script, !entry, depth, rank, c.copy, c.file);
  };
  for (const auto& c : a.copied) {
    if (c.copy < from_copy || a.copies[c.copy].index < after_instruction) continue;
    if (!is_source(c.file) || in_vendor_folder(c.file)) continue;
    if (std::find(deps.begin(), deps.end(), c.file) != deps.end()) continue;
    if (!best || key(c) < key(*best)) best = &c;
  }
  return best;
}

struct CodeGuess {
  std::string file;
  std::string reason;
  bool with_deps = false;  // copied no later than the dependency files: edits reinstall them
};

// Late copies first (after the install, then after the dependency files), else any copy.
CodeGuess guess_code(const Analysis& a, const DepsGuess& deps) {
  struct Tier {
    bool usable;
    std::size_t from_copy, after_instruction;
    std::string when;
  };
  std::size_t after_deps = deps.first_copy ? *deps.first_copy + 1 : 0;
  std::vector<Tier> tiers = {
      {deps.install_run.has_value(), 0, deps.install_run.value_or(0) + 1,
       "after the dependency install"},
      {deps.first_copy.has_value(), after_deps, 0, "after the dependency files"},
      {true, 0, 0,
       deps.first_copy
           ? "with or before the dependency files, so a code edit reruns their install too"
           : ""}};
  for (const auto& tier : tiers) {
    if (!tier.usable) continue;
    const Copied* c = best_source(a, deps.files, tier.from_copy, tier.after_instruction);
    if (!c) continue;
    std::string why = entry_rank(c->file) < 4 ? "an entrypoint-like name" : "the first source file";
    std::string when = tier.when.empty() ? "" : " " + tier.when;
    return {c->file,
            fmt::format("{}, copied by {}{}", why, show(copy_instruction(a, c->copy)), when),
            &tier == &tiers.back() && deps.first_copy.has_value()};
  }
  return {"",
          "no COPY brings in a source file (.py .go .rs .c .cc .cpp .h .js .ts .java .rb "
          ".php .sh)"};
}

// ---------------------------------------------------------------- start-up and notes

// The last stage's command, lower case: ENTRYPOINT then CMD.
std::string start_command(const Analysis& a) {
  std::string entrypoint, cmd;
  for (const auto& ins : a.file.instructions) {
    if (ins.keyword == "FROM") entrypoint.clear(), cmd.clear();
    if (ins.keyword == "ENTRYPOINT") entrypoint = ins.args;
    if (ins.keyword == "CMD") cmd = ins.args;
  }
  return lower(entrypoint + " " + cmd);
}

// Banners of known servers; an unknown server gets no probe rather than a wrong one.
std::pair<std::string, std::string> guess_ready(const Analysis& a) {
  std::string cmd = start_command(a);
  auto conf = read_text_file(a.context / "gunicorn.conf.py").value_or("");
  if (has_word(cmd, "uvicorn")) return {"Application startup complete", "the command runs uvicorn"};
  if (has_word(cmd, "gunicorn") && conf.find("uvicorn") != std::string::npos)
    return {"Application startup complete", "gunicorn with uvicorn workers, per gunicorn.conf.py"};
  if (has_word(cmd, "gunicorn")) return {"Booting worker", "the command runs gunicorn"};
  if (has_word(cmd, "hypercorn|flask"))
    return {"Running on", "the command runs a Flask/ASGI server"};
  if (cmd.find("runserver") != std::string::npos)
    return {"Starting development server", "the command runs Django's runserver"};
  if (has_word(cmd, "puma|rails")) return {"Listening on", "the command runs puma/rails"};
  return {"", cmd.find_first_not_of(' ') == std::string::npos
                  ? "the Dockerfile has no CMD or ENTRYPOINT"
                  : "the command's server is not one init recognises"};
}

void add_notes(const Analysis& a, const CodeGuess& code, std::vector<std::string>& notes) {
  std::vector<std::string> args, stages;
  for (const auto& ins : a.file.instructions) {
    if (ins.keyword == "FROM") stages.push_back(ins.args);
    if (ins.keyword != "ARG") continue;
    for (const auto& arg : dockerfile::arg_declarations(ins, a.file.escape)) {
      if (!arg.value && std::find(args.begin(), args.end(), arg.name) == args.end())
        args.push_back(arg.name);
    }
  }
  if (!args.empty()) {
    notes.push_back(
        fmt::format("the Dockerfile declares ARG {} without a default; if the build "
                    "needs values, add build_args = {{ NAME = \"value\" }}",
                    join(args)));
  }
  if (stages.size() > 1) {
    notes.push_back(
        fmt::format("{} stages: the last one is built; add target = \"NAME\" to "
                    "measure another",
                    stages.size()));
  }
  if (code.with_deps) {
    notes.push_back(
        "code and dependency files come in one COPY: a code edit reinstalls the "
        "dependencies (copy the dependency files first to avoid it)");
  }
  notes.insert(notes.end(), a.notes.begin(), a.notes.end());
}

// ---------------------------------------------------------------- one Dockerfile

DepsEditKind deps_kind(const fs::path& context, const DepsGuess& deps,
                       std::vector<std::string>& notes) {
  if (deps.files.empty()) return DepsEditKind::kNone;
  if (deps.vendored) {
    return comment_syntax(deps.files[0]).empty() ? DepsEditKind::kTemplate : DepsEditKind::kAppend;
  }
  bool commentable = false;
  for (const auto& file : deps.files) {
    auto alternative = alternative_of(file);
    auto mine = read_text_file(context / file), theirs = read_text_file(context / alternative);
    if (!theirs) return DepsEditKind::kTemplate;
    if (mine == theirs) {
      notes.push_back(fmt::format("{} equals {}: warm-deps stays off until it differs", file,
                                  alternative.generic_string()));
      return DepsEditKind::kTemplate;
    }
    commentable |= nonce_comment(file, "").has_value();
  }
  if (!commentable) {
    notes.push_back(
        "none of the dependency files takes a comment: the swap needs file and append "
        "naming a file that the same COPY reads (e.g. .buildbench-edit)");
  }
  return commentable ? DepsEditKind::kSwap : DepsEditKind::kTemplate;
}

}  // namespace

fs::path alternative_of(const std::string& file) {
  return fs::path(kEditsDir) / file;
}

std::string comment_syntax(std::string_view file) {
  static const std::map<std::string, std::string> by_ext = {
      {".py", "#"},   {".rb", "#"},    {".sh", "#"},   {".go", "//"},  {".rs", "//"},
      {".c", "//"},   {".cc", "//"},   {".cpp", "//"}, {".cxx", "//"}, {".h", "//"},
      {".hpp", "//"}, {".js", "//"},   {".mjs", "//"}, {".jsx", "//"}, {".ts", "//"},
      {".tsx", "//"}, {".java", "//"}, {".php", "//"}, {".kt", "//"},  {".swift", "//"}};
  auto it = by_ext.find(lower(fs::path(file).extension().string()));
  return it == by_ext.end() ? "" : it->second;
}

bool skipped_folder(const std::string& name) {
  return name.empty() || name[0] == '.' || name == "node_modules" || name == kEditsDir ||
         name == "__pycache__" || name == kVariantsDir;
}

InitGuess guess_one(const fs::path& root, const fs::path& dockerfile) {
  InitGuess g;
  fs::path context = dockerfile.parent_path();
  g.context = context.lexically_relative(root).lexically_normal();
  g.dockerfile = dockerfile.filename().string();
  auto text = read_text_file(dockerfile);
  if (!text) throw UsageError(fmt::format("{}: cannot read the Dockerfile", dockerfile.string()));
  Analysis a = analyze(context, dockerfile, *text);
  DepsGuess deps = guess_deps(a);
  CodeGuess code = guess_code(a, deps);
  g.code_file = code.file;
  g.code_reason = code.reason;
  g.deps_files = deps.files;
  g.deps_reason = deps.reason;
  std::tie(g.ready_line_hint, g.ready_reason) = guess_ready(a);
  g.deps_kind = deps_kind(context, deps, g.notes);
  add_notes(a, code, g.notes);
  return g;
}

}  // namespace bb::init
