// A suite's claims measured as pairs by `run`: which units the plan forms, the visits back to
// back in a stored order, the sequential boundary of the adaptive design, resume and budget.
#include <chrono>
#include <map>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "compare/claims.hpp"
#include "session/runner.hpp"
#include "session/session_fixture.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

using namespace bb;
using bb::testing::basic_suite;
using namespace std::chrono_literals;

namespace {

using Harness = bb::testing::SessionHarness<Runner>;

bool builds(const BuildRequest& request, const std::string& scenario) {
  return request.tag.rfind("buildbench/" + scenario + "-", 0) == 0;
}

// The basic suite with its claim turned round: "two builds slower than one".
Suite slower_suite() {
  Suite suite = basic_suite();
  suite.claims[0].id = "two-slower";
  suite.claims[0].relation = "greater";
  return suite;
}

RunOptions cold_only() {
  RunOptions options;
  options.startup_runs = 0;
  options.image_stats = false;
  options.states = {CacheState::kCold};
  return options;
}

RunOptions sequential_cold() {
  RunOptions options = cold_only();
  options.build_precision = 0.03;
  options.claim_max_runs = 20;  // looks at 6, 11, 15 and 20 pairs
  return options;
}

// Each build's seconds: `one` around 10 s and `two` around 10 s times `ratio`, both with a
// seeded relative noise of `noise`, each scenario's from its own stream: the values do not
// depend on the pairs' order, which the run draws.
void builds_take(Harness& h, double ratio, double noise, unsigned seed) {
  h.engine.seconds_for = [ratio, noise, one = std::mt19937(seed),
                          two = std::mt19937(seed + 1)](const BuildRequest& r) mutable {
    std::normal_distribution<double> jitter(1.0, noise);
    bool second = builds(r, "two");
    return (second ? 10.0 * ratio : 10.0) * jitter(second ? two : one);
  };
}

nlohmann::json claim_record(const RunRecord& run) {
  return run.options.at("claim_pairs");
}

ClaimResult judged(Harness& h, std::int64_t run_id, const Suite& suite) {
  auto run = h.store.run(run_id);
  auto samples = h.store.samples({run_id}, false);
  auto pairs =
      claim_pairs(suite.claims, samples, h.store.pairs({run_id}, {run_id}), claim_record(*run));
  REQUIRE(pairs.count(suite.claims[0].id) == 1);
  return judge_paired_claim(suite.claims[0], pairs.at(suite.claims[0].id), CompareOptions{});
}

}  // namespace

TEST_CASE("claim pairs: the plan forms a pair unit for a claim, not for unclaimed states") {
  Suite suite = basic_suite();  // claim: two's cold build against one's
  RunOptions options = cold_only();
  options.runs = 6;
  options.states = {CacheState::kCold, CacheState::kWarmCode};
  auto units = run_units(suite, options);
  REQUIRE(units.size() == 3);
  // The single units keep their other states; the claim's state is in its pairs only.
  CHECK(units[0].name() == "one");
  CHECK(units[0].states == std::vector<CacheState>{CacheState::kWarmCode});
  CHECK(units[1].name() == "two");
  CHECK(units[1].states == std::vector<CacheState>{CacheState::kWarmCode});
  const Unit& pair = units[2];
  CHECK(pair.claim == "two-faster");
  CHECK(pair.name() == "claim:two-faster");
  REQUIRE(pair.legs.size() == 2);
  CHECK(pair.legs[0].scenario->name == "one");  // the claim's baseline first: pairs' baseline
  CHECK(pair.legs[1].scenario->name == "two");
  CHECK(pair.states == std::vector<CacheState>{CacheState::kCold});
  CHECK_FALSE(pair.startup);
  // Not selected: no pairs, and the scenario's cold builds run on their own.
  options.scenarios = {"two"};
  units = run_units(suite, options);
  REQUIRE(units.size() == 1);
  CHECK(units[0].states.size() == 2);
  options.scenarios = {};
  options.states = {CacheState::kWarmCode};
  CHECK(claim_units(suite, options).empty());
  // Five pairs could never be significant (their smallest p is 0.0625): unpaired, as before.
  options.states = {CacheState::kCold};
  options.runs = 5;
  CHECK(claim_units(suite, options).empty());
  options.runs = 6;
  CHECK(claim_units(suite, options).size() == 1);
}

