#include "measure/state_contract.hpp"

#include <fnmatch.h>

#include <map>
#include <regex>

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "measure/ci_cache.hpp"
#include "util/text.hpp"

namespace bb {
namespace {

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

std::string normalize(std::string path) {
  while (path.rfind("./", 0) == 0) path.erase(0, 2);
  while (!path.empty() && path.front() == '/') path.erase(0, 1);
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path == "." ? "" : path;
}

bool matches(const std::string& pattern, const std::string& path) {
  return pattern == path || ::fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0;
}

std::string describe_edit(CacheState state) {
  return state == CacheState::kWarmDeps ? "dependency edit" : "code edit";
}

// "[builder 3/6] COPY ..." -> {"builder", 3}; nothing for steps without a position.
std::optional<std::pair<std::string, int>> stage_position(const std::string& name) {
  static const std::regex position(R"(^\[(.*?) ?(\d+)/\d+\] )");
  std::smatch match;
  if (!std::regex_search(name, match, position)) return std::nullopt;
  return std::make_pair(match[1].str(), std::stoi(match[2].str()));
}

// In each stage holding an edited COPY: the instructions before it, which the imported
// cache must have served. Empty when they were all cached.
std::string uncached_before_edit(const std::vector<BuildStep>& steps,
                                 const std::vector<std::string>& edited) {
  std::map<std::string, int> first_edited;  // stage -> position of its first edited COPY
  for (const auto& step : steps) {
    auto copy = parse_copy_step(step.name);
    auto at = stage_position(step.name);
    if (!step.is_instruction() || !copy || !at) continue;
    for (const auto& file : edited) {
      if (!copy_reads(*copy, file)) continue;
      auto [it, inserted] = first_edited.emplace(at->first, at->second);
      if (!inserted) it->second = std::min(it->second, at->second);
    }
  }
  for (const auto& step : steps) {
    auto at = stage_position(step.name);
    if (!step.is_instruction() || step.cached || !at) continue;
    auto edit = first_edited.find(at->first);
    if (edit != first_edited.end() && at->second < edit->second) return step.name;
  }
  return "";
}

std::string ci_contract_violation(CacheState state, const std::vector<std::string>& edited,
                                  const std::vector<BuildStep>& steps) {
  if (auto broken = contract_violation(CacheState::kWarmCode, edited, steps); !broken.empty()) {
    return broken;
  }
  std::string name = to_string(state);
  if (needs_cache_export(state) && !imports_cache(state) && !reports_cache_export(steps)) {
    return fmt::format(
        "{} reported no cache export step (`exporting cache to ...`): the "
        "--cache-to did not run",
        name);
  }
  if (!imports_cache(state)) return "";
  if (!reports_cache_import(steps)) {
    return fmt::format(
        "{} reported no cache import step (`importing cache manifest from ...`): "
        "the --cache-from did not run",
        name);
  }
  if (auto ran = uncached_before_edit(steps, edited); !ran.empty()) {
    return fmt::format(
        "{} ran `{}`, which comes before the edited COPY: the imported cache did "
        "not serve it (did the previous build export it?)",
        name, printable(ran));
  }
  return "";
}

}  // namespace

std::optional<CopyStep> parse_copy_step(std::string_view name) {
  if (auto close = name.find("] ");
      !name.empty() && name.front() == '[' && close != std::string_view::npos) {
    name.remove_prefix(close + 2);
  }
  CopyStep step;
  step.instruction = std::string(name);
  std::string_view rest;
  if (name.rfind("COPY ", 0) == 0 || name.rfind("ADD ", 0) == 0) {
    rest = name.substr(name.find(' ') + 1);
  } else {
    return std::nullopt;
  }
  std::vector<std::string> args;
  auto trimmed = trim(rest);
  std::vector<std::string> tokens = words(trimmed);
  std::size_t first = 0;
  while (first < tokens.size() && tokens[first].rfind("--", 0) == 0) {
    if (tokens[first].rfind("--from", 0) == 0) return std::nullopt;  // another stage or image
    ++first;
  }
  std::string remaining;
  for (std::size_t i = first; i < tokens.size(); ++i) {
    remaining += (i > first ? " " : "") + tokens[i];
  }
  if (!remaining.empty() && remaining.front() == '[') {
    auto json = nlohmann::json::parse(remaining, nullptr, false);
    if (json.is_array()) {
      for (const auto& item : json) {
        if (item.is_string()) args.push_back(item.get<std::string>());
      }
    } else if (remaining.back() == ']') {
      // BuildKit 0.13 names a JSON-form COPY the way Go prints a slice: [a b.py, /app/].
      std::string_view inner(remaining);
      inner = inner.substr(1, inner.size() - 2);
      for (auto comma = inner.find(", "); comma != std::string_view::npos;
           comma = inner.find(", ")) {
        args.emplace_back(inner.substr(0, comma));
        inner.remove_prefix(comma + 2);
      }
      args.emplace_back(inner);
    } else {
      return std::nullopt;
    }
  } else {
    args.assign(tokens.begin() + static_cast<long>(first), tokens.end());
  }
  if (args.size() < 2) return std::nullopt;
  args.pop_back();  // the destination
  for (auto& source : args) {
    if (source.find("://") != std::string::npos || source.rfind("git@", 0) == 0) continue;
    step.sources.push_back(normalize(source));
  }
  if (step.sources.empty()) return std::nullopt;
  return step;
}

bool copy_reads(const CopyStep& copy, std::string_view file_view) {
  std::string file = normalize(std::string(file_view));
  for (const auto& source : copy.sources) {
    if (source.empty() || matches(source, file)) return true;
    // A folder (or a pattern matching a folder) copies everything under it.
    for (auto slash = file.find('/'); slash != std::string::npos;
         slash = file.find('/', slash + 1)) {
      if (matches(source, file.substr(0, slash))) return true;
    }
  }
  return false;
}

std::vector<std::string> edited_files(const FileEdit& edit) {
  std::vector<std::string> files;
  for (const auto& [file, alternative] : edit.swap) files.push_back(file);
  if (!edit.file.empty()) files.push_back(edit.file);
  return files;
}

std::string contract_violation(CacheState state, const std::vector<std::string>& edited,
                               const std::vector<BuildStep>& steps) {
  if (is_ci_cache_state(state)) return ci_contract_violation(state, edited, steps);
  std::vector<const BuildStep*> instructions;
  for (const auto& step : steps) {
    if (step.is_instruction()) instructions.push_back(&step);
  }
  auto instruction_of = [](const BuildStep& step) {
    auto close = step.name.find("] ");
    return close == std::string::npos ? step.name : step.name.substr(close + 2);
  };
  if (state == CacheState::kCold) {
    for (const auto* step : instructions) {
      if (step->cached) {
        return fmt::format(
            "cold build served `{}` from cache: the prune did not empty the "
            "builder's cache",
            printable(instruction_of(*step)));
      }
    }
    return "";
  }
  if (state == CacheState::kWarmNoChange) {
    for (const auto* step : instructions) {
      if (!step->cached) {
        return fmt::format(
            "warm-nochange rebuilt `{}`: an unchanged rebuild must be served "
            "from cache entirely (is a step not reproducible?)",
            printable(instruction_of(*step)));
      }
    }
    return "";
  }
  bool reached = false;
  for (const auto* step : instructions) {
    auto copy = parse_copy_step(step->name);
    if (!copy) continue;
    for (const auto& file : edited) {
      if (!copy_reads(*copy, file)) continue;
      reached = true;
      if (step->cached) {
        return fmt::format("{} did not invalidate `{}`: served from cache", describe_edit(state),
                           printable(copy->instruction));
      }
    }
  }
  if (!reached) {
    std::string names;
    for (const auto& file : edited) names += (names.empty() ? "`" : ", `") + printable(file) + "`";
    return fmt::format(
        "{} of {} reached no step: no COPY or ADD of the build reads it (check "
        "the edit's file and .dockerignore)",
        describe_edit(state), names);
  }
  return "";
}

}  // namespace bb
