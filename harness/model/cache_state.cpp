#include "model/cache_state.hpp"

#include <algorithm>

#include "model/names.hpp"

namespace bb {

namespace {

constexpr NameTable<CacheState, 13> kNames = {{
    {CacheState::kCold, "cold"},
    {CacheState::kWarmNoChange, "warm-nochange"},
    {CacheState::kWarmCode, "warm-code"},
    {CacheState::kWarmDeps, "warm-deps"},
    {CacheState::kCiRegistry, "ci-registry"},
    {CacheState::kCiLocal, "ci-local"},
    {CacheState::kCiInline, "ci-inline"},
    {CacheState::kCiRegistryDeps, "ci-registry-deps"},
    {CacheState::kExportMin, "export-min"},
    {CacheState::kExportMax, "export-max"},
    {CacheState::kExportLocal, "export-local"},
    {CacheState::kExportInline, "export-inline"},
    {CacheState::kColdPull, "cold-pull"},
}};

}  // namespace

const std::vector<CacheState>& all_cache_states() {
  static const std::vector<CacheState> states = {CacheState::kCold, CacheState::kWarmNoChange,
                                                 CacheState::kWarmCode, CacheState::kWarmDeps};
  return states;
}

const std::vector<CacheState>& ci_cache_states() {
  // cold-pull first: a scenario's visit builds it right after the local states, before the CI
  // states that prime their own cache.
  static const std::vector<CacheState> states = {
      CacheState::kColdPull,  CacheState::kCiRegistry,     CacheState::kCiLocal,
      CacheState::kCiInline,  CacheState::kCiRegistryDeps, CacheState::kExportMin,
      CacheState::kExportMax, CacheState::kExportLocal,    CacheState::kExportInline};
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
  return std::string(name_in(kNames, state));
}

std::optional<CacheState> parse_cache_state(std::string_view text) {
  return value_in(kNames, text);
}

std::vector<std::string> names_of(const std::vector<CacheState>& states) {
  std::vector<std::string> names;
  for (auto state : states) names.push_back(to_string(state));
  return names;
}

std::vector<std::string> cache_state_names() {
  return names_of(every_cache_state());
}

}  // namespace bb
