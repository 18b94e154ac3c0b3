#include "compare/what_changed.hpp"

#include <optional>
#include <set>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/git.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

constexpr const char* kNotRecorded = "not recorded";
constexpr std::size_t kFilesShown = 5;

// "sha256:" and 12 hex digits: enough to tell two digests apart at a glance.
std::string short_value(const std::string& value) {
  const std::string prefix = "sha256:";
  if (value.rfind(prefix, 0) == 0 && value.size() > prefix.size() + 12)
    return value.substr(0, prefix.size() + 12);
  return value;
}

std::string commit_text(const RunRecord& run) {
  if (run.git_commit.empty()) return "none";
  return run.git_commit.substr(0, 7) + (run.git_dirty ? " (dirty)" : "");
}

// The value at `key` of an object, nullopt when it is not there.
std::optional<std::string> string_at(const nlohmann::json& object, const std::string& key) {
  if (!object.is_object() || !object.contains(key)) return std::nullopt;
  const auto& value = object[key];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return std::nullopt;
  return value.dump();
}

void add_if_changed(std::vector<InputChange>& out, const std::string& input,
                    std::optional<std::string> before, std::optional<std::string> after) {
  if (!before && !after) return;  // neither run recorded it
  std::string b = before ? short_value(*before) : kNotRecorded;
  std::string a = after ? short_value(*after) : kNotRecorded;
  if (before && after && *before == *after) return;
  out.push_back({input, b, a, {}});
}

bool has_commit(const fs::path& git_dir, const std::string& commit) {
  return read_git(git_dir, {"cat-file", "-e", commit + "^{commit}"}).ok;
}

// The suite's folder relative to the checkout's top, when the run's suite lies inside it.
std::optional<std::string> suite_folder(const fs::path& git_dir, const RunRecord& run) {
  if (run.suite_path.empty()) return std::nullopt;
  auto top = read_git(git_dir, {"rev-parse", "--show-toplevel"});
  if (!top.ok) return std::nullopt;
  std::error_code ec;
  fs::path suite = fs::weakly_canonical(fs::path(run.suite_path).parent_path(), ec);
  fs::path root = fs::weakly_canonical(top.out, ec);
  std::string rel = suite.lexically_relative(root).generic_string();
  if (rel.empty() || rel.rfind("..", 0) == 0) return std::nullopt;
  return rel == "." ? "" : rel;
}

// The suite files the commits between the two runs changed, relative to the suite's folder
// (else to `git_dir`); a missing commit or a failing git is said so in the list.
std::vector<std::string> changed_files(const fs::path& git_dir, const RunRecord& before,
                                       const RunRecord& after) {
  std::vector<std::string> missing;
  for (const auto* run : {&before, &after}) {
    if (!has_commit(git_dir, run->git_commit)) missing.push_back(run->git_commit.substr(0, 7));
  }
  if (!missing.empty())
    return {fmt::format("{} not in this clone (shallow?)", fmt::join(missing, " and "))};
  auto folder = suite_folder(git_dir, after);
  if (!folder) folder = suite_folder(git_dir, before);
  std::string relative = folder ? "--relative=" + *folder : "--relative";
  auto diff = read_git(
      git_dir, {"diff", "--name-only", relative, before.git_commit, after.git_commit, "--"});
  if (!diff.ok)
    return {fmt::format("git diff failed: {}", diff.out.substr(0, diff.out.find('\n')))};
  std::vector<std::string> files;
  for (const auto& line : split(diff.out, '\n')) {
    if (!trim(line).empty()) files.emplace_back(trim(line));
  }
  return files;
}

void commit_change(std::vector<InputChange>& out, const RunRecord& before, const RunRecord& after,
                   const fs::path& git_dir) {
  if (before.git_commit == after.git_commit && before.git_dirty == after.git_dirty) return;
  InputChange change{"commit", commit_text(before), commit_text(after), {}};
  bool both = !before.git_commit.empty() && !after.git_commit.empty();
  if (both && before.git_commit != after.git_commit && !git_dir.empty())
    change.files = changed_files(git_dir, before, after);
  out.push_back(change);
}

const nlohmann::json& member(const nlohmann::json& object, const std::string& key) {
  static const nlohmann::json none;
  return object.is_object() && object.contains(key) ? object[key] : none;
}

