#include "dockerfile/copy.hpp"

#include "util/text.hpp"

namespace bb::dockerfile {

std::optional<Copy> make_copy(std::vector<Flag> flags, std::vector<std::string> operands,
                              bool json) {
  if (operands.size() < 2) return std::nullopt;
  Copy copy;
  copy.json = json;
  for (const auto& flag : flags) {
    if (flag.name == "from") copy.from = flag.value;
    if (flag.name == "parents") copy.parents = !flag.has_value || flag.value != "false";
    if (flag.name == "exclude" && flag.has_value) copy.excludes.push_back(flag.value);
  }
  copy.flags = std::move(flags);
  copy.destination = std::move(operands.back());
  operands.pop_back();
  for (auto& source : operands) {
    auto heredoc = json ? std::nullopt : heredoc_marker(source);
    if (heredoc) {
      copy.heredocs.push_back(heredoc->name);
    } else {
      copy.sources.push_back(std::move(source));
    }
  }
  return copy;
}

std::optional<Copy> parse_copy(std::string_view args) {
  auto [flags, rest] = split_flags(args);
  auto json = json_array(rest);
  auto copy = make_copy(std::move(flags), json ? *json : words(rest), json.has_value());
  if (copy) copy->operands = rest;
  return copy;
}

bool is_remote(std::string_view source) {
  return source.find("://") != std::string_view::npos || source.substr(0, 4) == "git@";
}

SourceMatcher::SourceMatcher(std::string_view source, const Copy& copy)
    : path_(clean_path(source)) {
  // Without --parents a source is a filepath.Match glob; with it, a patternmatcher one
  // (where `/./` marks the pivot, which cleaning drops: the files read are the same).
  auto rules = copy.parents ? GlobRules::kPattern : GlobRules::kCopySource;
  literal_ = !copy.parents && !has_wildcards(path_);
  if (!literal_) glob_ = Glob::compile(path_, rules);
  // --exclude patterns are relative to the folder the copy starts from: the source's
  // part before its first wildcard.
  for (const auto& part : split(path_, '/')) {
    if (has_wildcards(part)) break;
    exclude_root_ += (exclude_root_.empty() ? "" : "/") + part;
  }
  for (const auto& pattern : copy.excludes) {
    if (auto glob = Glob::compile(clean_path(pattern), GlobRules::kPattern)) {
      excludes_.push_back(std::move(*glob));
    }
  }
}

std::optional<std::size_t> SourceMatcher::match(std::string_view file) const {
  std::optional<std::size_t> named;
  if (path_.empty()) {
    named = 0;
  } else if (path_ == ".." || path_.substr(0, 3) == "../") {
    return std::nullopt;  // outside the context
  } else if (!literal_) {
    if (glob_) named = glob_->matched_prefix(file);
  } else if (file == path_) {
    named = file.size();
  } else if (file.substr(0, path_.size()) == path_ && file.size() > path_.size() &&
             file[path_.size()] == '/') {
    named = path_.size();
  }
  if (!named || excludes_.empty()) return named;
  std::string_view relative = file;
  if (!exclude_root_.empty()) {
    if (file.substr(0, exclude_root_.size() + 1) != exclude_root_ + "/") return named;
    relative.remove_prefix(exclude_root_.size() + 1);
  }
  for (const auto& exclude : excludes_) {
    if (exclude.matched_prefix(relative)) return std::nullopt;
  }
  return named;
}

bool copy_reads(const Copy& copy, std::string_view file) {
  std::string path = clean_path(file);
  for (const auto& source : copy.sources) {
    if (!is_remote(source) && SourceMatcher(source, copy).match(path)) return true;
  }
  return false;
}

}  // namespace bb::dockerfile
