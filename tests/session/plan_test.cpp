#include "session/plan.hpp"

#include <algorithm>
#include <filesystem>

#include <catch2/catch.hpp>

#include "scenario/manifest.hpp"
#include "util/error.hpp"

using namespace bb;
namespace fs = std::filesystem;

namespace {

Suite basic_suite() {
  return load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/basic");
}

std::vector<std::string> names(const std::vector<Visit>& visits) {
  std::vector<std::string> out;
  for (const auto& v : visits)
    out.push_back(v.unit->name() + " " + v.state + " #" + std::to_string(v.repetition) +
                  (v.warmup ? " warm-up" : ""));
  return out;
}

}  // namespace

TEST_CASE("plan: a one-side unit per scenario that supports a selected state, in protocol order") {
  Suite suite = basic_suite();
  RunOptions options;
  options.states = {CacheState::kWarmDeps, CacheState::kCold};
  auto units = single_units(suite, options);
  REQUIRE(units.size() == 2);
  CHECK(units[0].name() == "one");
  CHECK(units[0].states == std::vector<CacheState>{CacheState::kCold, CacheState::kWarmDeps});
  CHECK(units[1].states == std::vector<CacheState>{CacheState::kCold});  // two has no deps edit
  CHECK_FALSE(units[0].paired());
  CHECK(units[1].startup);  // a probe
  options.startup_runs = 0;
  CHECK_FALSE(single_units(suite, options)[1].startup);
  options.states = {CacheState::kWarmDeps};
  CHECK(single_units(suite, options).size() == 1);  // two supports none of them
}

TEST_CASE("plan: a two-side unit takes what both sides support, a one-sided name is skipped") {
  Suite baseline = basic_suite(), candidate = basic_suite();
  candidate.scenarios[1].name = "three";
  RunOptions options;
  std::vector<std::string> skipped;
  auto units = paired_units(baseline, candidate, options, skipped);
  REQUIRE(units.size() == 1);
  CHECK(units[0].paired());
  CHECK(units[0].legs[0].side == 0);
  CHECK(units[0].legs[1].side == 1);
  CHECK(skipped == std::vector<std::string>{"three"});
  options.scenarios = {"nowhere"};
  CHECK_THROWS_AS(paired_units(baseline, candidate, options, skipped), UsageError);
}

TEST_CASE("plan: rounds rotate the units, a unit's states run together, warm-ups once per round") {
  Suite suite = basic_suite();
  RunOptions options;
  options.runs = 2;
  options.warmup = 1;
  options.states = {CacheState::kCold, CacheState::kWarmCode};
  Plan plan(single_units(suite, options), options, {});
  CHECK(plan.order(1)[0]->name() == "one");
  CHECK(plan.order(2)[0]->name() == "two");
  const Unit& one = plan.units()[0];
  auto warmups = plan.build_visits(one, 1, false);
  CHECK(names(warmups) ==
        std::vector<std::string>{"one cold #1 warm-up", "one warm-code #1 warm-up"});
  for (const auto& v : warmups) plan.taken(v, 1.0);
  CHECK(plan.build_visits(one, 1, false).empty());  // taken: not planned again on a resume
  auto measured = plan.build_visits(one, 2, false);
  CHECK(names(measured) == std::vector<std::string>{"one cold #1", "one warm-code #1"});
  for (const auto& v : measured) plan.taken(v, 2.0);
  for (const auto& v : plan.build_visits(one, 3, false)) plan.taken(v, std::nullopt);  // failed
  CHECK(plan.tally().attempts({"one", SampleKind::kBuild, "cold"}) == 2);
  CHECK(plan.tally().values({"one", SampleKind::kBuild, "cold"}) == std::vector<double>{2.0});
  CHECK(plan.build_visits(one, 4, false).empty());  // runs = 2, failed attempts count
}

TEST_CASE("plan: pairs take a fixed count, or with --detect the pilot then what was decided") {
  Suite suite = basic_suite();
  RunOptions options;
  options.runs = 4;
  options.startup_runs = 7;
  std::vector<std::string> skipped;
  Plan plan(paired_units(suite, suite, options, skipped), options, {});
  GroupTally::Key cold{"one", SampleKind::kBuild, "cold"};
  CHECK(plan.target(cold).max_runs == 4);
  plan.use_pair_targets(std::nullopt);
  CHECK(plan.target(cold).max_runs == 4);
  CHECK(plan.target({"two", SampleKind::kStartup, "as-built"}).max_runs == 7);
  plan.use_pair_targets(3);
  CHECK(plan.target(cold).max_runs == 3);
  plan.decide(cold, 11);
  CHECK(plan.decided(cold));
  CHECK(plan.target(cold).min_runs == 11);
  CHECK(plan.target(cold).precision == 0);
}

TEST_CASE("plan: start-ups rotate units and modes by round, for units with a probe only") {
  Suite suite = basic_suite();
  RunOptions options;
  options.startup_runs = 2;
  Plan plan(single_units(suite, options), options, {});
  Unit& two = plan.units()[1];
  two.modes.push_back(builtin_startup_modes()[1]);  // as detection would add no-bytecode
  CHECK(names(plan.startup_visits(1)) ==
        std::vector<std::string>{"one as-built #1", "two as-built #1", "two no-bytecode #1"});
  CHECK(names(plan.startup_visits(2)) ==
        std::vector<std::string>{"two no-bytecode #1", "two as-built #1", "one as-built #1"});
  plan.units()[0].startup = false;  // no probe, or --startup-runs 0
  CHECK(names(plan.startup_visits(1)) ==
        std::vector<std::string>{"two as-built #1", "two no-bytecode #1"});
}

