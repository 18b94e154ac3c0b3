// What a pruned run keeps (summaries) and the series that trend charts and nightly read.
#include "store/store.hpp"

#include <cmath>

#include <catch2/catch.hpp>

#include "store/store_fixture.hpp"

using namespace bb;
using namespace bb::test;

namespace {

Store::SummaryRow summary(std::int64_t run_id, SampleKind kind, const std::string& state,
                          const std::string& metric, double median) {
  Store::SummaryRow row;
  row.run_id = run_id;
  row.key = {{"a", kind, state}, metric};
  row.count = 6;
  row.median = median;
  row.ci_low = NAN;  // stored as NULL, read back as NaN
  return row;
}

}  // namespace

TEST_CASE("store summaries: a row round-trips with its group's kind, NaN as NULL") {
  TempDir dir;
  Store store(dir.path / "s.db", Store::Mode::kReadWrite);
  auto id = begin_test_run(store);
  store.add_summary(summary(id, SampleKind::kStartup, "as-built", "ready_seconds", 0.25));
  store.add_summary(summary(id, SampleKind::kBuild, "cold", "build_seconds", 12));
  auto rows = store.summaries(id);
  REQUIRE(rows.size() == 2);  // ordered by scenario, kind, state, metric
  CHECK(rows[0].key == MetricKey{{"a", SampleKind::kBuild, "cold"}, "build_seconds"});
  CHECK(rows[0].median == 12);
  CHECK(rows[0].count == 6);
  CHECK(std::isnan(rows[0].ci_low));
  CHECK(rows[1].key.group.kind == SampleKind::kStartup);
}

TEST_CASE("store series: samples' values, else a pruned run's kept medians, each with its key") {
  TempDir dir;
  Store store(dir.path / "s.db", Store::Mode::kReadWrite);
  RunRecord kept, pruned;
  kept.suite_name = pruned.suite_name = "s";
  store.begin_run(pruned);
  store.begin_run(kept);
  store.add_sample(kept.id, build_sample("a", 10));
  store.add_sample(kept.id, build_sample("a", 0, SampleStatus::kFailed));  // left out
  store.prune_run(pruned.id, {summary(pruned.id, SampleKind::kBuild, "cold", "build_seconds", 9)});
  auto series = store.metric_series({pruned.id, kept.id}, {{"cold", "build_seconds"}});
  REQUIRE(series.size() == 2);
  MetricKey key{{"a", SampleKind::kBuild, "cold"}, "build_seconds"};
  CHECK(series[0].run_id == pruned.id);
  CHECK(series[0].key == key);
  CHECK(series[0].value == 9);
  CHECK(series[1].run_id == kept.id);
  CHECK(series[1].key == key);
  CHECK(series[1].value == 10);
}

TEST_CASE("store series: a metric only in the states whose samples carry its kind") {
  TempDir dir;
  Store store(dir.path / "s.db", Store::Mode::kReadWrite);
  auto id = begin_test_run(store);
  store.add_sample(id, build_sample("a", 10));
  Sample start = build_sample("a", 0);
  start.kind = SampleKind::kStartup;
  start.state = "as-built";
  start.metrics = {{"ready_seconds", 0.5}, {"build_seconds", 99}};  // a stray build figure
  store.add_sample(id, start);
  auto series = store.metric_series_of({id}, {"build_seconds", "ready_seconds"});
  REQUIRE(series.size() == 2);
  for (const auto& value : series) {
    bool build = value.key.metric == "build_seconds";
    CHECK(value.key.group.kind == (build ? SampleKind::kBuild : SampleKind::kStartup));
    CHECK(value.value == (build ? 10 : 0.5));
  }
}