TEST_CASE("claim pairs: a scenario in two claims of a state is built in each claim's pairs") {
  Suite suite = basic_suite();
  suite.scenarios.push_back(suite.scenarios[1]);
  suite.scenarios.back().name = "three";
  Claim second = suite.claims[0];
  second.id = "three-faster";
  second.subject = "three";
  second.baseline = "two";
  suite.claims.push_back(second);
  suite.claims.push_back(suite.claims[0]);  // the same claim said twice: one unit
  suite.claims.back().id = "again";
  Harness h;
  RunOptions options = cold_only();
  options.runs = 6;
  auto units = claim_units(suite, options);
  REQUIRE(units.size() == 2);
  auto run_id = h.runner.run(suite, options);
  std::map<std::string, int> count;
  for (const auto& s : h.store.samples({run_id}, false)) ++count[s.sample.scenario];
  CHECK(count["one"] == 6);
  CHECK(count["two"] == 12);  // in both claims' pairs: its group holds both
  CHECK(count["three"] == 6);
  CHECK(h.store.pairs({run_id}, {run_id}).size() == 12);
  auto samples = h.store.samples({run_id}, false);
  auto pairs = claim_pairs(suite.claims, samples, h.store.pairs({run_id}, {run_id}),
                           claim_record(*h.store.run(run_id)));
  CHECK(pairs.at("two-faster").values.size() == 6);
  CHECK(pairs.at("three-faster").values.size() == 6);
  CHECK(pairs.at("again").values.size() == 6);
}

TEST_CASE("claim pairs: the fixed design takes --runs pairs, back to back, abba, recorded") {
  Harness h;
  RunOptions options = cold_only();
  options.runs = 6;
  Suite suite = basic_suite();
  auto run_id = h.runner.run(suite, options);
  auto samples = h.store.samples({run_id}, false);
  REQUIRE(samples.size() == 12);
  auto pairs = h.store.pairs({run_id}, {run_id});
  REQUIRE(pairs.size() == 6);
  std::map<std::int64_t, const Sample*> by_id;
  for (const auto& s : samples) by_id[s.id] = &s.sample;
  int one_first = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    CHECK(by_id.at(pairs[i].baseline_sample_id)->scenario == "one");
    CHECK(by_id.at(pairs[i].candidate_sample_id)->scenario == "two");
    CHECK(std::max(pairs[i].baseline_sample_id, pairs[i].candidate_sample_id) ==
          std::min(pairs[i].baseline_sample_id, pairs[i].candidate_sample_id) + 1);
    one_first += pairs[i].first == "baseline";
    if (i % 2 == 1) CHECK(pairs[i].first != pairs[i - 1].first);  // each block both ways
  }
  CHECK(one_first == 3);
  auto record = claim_record(*h.store.run(run_id));
  CHECK(record.at("design") == "fixed");
  CHECK(record.at("max_pairs") == 6);
  CHECK(record.at("order") == "abba");
  CHECK(record.at("pairs_id") == pairs[0].ab_id);
  auto result = judged(h, run_id, suite);
  CHECK(result.pairs == 6);
  CHECK(result.looks == 0);  // judged once
}

TEST_CASE("claim pairs: a second scenario 10% slower stops at an early look, confirmed") {
  Harness h;
  builds_take(h, 1.10, 0.01, 11);
  Suite suite = slower_suite();
  auto run_id = h.runner.run(suite, sequential_cold());
  CHECK(claim_looks(sequential_cold()) == std::vector<int>{6, 11, 15, 20});
  // Six pairs all one way give p = 2/64 (|z| 2.15), far inside the first look's boundary;
  // eleven give p = 2/2048 (|z| 3.30), beyond the second's (about 2.8).
  auto pairs = h.store.pairs({run_id}, {run_id});
  CHECK(pairs.size() == 11);
  auto stop = claim_record(*h.store.run(run_id)).at("claims").at("two-slower");
  CHECK(stop.at("decision") == "crossed");
  CHECK(stop.at("look") == 2);
  CHECK(stop.at("looks") == 4);
  CHECK(stop.at("pairs") == 11);
  auto result = judged(h, run_id, suite);
  CHECK(result.verdict == ClaimVerdict::kConfirmed);
  CHECK(result.beyond_delta);  // about +10%, the interval beyond 3%
  CHECK(result.pairs == 11);
  CHECK(result.look == 2);
  CHECK(result.looks == 4);
}

