// Stub: the changed branch replaces this file.
#include "compare/what_changed.hpp"

#include <fmt/format.h>

namespace bb {

std::vector<InputChange> what_changed(const RunRecord&, const RunRecord&,
                                      const std::filesystem::path&) {
  return {};
}

bool is_unknown(const InputChange& change) {
  return change.before == "not recorded" || change.after == "not recorded";
}

std::string describe_change(const InputChange& change) {
  std::string text = change.input == "commit"
                         ? fmt::format("commit {} → {}", change.before, change.after)
                         : fmt::format("{}: {} → {}", change.input, change.before, change.after);
  if (!change.files.empty()) text += fmt::format(" changed {}", fmt::join(change.files, ", "));
  return text;
}

std::string describe_changes(const std::vector<InputChange>& changes) {
  std::vector<std::string> parts;
  for (const auto& c : changes) parts.push_back(describe_change(c));
  return fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace bb
