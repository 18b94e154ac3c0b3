#include "session/session.hpp"

#include <filesystem>

#include <catch2/catch.hpp>

#include "fake_engine.hpp"
#include "scenario/manifest.hpp"
#include "session/describe.hpp"
#include "session/session_fixture.hpp"
#include "util/error.hpp"

using namespace bb;
using bb::testing::basic_suite;
using bb::testing::FakeDockerEngine;
namespace fs = std::filesystem;

namespace {

using Harness = bb::testing::SessionHarness<Session>;

}  // namespace

TEST_CASE("session: a pair of two scenarios of one side runs back to back, stored as pairs") {
  // The visit a claim's two sides need: no second run, legs on one side, an order recorded.
  Harness h;
  Suite suite = basic_suite();
  RunOptions options;
  options.runs = 4;
  options.startup_runs = 0;
  options.states = {CacheState::kCold};
  Unit unit;
  unit.legs = {{0, &suite.scenarios[0], false}, {0, &suite.scenarios[1], false}};
  unit.states = {CacheState::kCold};
  Plan plan({unit}, options, {});
  std::vector<Side> sides(1);
  sides[0].suite = &suite;
  sides[0].options = options;
  RunRecord record = describe_run(h.engine, h.progress, suite, options);
  sides[0].run_id = h.store.begin_run(record);
  h.runner.begin();
  h.runner.run(sides, plan, std::nullopt, "test");
  CHECK(h.store.run(sides[0].run_id)->status == "complete");
  auto samples = h.store.samples({sides[0].run_id}, false);
  REQUIRE(samples.size() == 8);
  auto pairs = h.store.pairs({sides[0].run_id}, {sides[0].run_id});
  REQUIRE(pairs.size() == 4);
  std::map<std::int64_t, const StoredSample*> by_id;
  for (const auto& s : samples) by_id[s.id] = &s;
  int one_first = 0;
  for (const auto& pair : pairs) {
    CHECK(by_id.at(pair.baseline_sample_id)->sample.scenario == "one");
    CHECK(by_id.at(pair.candidate_sample_id)->sample.scenario == "two");
    one_first += pair.first == "baseline";
    auto first = pair.first == "baseline" ? pair.baseline_sample_id : pair.candidate_sample_id;
    auto second = pair.first == "baseline" ? pair.candidate_sample_id : pair.baseline_sample_id;
    CHECK(second == first + 1);  // back to back
  }
  CHECK(one_first == 2);  // abba: each block of two pairs both ways
  CHECK(plan.tally().values({"one", SampleKind::kBuild, "cold"}).size() == 4);  // log ratios
}

TEST_CASE("session: what a session cannot honour is refused before a run is recorded") {
  FakeDockerEngine engine;
  Suite suite = basic_suite();
  std::vector<const Scenario*> scenarios = {&suite.scenarios[0]};
  RunOptions options;
  options.states = {CacheState::kCiRegistry};
  CHECK_THROWS_WITH(check_session(engine, false, options, scenarios),
                    Catch::Contains("needs a registry") && Catch::Contains("--registry"));
  options.states = {CacheState::kColdPull};  // a fresh runner pulls its bases from it
  CHECK_THROWS_AS(check_session(engine, false, options, scenarios), UsageError);
  CHECK_THROWS_WITH(check_session(engine, false, options, scenarios),
                    Catch::Contains("--state cold-pull needs a registry: add --registry"));
  options.states = {};
  options.network_profile = "dial-up";
  CHECK_THROWS_WITH(check_session(engine, false, options, scenarios),
                    Catch::Contains("--network-profile 'dial-up'"));
  options.network_profile = "loopback";
  CHECK_NOTHROW(check_session(engine, false, options, scenarios));
}

TEST_CASE("session: two sides share one package index, or are refused") {
  Suite a = basic_suite(), b = basic_suite();
  CHECK_FALSE(shared_index({&a, &b}));
  a.index = fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures";
  CHECK(shared_index({&a, &b}) == a.index);
  b.index = fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/../fixtures";
  CHECK(shared_index({&a, &b}) == a.index);  // the same folder, spelled otherwise
  b.index = fs::path(BUILDBENCH_SOURCE_DIR) / "tests";
  CHECK_THROWS_WITH(shared_index({&a, &b}), Catch::Contains("different package indexes"));
}
