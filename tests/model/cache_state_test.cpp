// The cache states' one table of names, and the lists drawn from it.
#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

#include "model/cache_state.hpp"

using namespace bb;

TEST_CASE("cache state: every state's name parses back to it, and names are distinct") {
  std::set<std::string> names;
  for (auto state : every_cache_state()) {
    CHECK(parse_cache_state(to_string(state)) == state);
    names.insert(to_string(state));
  }
  CHECK(names.size() == every_cache_state().size());
  CHECK(to_string(CacheState::kCold) == "cold");
  CHECK(to_string(CacheState::kWarmNoChange) == "warm-nochange");
  CHECK(to_string(CacheState::kExportInline) == "export-inline");
}

TEST_CASE("cache state: an unknown name parses to nothing") {
  CHECK_FALSE(parse_cache_state("warm").has_value());
  CHECK_FALSE(parse_cache_state("as-built").has_value());  // a start-up mode, not a state
  CHECK_FALSE(parse_cache_state("").has_value());
}

TEST_CASE("cache state: the default states, then the CI ones, in protocol order") {
  CHECK(names_of(all_cache_states()) ==
        std::vector<std::string>{"cold", "warm-nochange", "warm-code", "warm-deps"});
  // A fresh runner's cold build first: it prunes, and the CI states after it prime their own.
  CHECK(names_of(ci_cache_states()).front() == "cold-pull");
  CHECK(names_of(ci_cache_states())[1] == "ci-registry");
  CHECK(every_cache_state().size() == all_cache_states().size() + ci_cache_states().size());
  CHECK(cache_state_names() == names_of(every_cache_state()));
  auto ordered =
      in_protocol_order({CacheState::kExportMin, CacheState::kWarmCode, CacheState::kCold});
  CHECK(ordered ==
        std::vector<CacheState>{CacheState::kCold, CacheState::kWarmCode, CacheState::kExportMin});
}
