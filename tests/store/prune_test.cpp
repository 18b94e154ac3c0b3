// prune-history's choice of runs and the summaries that replace their samples.
#include <cmath>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "store/prune.hpp"

using namespace bb;

namespace {

RunRecord run_record(std::int64_t id, const std::string& status = "complete", bool pruned = false) {
  RunRecord run;
  run.id = id;
  run.status = status;
  run.pruned = pruned;
  return run;
}

StoredSample sample(const std::string& scenario, const std::string& state, double seconds) {
  StoredSample stored;
  stored.sample.scenario = scenario;
  stored.sample.state = state;
  stored.sample.set("build_seconds", seconds);
  return stored;
}

}  // namespace

TEST_CASE("store: prune-history keeps the newest runs and skips pruned and running ones") {
  std::vector<RunRecord> runs = {run_record(1),
                                 run_record(2, "complete", true),
                                 run_record(3, "running"),
                                 run_record(4, "interrupted"),
                                 run_record(5),
                                 run_record(6)};
  CHECK(runs_to_prune(runs, 2) == std::vector<std::int64_t>{1, 4});
  CHECK(runs_to_prune(runs, 3) == std::vector<std::int64_t>{1});
  CHECK(runs_to_prune(runs, 6).empty());
  CHECK(runs_to_prune(runs, 100).empty());
  CHECK(runs_to_prune({}, 1).empty());
}

TEST_CASE("store: prune-history summarizes each scenario, kind, state and metric apart") {
  std::vector<StoredSample> samples;
  for (double seconds : {3.0, 1.0, 2.0}) samples.push_back(sample("a", "cold", seconds));
  StoredSample warmup = sample("a", "cold", 100);
  warmup.sample.warmup = true;
  samples.push_back(warmup);
  StoredSample failed = sample("a", "cold", 0);
  failed.sample.status = SampleStatus::kFailed;
  failed.sample.metrics.clear();
  samples.push_back(failed);
  for (double seconds : {6.0, 5.0, 4.0, 1.0, 2.0, 3.0}) {
    samples.push_back(sample("a", "warm-code", seconds));
  }
  StoredSample startup = sample("a", "as-built", 0);
  startup.sample.kind = SampleKind::kStartup;
  startup.sample.metrics = {{"ready_seconds", 0.5}, {"startup_seconds", 0.75}};
  samples.push_back(startup);

  auto rows = prune_summaries(7, samples);
  REQUIRE(rows.size() == 4);  // ordered by GroupKey (scenario, state, kind), then metric
  for (const auto& row : rows) CHECK(row.run_id == 7);

  CHECK(rows[0].key.group.kind == SampleKind::kStartup);
  CHECK(rows[0].key.metric == "ready_seconds");
  CHECK(rows[0].median == 0.5);
  CHECK(rows[1].key.metric == "startup_seconds");
  CHECK(rows[1].count == 1);

  const auto& cold = rows[2];
  CHECK(cold.key.group.kind == SampleKind::kBuild);
  CHECK(cold.key.group.state == "cold");
  CHECK(cold.key.metric == "build_seconds");
  CHECK(cold.count == 3);  // the warm-up is left out
  CHECK(cold.failures == 1);
  CHECK(cold.median == 2);
  CHECK(cold.mean == 2);
  CHECK(cold.min == 1);
  CHECK(cold.max == 3);
  CHECK(cold.mad == 1);
  CHECK(cold.stddev == Approx(1));
  CHECK(std::isnan(cold.ci_low));  // three values cannot reach 95%
  CHECK(std::isnan(cold.ci_high));

  const auto& warm = rows[3];
  CHECK(warm.key.group.state == "warm-code");
  CHECK(warm.count == 6);
  CHECK(warm.failures == 0);
  CHECK(warm.median == 3.5);
  CHECK(warm.ci_low == 1);  // [x(1), x(6)] covers 1 - 2/64 > 95%
  CHECK(warm.ci_high == 6);
}

TEST_CASE("store: prune-history keeps nothing for a run without measured values") {
  StoredSample warmup = sample("a", "cold", 1);
  warmup.sample.warmup = true;
  CHECK(prune_summaries(1, {warmup}).empty());
  CHECK(prune_summaries(1, {}).empty());
}
