#pragma once
// The cache states a build is measured in, and their names: the text --state takes, the store
// keeps and every page and comparison shows.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bb {

enum class CacheState {
  kCold,
  kWarmNoChange,
  kWarmCode,
  kWarmDeps,
  // What CI runners live in (opt-in with --state, see measure/ci_cache.hpp): an empty builder
  // that imports the previous build's cache, and the same code edit built with a cache export.
  kCiRegistry,
  kCiLocal,
  kCiInline,
  kCiRegistryDeps,  // ci-registry's fresh runner, after a dependency edit instead
  kExportMin,
  kExportMax,
  kExportLocal,
  kExportInline,
  // A fresh runner's cold build (opt-in, needs --registry): cold, with the scenario's base
  // images absent from the engine and pulled from the registry by the build.
  kColdPull,
};
// The states `run` measures by default.
const std::vector<CacheState>& all_cache_states();
// The states in the order every_cache_state() lists them (cold first): a scenario's states run
// in this order, so its warm states prime on the cache its cold build filled.
std::vector<CacheState> in_protocol_order(std::vector<CacheState> states);
// The CI cache states, a fresh runner's cold build first: measured only when named with
// --state (or by a claim of the suite, session/plan).
const std::vector<CacheState>& ci_cache_states();
// Both lists: every name --state accepts.
const std::vector<CacheState>& every_cache_state();
std::string to_string(CacheState state);
std::optional<CacheState> parse_cache_state(std::string_view text);
std::vector<std::string> names_of(const std::vector<CacheState>& states);
std::vector<std::string> cache_state_names();  // names_of(every_cache_state())

}  // namespace bb