TEST_CASE("claim pairs: an A/A claim runs its pairs to the last look, and is not confirmed") {
  Harness h;
  builds_take(h, 1.0, 0.03, 5);
  Suite suite = slower_suite();
  auto run_id = h.runner.run(suite, sequential_cold());
  CHECK(h.store.pairs({run_id}, {run_id}).size() == 20);
  auto stop = claim_record(*h.store.run(run_id)).at("claims").at("two-slower");
  CHECK(stop.at("decision") == "final");
  CHECK(stop.at("look") == 4);
  auto result = judged(h, run_id, suite);
  INFO(stop.dump() << " " << result.reason << " " << result.change_percent << " p "
                   << result.p_value);
  CHECK(result.verdict != ClaimVerdict::kConfirmed);
  CHECK(result.verdict != ClaimVerdict::kRefutedOtherWay);
  CHECK(result.pairs == 20);
}

TEST_CASE("claim pairs: --resume continues the pairs a run stored, its blocks completed") {
  Harness h;
  int taken = 0;
  h.engine.on_build = [&] {
    // The third pair's first leg: the fake finishes its visit, so three pairs are stored.
    if (++taken == 5) interrupt::request_for_test(15);
  };
  RunOptions options = cold_only();
  options.runs = 6;
  Suite suite = basic_suite();
  CHECK_THROWS_AS(h.runner.run(suite, options), Interrupted);
  interrupt::reset_for_test();
  auto run = h.store.runs().at(0);
  REQUIRE(run.status == "interrupted");
  CHECK(h.store.pairs({run.id}, {run.id}).size() == 3);
  auto id_before = claim_record(run).at("pairs_id");
  h.engine.on_build = nullptr;
  int builds_before = h.engine.builds;
  auto id = h.runner.run(suite, resumed_options(run, {}));
  CHECK(id == run.id);
  auto pairs = h.store.pairs({id}, {id});
  REQUIRE(pairs.size() == 6);
  CHECK(h.engine.builds - builds_before == 6);  // the three pairs missing, both legs of each
  CHECK(pairs[2].first != pairs[3].first);      // the block begun before the resume, completed
  CHECK(claim_record(*h.store.run(id)).at("pairs_id") == id_before);
  CHECK(judged(h, id, suite).pairs == 6);
}

TEST_CASE("claim pairs: the budget counts a pair as two builds") {
  Harness h;
  std::chrono::steady_clock::time_point now{};
  h.progress.use_clock([&] { return now; });
  h.engine.seconds_for = [&](const BuildRequest&) {
    now += 10s;
    return 10.0;
  };
  RunOptions options = sequential_cold();
  options.budget = 45s;
  auto run_id = h.runner.run(basic_suite(), options);
  // Pairs at 0-20 s and 20-40 s; a third (20 s) would end at 60 s, past 45 s and one build.
  CHECK(h.store.pairs({run_id}, {run_id}).size() == 2);
  CHECK(std::chrono::duration<double>(now.time_since_epoch()).count() == 40);
  auto run = h.store.run(run_id);
  CHECK(run->status == "complete");
  REQUIRE(run->short_of_target.size() == 2);  // the claim's two groups, as the page reads them
  CHECK(run->short_of_target[0].group == GroupKey{"one", SampleKind::kBuild, "cold"});
  CHECK(run->short_of_target[0].runs == 2);
  CHECK(run->short_of_target[1].group == GroupKey{"two", SampleKind::kBuild, "cold"});
  // The pairs ended short of their first look: their last look is at 2 pairs.
  CHECK(claim_record(*run).at("claims").at("two-faster").at("pairs") == 2);
}
