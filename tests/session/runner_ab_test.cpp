#include "session/runner.hpp"

#include <cmath>
#include <filesystem>

#include <catch2/catch.hpp>

#include "compare/compare.hpp"
#include "fake_engine.hpp"
#include "model/metrics.hpp"
#include "scenario/manifest.hpp"
#include "session/session_fixture.hpp"
#include "stats/power.hpp"
#include "util/error.hpp"

using namespace bb;
using bb::testing::basic_suite;
using bb::testing::FakeDockerEngine;
namespace fs = std::filesystem;

namespace {

using Harness = bb::testing::SessionHarness<AbRunner>;

AbOptions cold_pairs(int pairs) {
  AbOptions options;
  options.run.runs = pairs;
  options.run.states = {CacheState::kCold};
  options.run.startup_runs = 0;
  options.seed = 7;
  return options;
}

const StoredSample& by_id(const std::vector<StoredSample>& samples, std::int64_t id) {
  for (const auto& s : samples) {
    if (s.id == id) return s;
  }
  FAIL("no sample " << id);
  throw;
}

}  // namespace

TEST_CASE("ab: each pair runs back to back, in its recorded order, on its own image tags") {
  Harness h;
  auto result = h.runner.run(basic_suite(), basic_suite(), cold_pairs(4));
  auto base_run = h.store.run(result.baseline_run);
  auto cand_run = h.store.run(result.candidate_run);
  CHECK(base_run->status == "complete");
  CHECK(cand_run->labels.at("ab") == result.ab_id);
  CHECK(base_run->labels.at("side") == "baseline");
  CHECK(cand_run->labels.at("side") == "candidate");
  CHECK(cand_run->options["ab"]["seed"] == 7);
  CHECK(base_run->fingerprint == cand_run->fingerprint);

  auto pairs = h.store.pairs({result.baseline_run}, {result.candidate_run});
  REQUIRE(pairs.size() == 8);  // 2 scenarios x cold x 4
  CHECK(result.pairs == 8);
  auto samples = h.store.samples({result.baseline_run, result.candidate_run}, false);
  int baseline_first = 0;
  for (const auto& pair : pairs) {
    const auto& base = by_id(samples, pair.baseline_sample_id);
    const auto& cand = by_id(samples, pair.candidate_sample_id);
    CHECK(base.run_id == result.baseline_run);
    CHECK(cand.run_id == result.candidate_run);
    CHECK(base.sample.scenario == cand.sample.scenario);
    CHECK(base.sample.repetition == cand.sample.repetition);
    // Back to back: the two samples of a pair are consecutive, in the recorded order.
    std::int64_t first = pair.first == "baseline" ? base.id : cand.id;
    std::int64_t second = pair.first == "baseline" ? cand.id : base.id;
    CHECK(second == first + 1);
    baseline_first += pair.first == "baseline";
  }
  CHECK(baseline_first == 4);  // abba: balanced
  int candidate_tags = 0;
  for (const auto& call : h.engine.calls) {
    if (call.rfind("build ", 0) == 0 && call.find("-candidate:latest") != std::string::npos)
      ++candidate_tags;
  }
  CHECK(candidate_tags == 8);
  // Both sides read the layers of their own first cold image of each scenario.
  for (auto run : {result.baseline_run, result.candidate_run}) {
    int with_layers = 0;
    for (const auto& stored : h.store.samples({run}, false))
      with_layers += stored.sample.get(kImageCompressedBytes) != nullptr;
    CHECK(with_layers == 2);
  }
}

TEST_CASE("ab: rounds interleave scenarios and states, start-ups are paired too") {
  Harness h;
  AbOptions options = cold_pairs(2);
  options.run.states = {CacheState::kCold, CacheState::kWarmCode};
  options.run.startup_runs = 2;
  auto result = h.runner.run(basic_suite(), basic_suite(), options);
  auto samples = h.store.samples({result.baseline_run}, false);
  std::vector<std::string> order;
  for (const auto& s : samples) {
    order.push_back(s.sample.scenario + " " + s.sample.state + " " +
                    std::to_string(s.sample.repetition));
  }
  // Round 1: one's states (cold first), then two's; round 2 starts with two; then start-ups in
  // the modes both sides name: the fixture names none, so the probe's Python detection adds
  // no-bytecode, as in `run` (one session loop: ab measures what run measures).
  REQUIRE(order.size() == 8 + 8);
  CHECK(order[0] == "one cold 1");
  CHECK(order[1] == "one warm-code 1");
  CHECK(order[2] == "two cold 1");
  CHECK(order[4] == "two cold 2");
  CHECK(order[5] == "two warm-code 2");
  CHECK(order[8] == "one as-built 1");
  CHECK(order[9] == "one no-bytecode 1");
  CHECK(order[12] == "two no-bytecode 2");  // round 2: two first, its modes the other way
  auto pairs = h.store.pairs({result.baseline_run}, {result.candidate_run});
  CHECK(pairs.size() == 8 + 8);
  for (const auto& s : samples) CHECK(s.sample.status == SampleStatus::kOk);
}

