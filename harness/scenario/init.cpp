#include "scenario/init.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenario/edit_format.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxContextFiles = 50000;  // a bigger context is sampled, not walked
constexpr int kMaxDockerfileDepth = 3;
const char* kEditsDir = "buildbench-edits";
const char* kVariantsDir = "buildbench-scenarios";

// ---------------------------------------------------------------- small helpers

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}
bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::optional<std::string> read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

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

std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  return fmt::format("{}", fmt::join(items, separator));
}

// ---------------------------------------------------------------- Dockerfile text

struct Instruction {
  std::string keyword;  // upper case
  std::string args;
  int line = 0;
};

// The `# escape=` parser directive, which may only precede every instruction.
char escape_char(const std::vector<std::string>& lines) {
  static const std::regex directive(R"(^#\s*escape\s*=\s*(\S)\s*$)", std::regex::icase);
  for (const auto& raw : lines) {
    std::string line(trim(raw));
    if (line.empty() || line[0] != '#') break;
    std::smatch match;
    if (std::regex_match(line, match, directive)) return match[1].str()[0];
  }
  return '\\';
}

// Heredoc bodies (`RUN <<EOF ... EOF`) are not instructions: the words that end them.
std::vector<std::string> heredoc_ends(const std::string& args) {
  static const std::regex marker(R"(<<-?["']?([A-Za-z_][A-Za-z0-9_]*)["']?)");
  std::vector<std::string> ends;
  for (std::sregex_iterator it(args.begin(), args.end(), marker), end; it != end; ++it) {
    ends.push_back((*it)[1].str());
  }
  return ends;
}

std::vector<Instruction> parse_dockerfile(std::string_view text) {
  std::vector<std::string> lines = split(text, '\n');
  const char escape = escape_char(lines);
  std::vector<Instruction> out;
  std::string current;
  std::vector<std::string> heredoc;
  int start = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line(trim(lines[i]));
    if (!heredoc.empty()) {
      if (line == heredoc.front()) heredoc.erase(heredoc.begin());
      continue;
    }
    if (line.empty() || line[0] == '#') continue;  // comments are dropped inside continuations too
    if (current.empty()) start = static_cast<int>(i) + 1;
    if (line.back() == escape) {
      current += std::string(trim(line.substr(0, line.size() - 1))) + " ";
      continue;
    }
    current += line;
    auto space = current.find_first_of(" \t");
    Instruction ins{current.substr(0, space), "", start};
    for (auto& c : ins.keyword) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (space != std::string::npos) ins.args = std::string(trim(current.substr(space)));
    heredoc = heredoc_ends(ins.args);
    out.push_back(std::move(ins));
    current.clear();
  }
  return out;
}

std::string show(const Instruction& ins) {
  return fmt::format("`{} {}` (line {})", ins.keyword, shorten(ins.args), ins.line);
}

// A COPY or ADD from the build context (never one --from another stage or image).
struct CopyOp {
  std::size_t index = 0;  // among the instructions
  std::vector<std::string> sources;
  bool from_other = false;
};

std::vector<std::string> json_words(std::string_view text) {
  try {
    auto parsed = nlohmann::json::parse(text);
    std::vector<std::string> words;
    for (const auto& item : parsed) words.push_back(item.get<std::string>());
    return words;
  } catch (const nlohmann::json::exception&) {
    return words_of(text);  // not valid JSON: Docker treats it as the shell form too
  }
}

CopyOp parse_copy(const Instruction& ins, std::size_t index) {
  CopyOp op;
  op.index = index;
  std::string_view rest = trim(ins.args);
  while (starts_with(rest, "--")) {
    auto end = rest.find_first_of(" \t");
    if (starts_with(rest, "--from")) op.from_other = true;
    rest = end == std::string_view::npos ? std::string_view() : trim(rest.substr(end));
  }
  auto words = starts_with(rest, "[") ? json_words(rest) : words_of(rest);
  if (words.size() < 2) return op;
  words.pop_back();  // the destination
  for (auto& word : words) {
    bool remote = word.find("://") != std::string::npos || starts_with(word, "git@");
    if (!remote && !starts_with(word, "<<")) op.sources.push_back(word);
  }
  return op;
}

// ---------------------------------------------------------------- the build context

