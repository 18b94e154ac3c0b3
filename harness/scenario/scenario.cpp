#include "scenario/scenario.hpp"

#include <algorithm>

#include "model/metrics.hpp"

namespace bb {

const std::vector<CacheState>& all_cache_states() {
  static const std::vector<CacheState> states = {CacheState::kCold, CacheState::kWarmNoChange,
                                                 CacheState::kWarmCode, CacheState::kWarmDeps};
  return states;
}

const std::vector<CacheState>& ci_cache_states() {
  static const std::vector<CacheState> states = {CacheState::kCiRegistry,  CacheState::kCiLocal,
                                                 CacheState::kCiInline,    CacheState::kExportMin,
                                                 CacheState::kExportMax,   CacheState::kExportLocal,
                                                 CacheState::kExportInline};
  return states;
}

const std::vector<CacheState>& every_cache_state() {
  static const std::vector<CacheState> states = [] {
    std::vector<CacheState> all = all_cache_states();
    all.insert(all.end(), ci_cache_states().begin(), ci_cache_states().end());
    return all;
  }();
  return states;
}

std::vector<CacheState> in_protocol_order(std::vector<CacheState> states) {
  const auto& order = every_cache_state();
  auto rank = [&](CacheState s) {
    return std::find(order.begin(), order.end(), s) - order.begin();
  };
  std::stable_sort(states.begin(), states.end(),
                   [&](CacheState a, CacheState b) { return rank(a) < rank(b); });
  return states;
}

std::string to_string(CacheState state) {
  switch (state) {
    case CacheState::kCold:
      return "cold";
    case CacheState::kWarmNoChange:
      return "warm-nochange";
    case CacheState::kWarmCode:
      return "warm-code";
    case CacheState::kWarmDeps:
      return "warm-deps";
    case CacheState::kCiRegistry:
      return "ci-registry";
    case CacheState::kCiLocal:
      return "ci-local";
    case CacheState::kCiInline:
      return "ci-inline";
    case CacheState::kExportMin:
      return "export-min";
    case CacheState::kExportMax:
      return "export-max";
    case CacheState::kExportLocal:
      return "export-local";
    case CacheState::kExportInline:
      return "export-inline";
  }
  return "?";
}

std::optional<CacheState> parse_cache_state(std::string_view text) {
  for (auto state : every_cache_state()) {
    if (to_string(state) == text) return state;
  }
  return std::nullopt;
}

std::vector<std::string> cache_state_names() {
  std::vector<std::string> names;
  for (auto state : every_cache_state()) names.push_back(to_string(state));
  return names;
}

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
  return code_edit && std::find(ci.begin(), ci.end(), state) != ci.end();
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

std::set<std::pair<std::string, std::string>> timed_claim_groups(const std::vector<Claim>& claims) {
  std::set<std::pair<std::string, std::string>> groups;
  for (const auto& claim : claims) {
    const MetricInfo* info = find_metric(claim.metric);
    if (!info || info->kind != MetricKind::kTime || claim.state.empty()) continue;
    groups.insert({claim.subject, claim.state});
    groups.insert({claim.baseline, claim.state});
  }
  return groups;
}

}  // namespace bb