TEST_CASE("ab: a scenario on one side only is left out, none in common is a usage error") {
  Harness h;
  Suite candidate = basic_suite();
  candidate.scenarios.pop_back();  // "two" only in the baseline
  auto result = h.runner.run(basic_suite(), candidate, cold_pairs(1));
  CHECK(h.store.pairs({result.baseline_run}, {result.candidate_run}).size() == 1);
  AbOptions options = cold_pairs(1);
  options.run.scenarios = {"two"};
  CHECK_THROWS_AS(h.runner.run(basic_suite(), candidate, options), UsageError);
}

TEST_CASE("ab: --detect takes a pilot, then the pairs its spread asks for") {
  Harness h;
  // Candidate builds vary by +-10% around the baseline: a spread that asks for many pairs.
  int build = 0;
  h.engine.seconds_for = [&](const BuildRequest& request) {
    bool candidate = request.tag.find("-candidate") != std::string::npos;
    return candidate ? 1.0 + 0.1 * ((build++ % 3) - 1) : 1.0;
  };
  AbOptions options = cold_pairs(0);
  options.run.scenarios = {"one"};
  options.detect = 0.05;
  options.max_pairs = 9;
  auto result = h.runner.run(basic_suite(), basic_suite(), options);
  CHECK(h.store.pairs({result.baseline_run}, {result.candidate_run}).size() == 9);

  Harness quiet;  // identical sides: no spread, the fewest pairs that can decide
  auto same = quiet.runner.run(basic_suite(), basic_suite(), options);
  CHECK(quiet.store.pairs({same.baseline_run}, {same.candidate_run}).size() == kFewestPairs);
}

TEST_CASE("ab: a paired compare of the two runs finds a 10% slowdown") {
  Harness h;
  h.engine.seconds_for = [](const BuildRequest& request) {
    return request.tag.find("-candidate") != std::string::npos ? 11.0 : 10.0;
  };
  auto result = h.runner.run(basic_suite(), basic_suite(), cold_pairs(6));
  auto pairs = h.store.pairs({result.baseline_run}, {result.candidate_run});
  auto base = h.store.samples({result.baseline_run}, false);
  auto cand = h.store.samples({result.candidate_run}, false);
  auto c = compare({*h.store.run(result.baseline_run)}, base, {*h.store.run(result.candidate_run)},
                   cand, {}, pairs);
  CHECK(c.paired);
  CHECK(c.most_pairs == 6);
  CHECK(c.pair_order == "abba");
  for (const auto& row : c.rows) {
    if (row.metric != "build_seconds") continue;
    CHECK(row.pairs == 6);
    CHECK(row.change_percent == Approx(10));
    CHECK(row.verdict == Verdict::kRegression);
  }
}

TEST_CASE("ab: each side's own labels go on its run only, over the shared ones") {
  Harness h;
  AbOptions options = cold_pairs(1);
  options.run.labels = {{"nightly", "2026-01-03"}, {"kind", "shared"}};
  options.baseline_labels = {{"kind", "nightly-baseline"}};
  options.candidate_labels = {{"kind", "nightly"}, {"commit", "5d6e7f8"}};
  auto result = h.runner.run(basic_suite(), basic_suite(), options);
  auto base_run = h.store.run(result.baseline_run);
  auto cand_run = h.store.run(result.candidate_run);
  CHECK(base_run->labels.at("kind") == "nightly-baseline");
  CHECK(base_run->labels.at("nightly") == "2026-01-03");
  CHECK(base_run->labels.count("commit") == 0);
  CHECK(cand_run->labels.at("kind") == "nightly");
  CHECK(cand_run->labels.at("commit") == "5d6e7f8");
  CHECK(cand_run->labels.at("side") == "candidate");
}
