#include "measure/state_contract.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>

#include <fmt/format.h>

#include "dockerfile/copy.hpp"
#include "measure/ci_cache.hpp"
#include "util/text.hpp"

namespace bb {
namespace {

// BuildKit 0.13 names a JSON-form COPY the way Go prints a slice: [a b.py, /app/].
std::optional<std::vector<std::string>> go_slice(std::string_view operands) {
  if (operands.size() < 2 || operands.front() != '[' || operands.back() != ']') {
    return std::nullopt;
  }
  std::vector<std::string> items;
  std::string_view inner = operands.substr(1, operands.size() - 2);
  for (auto comma = inner.find(", "); comma != std::string_view::npos; comma = inner.find(", ")) {
    items.emplace_back(inner.substr(0, comma));
    inner.remove_prefix(comma + 2);
  }
  items.emplace_back(inner);
  return items;
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

// The stage a `COPY --from=STAGE` step reads, if it is one.
std::optional<std::string> copied_stage(const std::string& name) {
  auto close = name.find("] ");
  if (close == std::string::npos) return std::nullopt;
  std::string_view instruction = std::string_view(name).substr(close + 2);
  if (instruction.rfind("COPY ", 0) != 0) return std::nullopt;
  auto copy = dockerfile::parse_copy(instruction.substr(5));
  if (!copy || !copy->from) return std::nullopt;
  return copy->from;
}

// In each stage holding an edited COPY: the instructions before it, which the imported
// cache must have served. Empty when they were all cached. A `COPY --from` of a stage that
// holds an edited COPY counts as one: what that stage made may have changed with the edit
// (step 6's `COPY --from=poetry-export requirements.txt`, after a poetry.lock edit).
std::string uncached_before_edit(const std::vector<BuildStep>& steps,
                                 const std::vector<std::string>& edited) {
  std::map<std::string, int> first_edited;  // stage -> position of its first edited COPY
  auto mark = [&](const std::string& stage, int position) {
    auto [it, inserted] = first_edited.emplace(stage, position);
    if (!inserted && position < it->second) {
      it->second = position;
      return true;
    }
    return inserted;
  };
  for (const auto& step : steps) {
    auto copy = parse_copy_step(step.name);
    auto at = stage_position(step.name);
    if (!step.is_instruction() || !copy || !at) continue;
    for (const auto& file : edited) {
      if (copy_reads(*copy, file)) mark(at->first, at->second);
    }
  }
  // Through stages that copy from stages that copy from ...: until nothing moves.
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto& step : steps) {
      auto from = copied_stage(step.name);
      auto at = stage_position(step.name);
      if (!step.is_instruction() || !from || !at || !first_edited.count(*from)) continue;
      moved = mark(at->first, at->second) || moved;
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
  auto local = edits_dependencies(state) ? CacheState::kWarmDeps : CacheState::kWarmCode;
  if (auto broken = contract_violation(local, edited, steps); !broken.empty()) {
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
  if (name.rfind("COPY ", 0) != 0 && name.rfind("ADD ", 0) != 0) return std::nullopt;
  auto copy = dockerfile::parse_copy(name.substr(name.find(' ') + 1));
  if (copy && !copy->json) {
    if (auto items = go_slice(copy->operands)) {
      auto operands = copy->operands;
      copy = dockerfile::make_copy(copy->flags, std::move(*items), true);
      if (copy) copy->operands = operands;
    }
  }
  if (!copy || copy->from) return std::nullopt;  // another stage or image
  CopyStep step;
  step.instruction = std::string(name);
  step.copy = std::move(*copy);
  auto remote = std::remove_if(step.copy.sources.begin(), step.copy.sources.end(),
                               [](const std::string& s) { return dockerfile::is_remote(s); });
  step.copy.sources.erase(remote, step.copy.sources.end());
  if (step.copy.sources.empty()) return std::nullopt;
  for (const auto& source : step.copy.sources)
    step.sources.push_back(dockerfile::clean_path(source));
  return step;
}

bool copy_reads(const CopyStep& copy, std::string_view file) {
  return dockerfile::copy_reads(copy.copy, file);
}

std::vector<std::string> edited_files(const FileEdit& edit) {
  std::vector<std::string> files;
  for (const auto& [file, alternative] : edit.swap) files.push_back(file);
  if (!edit.file.empty()) files.push_back(edit.file);
  return files;
}

namespace {

// "[stage-0 1/5] FROM 127.0.0.1:5001/buildbench-base/python:3.11@sha256:..." names the image
// 127.0.0.1:5001/buildbench-base/python:3.11.
bool from_step_of(const BuildStep& step, const std::string& image) {
  auto close = step.name.find("] FROM ");
  if (step.name.empty() || step.name.front() != '[' || close == std::string::npos) return false;
  std::string_view named = std::string_view(step.name).substr(close + 7);
  named = named.substr(0, named.find_first_of("@ "));
  return named == image;
}

}  // namespace

std::string pull_violation(const std::vector<std::string>& images,
                           const std::vector<double>& layer_bytes,
                           const std::vector<BuildStep>& steps) {
  for (std::size_t i = 0; i < images.size(); ++i) {
    const std::string& image = images[i];
    auto from = std::find_if(steps.begin(), steps.end(),
                             [&](const BuildStep& step) { return from_step_of(step, image); });
    if (from == steps.end()) {
      return fmt::format(
          "cold-pull reported no FROM step for {}: the build did not use the registry's copy "
          "of its base image",
          printable(image));
    }
    if (from->pulled_bytes <= 0) {
      return fmt::format(
          "cold-pull's `FROM {}` downloaded no layer: the base came from the engine's own "
          "store, not the registry (does another tag or image still hold it?)",
          printable(image));
    }
    // The docker driver keeps a layer while any image holds it: a pull of a base whose layers
    // an image built on it still holds fetches its config (a few kB) and nothing else.
    double expected = i < layer_bytes.size() ? layer_bytes[i] : 0;
    if (from->pulled_bytes < expected / 2) {
      return fmt::format(
          "cold-pull's `FROM {}` downloaded {:.0f} bytes of its layers' {:.0f}: the rest was "
          "still in the building engine's store, held by an image built on it (on the run's "
          "engine, an earlier build on that base: give the run a --pull-engine of its own), so "
          "this was not a fresh runner's pull",
          printable(image), from->pulled_bytes, expected);
    }
  }
  return "";
}

std::string contract_violation(CacheState state, const std::vector<std::string>& edited,
                               const std::vector<BuildStep>& steps) {
  if (pulls_bases(state)) return contract_violation(CacheState::kCold, edited, steps);
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