// Each scenario both runs built: its Dockerfile's and its context's digest.
void scenario_changes(std::vector<InputChange>& out, const nlohmann::json& before,
                      const nlohmann::json& after) {
  if (before.is_null() != after.is_null()) {
    out.push_back({"dockerfiles and contexts",
                   before.is_null() ? kNotRecorded : "recorded",
                   after.is_null() ? kNotRecorded : "recorded",
                   {}});
    return;
  }
  const auto& b = member(before, "scenarios");
  const auto& a = member(after, "scenarios");
  if (!a.is_object()) return;
  for (const auto& [name, fact] : a.items()) {
    if (!b.is_object() || !b.contains(name)) continue;  // a new scenario is no change of input
    add_if_changed(out, "dockerfile " + name, string_at(b[name], "dockerfile"),
                   string_at(fact, "dockerfile"));
    add_if_changed(out, "context " + name, string_at(b[name], "context"),
                   string_at(fact, "context"));
  }
}

// A base image's id: what changes when it is rebuilt upstream under the same tag.
std::optional<std::string> image_id(const nlohmann::json& images, const std::string& ref) {
  if (!images.is_object()) return std::nullopt;
  if (!images.contains(ref)) return "not used";
  const auto& fact = images[ref];
  if (!fact.value("present", false)) return "absent";
  return string_at(fact, "id");
}

void base_image_changes(std::vector<InputChange>& out, const nlohmann::json& before,
                        const nlohmann::json& after) {
  std::set<std::string> refs;
  for (const auto* images : {&before, &after}) {
    if (!images->is_object()) continue;
    for (const auto& [ref, fact] : images->items()) refs.insert(ref);
  }
  for (const auto& ref : refs)
    add_if_changed(out, "base image " + ref, image_id(before, ref), image_id(after, ref));
}

// Inputs recorded without the index: the suite named none.
std::optional<std::string> index_digest(const nlohmann::json& inputs) {
  if (inputs.is_null()) return std::nullopt;
  return string_at(inputs, "package_index").value_or("none");
}

}  // namespace

std::vector<InputChange> what_changed(const RunRecord& before, const RunRecord& after,
                                      const fs::path& git_dir) {
  std::vector<InputChange> changes;
  const auto& fb = before.fingerprint;
  const auto& fa = after.fingerprint;
  commit_change(changes, before, after, git_dir);
  scenario_changes(changes, member(fb, "inputs"), member(fa, "inputs"));
  base_image_changes(changes, member(fb, "base_images"), member(fa, "base_images"));
  add_if_changed(changes, "package index", index_digest(member(fb, "inputs")),
                 index_digest(member(fa, "inputs")));
  const std::vector<std::pair<std::string, std::string>> host = {
      {"engine", "docker_server"},  {"buildkit", "buildkit"},
      {"containerd", "containerd"}, {"runc", "runc"},
      {"kernel", "kernel"},         {"cpu", "cpu_model"}};
  for (const auto& [input, key] : host)
    add_if_changed(changes, input, string_at(fb, key), string_at(fa, key));
  return changes;
}

bool is_unknown(const InputChange& change) {
  return change.before == kNotRecorded || change.after == kNotRecorded;
}

// A file list that holds a note instead (a commit missing from the clone, git failing).
bool is_note(const std::vector<std::string>& files) {
  return files.size() == 1 && (files[0].find("not in this clone") != std::string::npos ||
                               files[0].rfind("git diff failed", 0) == 0);
}

std::string describe_change(const InputChange& change) {
  std::string text = change.input == "commit"
                         ? fmt::format("commit {} → {}", change.before, change.after)
                         : fmt::format("{}: {} → {}", change.input, change.before, change.after);
  if (change.files.empty()) return text;
  if (is_note(change.files)) return text + " (" + change.files[0] + ")";
  auto shown = std::min(kFilesShown, change.files.size());
  text += fmt::format(
      " changed {}",
      fmt::join(change.files.begin(), change.files.begin() + static_cast<long>(shown), ", "));
  if (change.files.size() > shown) text += fmt::format(" and {} more", change.files.size() - shown);
  return text;
}

std::string describe_changes(const std::vector<InputChange>& changes) {
  std::vector<std::string> parts;
  for (const auto& change : changes) parts.push_back(describe_change(change));
  return fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace bb
