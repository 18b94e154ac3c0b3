#include "scenario/scenario.hpp"

#include <algorithm>

#include "model/metrics.hpp"

namespace bb {

const std::vector<StartupMode>& builtin_startup_modes() {
  static const std::vector<StartupMode> modes = {
      {std::string(kAsBuilt), "as built", "the image as built, nothing added", {}, {}, false},
      // A folder that never exists: Python then finds no stored bytecode at all.
      {"no-bytecode",
       "no .pyc",
       "\"no .pyc\" starts the same image with PYTHONPYCACHEPREFIX pointing at an empty folder "
       "and PYTHONDONTWRITEBYTECODE=1, so every module is compiled at start-up",
       {{"PYTHONPYCACHEPREFIX", "/nonexistent/buildbench-empty-pycache"},
        {"PYTHONDONTWRITEBYTECODE", "1"}},
       {},
       true},
  };
  return modes;
}

std::string current_mode_name(std::string_view name) {
  if (name == "bytecode") return std::string(kAsBuilt);
  if (name == "none") return "no-bytecode";
  return std::string(name);
}

std::vector<CacheState> Scenario::supported_states() const {
  std::vector<CacheState> states = {CacheState::kCold, CacheState::kWarmNoChange};
  if (code_edit) states.push_back(CacheState::kWarmCode);
  if (deps_edit) states.push_back(CacheState::kWarmDeps);
  return states;
}

bool Scenario::supports(CacheState state) const {
  auto states = supported_states();
  if (std::find(states.begin(), states.end(), state) != states.end()) return true;
  const auto& ci = ci_cache_states();
  if (std::find(ci.begin(), ci.end(), state) == ci.end()) return false;
  if (state == CacheState::kColdPull) return true;  // a cold build: no edit
  return state == CacheState::kCiRegistryDeps ? deps_edit.has_value() : code_edit.has_value();
}

const Scenario* Suite::find(std::string_view name) const {
  for (const auto& scenario : scenarios) {
    if (scenario.name == name) return &scenario;
  }
  return nullptr;
}

const StartupMode* Suite::find_mode(std::string_view name) const {
  for (const auto& mode : modes) {
    if (mode.name == name) return &mode;
  }
  return nullptr;
}

std::vector<std::string> Suite::names() const {
  std::vector<std::string> names;
  for (const auto& scenario : scenarios) names.push_back(scenario.name);
  return names;
}

std::string claim_key(const Claim& claim) {
  return claim.setting.empty() ? claim.id : claim.id + " (" + claim.state + ")";
}

ClaimSetting default_setting(CacheState state) {
  switch (state) {
    case CacheState::kCold:
      return {"from an empty builder", "nothing is cached: every step runs"};
    case CacheState::kWarmNoChange:
    case CacheState::kWarmCode:
    case CacheState::kWarmDeps:
      return {"on the developer's machine",
              "the builder keeps its cache between builds, cache mounts included"};
    case CacheState::kColdPull:
      return {"on a fresh runner",
              "nothing is cached and every base image is pulled from the registry first"};
    case CacheState::kCiRegistry:
    case CacheState::kCiLocal:
    case CacheState::kCiInline:
    case CacheState::kCiRegistryDeps:
      return {"in CI with an imported cache",
              "the imported cache holds the previous build's layers but no cache mount: "
              "BuildKit does not export cache mounts (moby/buildkit#1474)"};
    default:
      return {"in CI exporting its cache", "the build pays for writing its cache"};
  }
}

std::set<GroupKey> timed_claim_groups(const std::vector<Claim>& claims) {
  std::set<GroupKey> groups;
  for (const auto& claim : claims) {
    const MetricInfo* info = find_metric(claim.metric);
    if (!info || info->kind != MetricKind::kTime || claim.state.empty()) continue;
    groups.insert({claim.subject, info->sample_kind, claim.state});
    groups.insert({claim.baseline, info->sample_kind, claim.state});
  }
  return groups;
}

}  // namespace bb