TEST_CASE("plan: an adaptive unit finishes its warm groups once its cold group has stopped") {
  Suite suite = basic_suite();
  RunOptions options;
  options.states = {CacheState::kCold, CacheState::kWarmCode};
  options.build_precision = 0.03;
  options.min_runs = 3;
  options.max_runs = 6;
  Plan plan(single_units(suite, options), options, {});
  const Unit& one = plan.units()[0];
  CHECK_FALSE(plan.finishes_warm_groups(one));
  for (int i = 0; i < 3; ++i) plan.taken({&one, SampleKind::kBuild, "cold", i + 1, false}, 10.0);
  CHECK(plan.finishes_warm_groups(one));  // three equal values: within +-3%
  CHECK(names(plan.build_visits(one, 4, true)) == std::vector<std::string>{"one warm-code #1"});
  RunOptions fixed = options;
  fixed.build_precision = 0;
  Plan fixed_plan(single_units(suite, fixed), fixed, {});
  CHECK_FALSE(fixed_plan.finishes_warm_groups(fixed_plan.units()[0]));
}

TEST_CASE("plan: a claim's groups are the ones its two scenarios are timed in") {
  auto claimed = claimed_groups(basic_suite());
  CHECK(claimed == std::set<GroupTally::Key>{{"one", SampleKind::kBuild, "cold"},
                                             {"two", SampleKind::kBuild, "cold"}});
  RunOptions options;
  options.build_precision = 0.10;
  Plan plan(single_units(basic_suite(), options), options, claimed);
  CHECK(plan.target({"one", SampleKind::kBuild, "cold"}).min_runs == 5);
  CHECK(plan.target({"one", SampleKind::kBuild, "warm-code"}).min_runs == 3);
}

TEST_CASE("plan: a one-side session visits scenarios in the suite's order, each once") {
  Suite suite = basic_suite();
  RunOptions options;
  options.scenarios = {"two", "one", "two"};
  auto units = single_units(suite, options);
  REQUIRE(units.size() == 2);
  CHECK(units[0].name() == "one");
  CHECK(units[1].name() == "two");
}

TEST_CASE(
    "plan: with a registry and a pull engine, a claim's cold-pull is measured for its two "
    "scenarios") {
  Suite suite = basic_suite();
  suite.scenarios.push_back(suite.scenarios[0]);
  suite.scenarios.back().name = "three";  // no claim reads it
  Claim claim = suite.claims.at(0);       // two against one
  claim.state = "cold-pull";
  suite.claims.push_back(claim);
  claim.state = "ci-registry-deps";  // exports a cache: left to --state (scripts/bench-ci)
  suite.claims.push_back(claim);
  auto has = [](const Unit& unit, CacheState state) {
    return std::find(unit.states.begin(), unit.states.end(), state) != unit.states.end();
  };
  RunOptions options;
  auto without_registry = single_units(suite, options);
  REQUIRE(without_registry.size() == 3);
  CHECK(without_registry[0].states ==
        in_protocol_order(without_registry[0].legs[0].scenario->supported_states()));
  // A registry alone: cold-pull would build on the run's engine, where images built on a base
  // hold its layers (a FROM fetched only the config), so it is not added.
  options.registry = "127.0.0.1:5000";
  for (const auto& unit : single_units(suite, options))
    CHECK_FALSE(has(unit, CacheState::kColdPull));
  options.pull_engine = "unix:///var/run/buildbench-pull.sock";
  auto units = single_units(suite, options);
  REQUIRE(units.size() == 3);
  CHECK(units[0].name() == "one");
  CHECK(units[0].states.back() == CacheState::kColdPull);
  CHECK(units[1].states == std::vector<CacheState>{CacheState::kCold, CacheState::kWarmNoChange,
                                                   CacheState::kWarmCode, CacheState::kColdPull});
  CHECK_FALSE(has(units[2], CacheState::kColdPull));
  for (const auto& unit : units) CHECK_FALSE(has(unit, CacheState::kCiRegistryDeps));
  // --state names the run's states exactly.
  options.states = {CacheState::kCold};
  CHECK(single_units(suite, options)[0].states == std::vector<CacheState>{CacheState::kCold});
}

TEST_CASE("plan: a scenario's opt_in states are measured on a claim's terms") {
  Suite suite = basic_suite();
  suite.claims.clear();
  suite.scenarios[1].opt_in = {CacheState::kColdPull, CacheState::kCiRegistry};
  auto has = [](const Unit& unit, CacheState state) {
    return std::find(unit.states.begin(), unit.states.end(), state) != unit.states.end();
  };
  RunOptions options;
  options.registry = "127.0.0.1:5000";  // no pull engine: cold-pull could not be a fresh runner's
  for (const auto& unit : single_units(suite, options)) {
    CHECK_FALSE(has(unit, CacheState::kColdPull));
    CHECK_FALSE(has(unit, CacheState::kCiRegistry));  // exports a cache: scripts/bench-ci
  }
  options.pull_engine = "unix:///var/run/buildbench-pull.sock";
  auto units = single_units(suite, options);
  REQUIRE(units.size() == 2);
  CHECK_FALSE(has(units[0], CacheState::kColdPull));
  CHECK(units[1].states.back() == CacheState::kColdPull);
  CHECK_FALSE(has(units[1], CacheState::kCiRegistry));
  options.states = {CacheState::kCold};  // --state names the run's states exactly
  CHECK(single_units(suite, options)[1].states == std::vector<CacheState>{CacheState::kCold});
}