// A glob as Docker reads it: `*` and `?` stay within one path element, `**` crosses them.
std::string glob_to_regex(std::string_view glob) {
  std::string out;
  for (std::size_t i = 0; i < glob.size(); ++i) {
    char c = glob[i];
    if (c == '*' && i + 1 < glob.size() && glob[i + 1] == '*') {
      ++i;
      bool slash = i + 1 < glob.size() && glob[i + 1] == '/';
      if (slash) ++i;
      out += slash ? "(.*/)?" : ".*";
    } else if (c == '*') {
      out += "[^/]*";
    } else if (c == '?') {
      out += "[^/]";
    } else if (c == '[' && glob.find(']', i + 1) != std::string_view::npos) {
      auto close = glob.find(']', i + 1);
      std::string set(glob.substr(i + 1, close - i - 1));
      if (!set.empty() && set[0] == '!') set[0] = '^';
      out += "[" + set + "]";
      i = close;
    } else {
      if (c == '\\' && i + 1 < glob.size()) c = glob[++i];
      if (std::string_view(".^$|()[]{}+\\/").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
  }
  return out;
}

bool has_glob(std::string_view text) {
  return text.find_first_of("*?[") != std::string::npos;
}

// "./a/b/" -> "a/b"; "." and "/" -> "" (the whole context).
std::string clean_source(std::string_view source) {
  std::string path = fs::path(std::string(source)).lexically_normal().generic_string();
  while (starts_with(path, "/")) path.erase(0, 1);
  while (ends_with(path, "/")) path.pop_back();
  return path == "." ? "" : path;
}

struct IgnoreRule {
  std::regex pattern;
  bool negate = false;
};

// `<Dockerfile>.dockerignore` next to the Dockerfile wins over the context's .dockerignore.
std::vector<IgnoreRule> load_ignore(const fs::path& context, const fs::path& dockerfile) {
  auto text = read_text(fs::path(dockerfile.string() + ".dockerignore"));
  if (!text) text = read_text(context / ".dockerignore");
  std::vector<IgnoreRule> rules;
  if (!text) return rules;
  for (const auto& raw : split(*text, '\n')) {
    std::string line(trim(raw));
    if (line.empty() || line[0] == '#') continue;
    IgnoreRule rule;
    if (line[0] == '!') {
      rule.negate = true;
      line = std::string(trim(line.substr(1)));
    }
    line = clean_source(line);
    if (line.empty()) continue;
    try {
      rule.pattern = std::regex(glob_to_regex(line));
    } catch (const std::regex_error&) {
      continue;  // a pattern we cannot read is left out: the guess stays a guess
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

// The last rule matching the path or one of its parent folders decides, as in Docker.
bool ignored(const std::vector<IgnoreRule>& rules, const std::string& rel) {
  bool result = false;
  for (const auto& rule : rules) {
    bool match = std::regex_match(rel, rule.pattern);
    for (auto pos = rel.find('/'); !match && pos != std::string::npos; pos = rel.find('/', pos + 1))
      match = std::regex_match(rel.substr(0, pos), rule.pattern);
    if (match) result = !rule.negate;
  }
  return result;
}

bool skipped_folder(const std::string& name) {
  return name.empty() || name[0] == '.' || name == "node_modules" || name == kEditsDir ||
         name == "__pycache__" || name == kVariantsDir;
}

// The context's files, relative and sorted, without what .dockerignore leaves out.
std::vector<std::string> list_context(const fs::path& context,
                                      const std::vector<IgnoreRule>& rules) {
  bool negations = std::any_of(rules.begin(), rules.end(), [](auto& r) { return r.negate; });
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(context, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = it->path().lexically_relative(context).generic_string();
    std::error_code type_ec;
    if (it->is_directory(type_ec)) {
      bool skip =
          skipped_folder(it->path().filename().string()) || (!negations && ignored(rules, rel));
      if (skip) it.disable_recursion_pending();
    } else if (it->is_regular_file(type_ec) && !ignored(rules, rel)) {
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

// Which context files one source brings in; `top` marks those at its top level.
void match_source(const std::vector<std::string>& files, const std::string& source,
                  std::size_t copy, std::vector<Copied>& out) {
  std::optional<std::regex> glob;
  try {
    if (has_glob(source)) glob.emplace(glob_to_regex(source));
  } catch (const std::regex_error&) {
    return;  // a pattern we cannot read copies nothing we can see
  }
  for (const auto& file : files) {
    std::optional<std::size_t> base;  // length of the matched folder prefix
    if (glob ? std::regex_match(file, *glob) : file == source) {
      base = file.size();
    } else if (!glob && (source.empty() || starts_with(file, source + "/"))) {
      base = source.empty() ? 0 : source.size() + 1;
    } else if (glob) {
      for (auto pos = file.find('/'); !base && pos != std::string::npos;
           pos = file.find('/', pos + 1))
        if (std::regex_match(file.substr(0, pos), *glob)) base = pos + 1;
    }
    if (!base) continue;
    bool top = *base >= file.size() || file.find('/', *base) == std::string::npos;
    out.push_back({file, top, copy});
  }
}

// ---------------------------------------------------------------- what the Dockerfile copies

struct Analysis {
  fs::path context;
  std::vector<Instruction> instructions;
  std::vector<CopyOp> copies;  // from the context only
  std::vector<Copied> copied;  // every file each copy brings in
  std::vector<std::string> notes;
};

Analysis analyze(const fs::path& context, const fs::path& dockerfile, std::string_view text) {
  Analysis a;
  a.context = context;
  a.instructions = parse_dockerfile(text);
  auto files = list_context(context, load_ignore(context, dockerfile));
  std::set<std::string> variables;
  for (std::size_t i = 0; i < a.instructions.size(); ++i) {
    const auto& ins = a.instructions[i];
    if (ins.keyword != "COPY" && ins.keyword != "ADD") continue;
    CopyOp op = parse_copy(ins, i);
    if (op.from_other) continue;
    for (const auto& source : op.sources) {
      if (source.find('$') != std::string::npos) variables.insert(source);
      std::string clean = clean_source(source);
      if (!starts_with(clean, "..")) match_source(files, clean, a.copies.size(), a.copied);
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

const Instruction& copy_instruction(const Analysis& a, std::size_t copy) {
  return a.instructions[a.copies[copy].index];
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
  if (starts_with(name, "requirements") && ends_with(name, ".txt")) return &requirements;
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

std::string comment_syntax(std::string_view file) {
  static const std::map<std::string, std::string> by_ext = {
      {".py", "#"},   {".rb", "#"},    {".sh", "#"},   {".go", "//"},  {".rs", "//"},
      {".c", "//"},   {".cc", "//"},   {".cpp", "//"}, {".cxx", "//"}, {".h", "//"},
      {".hpp", "//"}, {".js", "//"},   {".mjs", "//"}, {".jsx", "//"}, {".ts", "//"},
      {".tsx", "//"}, {".java", "//"}, {".php", "//"}, {".kt", "//"},  {".swift", "//"}};
  auto it = by_ext.find(lower(fs::path(file).extension().string()));
  return it == by_ext.end() ? "" : it->second;
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
  for (std::size_t i = after + 1; i < a.instructions.size(); ++i) {
    if (a.instructions[i].keyword == "RUN") return i;
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
  std::size_t group_end = g.install_run.value_or(a.instructions.size());
  std::vector<const Copied*> group;
  for (const auto& c : a.copied) {
    if (c.copy >= first->copy && a.copies[c.copy].index < group_end) group.push_back(&c);
  }
  std::string run = g.install_run ? a.instructions[*g.install_run].args : "";
  g.files = pick_deps(group, run, g.vendored);
  const Instruction& copy = copy_instruction(a, first->copy);
  if (g.vendored) {
    g.reason = fmt::format("vendored sources copied early by {}", show(copy));
  } else if (g.install_run) {
    g.reason =
        fmt::format("copied by {} before {}", show(copy), show(a.instructions[*g.install_run]));
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
  return starts_with(name, "test_") || name.find("_test.") != std::string::npos ||
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
    bool script = ends_with(c.file, ".sh");  // a shell script only when nothing else is copied
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
  for (const auto& ins : a.instructions) {
    if (ins.keyword == "FROM") entrypoint.clear(), cmd.clear();
    if (ins.keyword == "ENTRYPOINT") entrypoint = ins.args;
    if (ins.keyword == "CMD") cmd = ins.args;
  }
  return lower(entrypoint + " " + cmd);
}

// Banners of known servers; an unknown server gets no probe rather than a wrong one.
std::pair<std::string, std::string> guess_ready(const Analysis& a) {
  std::string cmd = start_command(a);
  auto conf = read_text(a.context / "gunicorn.conf.py").value_or("");
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
  for (const auto& ins : a.instructions) {
    bool no_default = ins.keyword == "ARG" && ins.args.find('=') == std::string::npos;
    if (no_default && std::find(args.begin(), args.end(), ins.args) == args.end())
      args.push_back(ins.args);
    if (ins.keyword == "FROM") stages.push_back(ins.args);
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

fs::path alternative_of(const std::string& file) {
  return fs::path(kEditsDir) / file;
}

DepsEditKind deps_kind(const fs::path& context, const DepsGuess& deps,
                       std::vector<std::string>& notes) {
  if (deps.files.empty()) return DepsEditKind::kNone;
  if (deps.vendored) {
    return comment_syntax(deps.files[0]).empty() ? DepsEditKind::kTemplate : DepsEditKind::kAppend;
  }
  bool commentable = false;
  for (const auto& file : deps.files) {
    auto alternative = alternative_of(file);
    auto mine = read_text(context / file), theirs = read_text(context / alternative);
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

InitGuess guess_one(const fs::path& root, const fs::path& dockerfile) {
  InitGuess g;
  fs::path context = dockerfile.parent_path();
  g.context = context.lexically_relative(root).lexically_normal();
  g.dockerfile = dockerfile.filename().string();
  auto text = read_text(dockerfile);
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

// ---------------------------------------------------------------- finding Dockerfiles

bool is_dockerfile_name(const std::string& name) {
  std::string n = lower(name);
  for (auto bad : {".dockerignore", ".bak", ".orig", ".swp", "~", ".md", ".toml"}) {
    if (ends_with(n, bad)) return false;
  }
  return n == "dockerfile" || starts_with(n, "dockerfile.") || ends_with(n, ".dockerfile");
}

std::vector<fs::path> find_dockerfiles(const fs::path& root) {
  std::vector<fs::path> found;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    std::string name = it->path().filename().string();
    if (it->is_directory(type_ec)) {
      bool skip = skipped_folder(name) || name == "vendor" || name == "third_party" ||
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
  if (starts_with(n, "dockerfile.")) return filename.substr(11);
  if (ends_with(n, ".dockerfile")) return filename.substr(0, filename.size() - 11);
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
    InitGuess g = guess_one(root, file);
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
  while (ends_with(context, "/")) context.pop_back();
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
