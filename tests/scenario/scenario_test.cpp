// Cache states by name and order, what a scenario supports from the edits it declares, and
// which groups a suite's claims compare on a time.
#include "scenario/scenario.hpp"

#include <catch2/catch.hpp>

using namespace bb;

TEST_CASE("scenario: every cache state's name parses back to it, and the defaults exclude CI") {
  for (auto state : every_cache_state()) CHECK(parse_cache_state(to_string(state)) == state);
  CHECK(cache_state_names() ==
        std::vector<std::string>{"cold", "warm-nochange", "warm-code", "warm-deps", "cold-pull",
                                 "ci-registry", "ci-local", "ci-inline", "ci-registry-deps",
                                 "export-min", "export-max", "export-local", "export-inline"});
  CHECK(all_cache_states().size() == 4);
  CHECK_FALSE(parse_cache_state("Cold"));
  CHECK_FALSE(parse_cache_state("warm"));
  CHECK(in_protocol_order({CacheState::kExportMax, CacheState::kWarmCode, CacheState::kCold}) ==
        std::vector<CacheState>{CacheState::kCold, CacheState::kWarmCode, CacheState::kExportMax});
}

TEST_CASE("scenario: the edits a scenario declares decide its warm states, CI ones need code") {
  Scenario bare;
  CHECK(bare.supported_states() ==
        std::vector<CacheState>{CacheState::kCold, CacheState::kWarmNoChange});
  CHECK_FALSE(bare.supports(CacheState::kWarmCode));
  CHECK_FALSE(bare.supports(CacheState::kCiRegistry));
  Scenario code;
  code.code_edit = FileEdit{};
  CHECK(code.supports(CacheState::kWarmCode));
  CHECK_FALSE(code.supports(CacheState::kWarmDeps));
  CHECK(code.supports(CacheState::kCiRegistry));
  CHECK(code.supports(CacheState::kExportInline));
  // Supported, but still opt-in: never in the list `run` takes by default.
  CHECK(code.supported_states().size() == 3);
  Scenario deps;
  deps.deps_edit = FileEdit{};
  CHECK(deps.supports(CacheState::kWarmDeps));
  CHECK_FALSE(deps.supports(CacheState::kCiLocal));
}

TEST_CASE("scenario: start-up modes, their old names, and a suite's lookups") {
  const auto& modes = builtin_startup_modes();
  REQUIRE(modes.size() == 2);
  CHECK(modes[0].name == "as-built");
  CHECK_FALSE(modes[0].python);
  CHECK(modes[1].name == "no-bytecode");
  CHECK(modes[1].python);
  CHECK(modes[1].env.at("PYTHONDONTWRITEBYTECODE") == "1");
  CHECK(current_mode_name("bytecode") == "as-built");
  CHECK(current_mode_name("none") == "no-bytecode");
  CHECK(current_mode_name("no-jit") == "no-jit");
  Suite suite;
  suite.scenarios.resize(2);
  suite.scenarios[0].name = "one";
  suite.scenarios[1].name = "two";
  suite.modes = modes;
  CHECK(suite.names() == std::vector<std::string>{"one", "two"});
  CHECK(suite.find("two") == &suite.scenarios[1]);
  CHECK(suite.find("three") == nullptr);
  CHECK(suite.find_mode("no-bytecode") == &suite.modes[1]);
  CHECK(suite.find_mode("bytecode") == nullptr);
}

TEST_CASE("scenario: a claim on a time names two groups, sizes and stateless claims none") {
  Claim cold{"c1", "", "step-4", "step-3", "build_seconds", "cold", "less"};
  Claim start{"c2", "", "final", "extra-2", "ready_seconds", "as-built", "less"};
  Claim size{"c3", "", "step-4", "step-3", "image_bytes", "", "less"};
  Claim unknown{"c4", "", "a", "b", "no_such_metric", "cold", "less"};
  CHECK(timed_claim_groups({cold, start, size, unknown}) ==
        std::set<GroupKey>{{"step-4", SampleKind::kBuild, "cold"},
                           {"step-3", SampleKind::kBuild, "cold"},
                           {"final", SampleKind::kStartup, "as-built"},
                           {"extra-2", SampleKind::kStartup, "as-built"}});
}
