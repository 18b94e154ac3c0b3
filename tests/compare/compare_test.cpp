#include "compare/compare.hpp"

#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "model/metrics.hpp"
#include "report/compare_report.hpp"

using namespace bb;

namespace {

std::vector<StoredSample> samples(const std::string& scenario, const std::vector<double>& seconds,
                                  double image_bytes = 1e8) {
  std::vector<StoredSample> out;
  int repetition = 0;
  for (double s : seconds) {
    StoredSample stored;
    stored.sample.scenario = scenario;
    stored.sample.state = "cold";
    stored.sample.repetition = ++repetition;
    stored.sample.set("build_seconds", s);
    stored.sample.set("image_bytes", image_bytes);
    out.push_back(stored);
  }
  return out;
}

RunRecord run(std::int64_t id, const std::string& host = "a") {
  RunRecord r;
  r.id = id;
  r.fingerprint = {{"hostname", host}, {"docker_server", "20.10"}};
  return r;
}

const ComparisonRow& row_for(const Comparison& c, const std::string& metric) {
  for (const auto& row : c.rows) {
    if (row.metric == metric) return row;
  }
  FAIL("no row for " << metric);
  throw;
}

std::vector<double> draw(std::mt19937& rng, int n, double center, double cv) {
  std::normal_distribution<double> normal(center, center * cv);
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(normal(rng));
  return v;
}

}  // namespace

TEST_CASE("a clear slowdown beyond the threshold is a regression") {
  auto base = samples("s", {10.0, 10.1, 9.9, 10.2, 10.05, 9.8});
  auto cand = samples("s", {11.0, 11.2, 10.9, 11.1, 11.05, 11.3});
  auto c = compare({run(1)}, base, {run(2)}, cand, {});
  const auto& row = row_for(c, "build_seconds");
  CHECK(row.verdict == Verdict::kRegression);
  CHECK(row.change_percent == Approx(10).margin(2));
  CHECK(row.ci_available);
  CHECK(row.ci_low_percent > 5);
  CHECK(row.p_value < 0.01);
  CHECK(row.exact_test);
}

TEST_CASE("a significant change within the threshold is no change") {
  auto base = samples("s", {10.0, 10.01, 10.02, 10.03, 10.04, 10.05});
  auto cand = samples("s", {10.2, 10.21, 10.22, 10.23, 10.24, 10.25});
  auto c = compare({run(1)}, base, {run(2)}, cand, {});
  CHECK(row_for(c, "build_seconds").verdict == Verdict::kNoChange);
  CompareOptions strict;
  strict.thresholds["build_seconds"] = 1;
  CHECK(row_for(compare({run(1)}, base, {run(2)}, cand, strict), "build_seconds").verdict ==
        Verdict::kRegression);
  strict.thresholds = {{"other:build_seconds", 1}};
  CHECK(row_for(compare({run(1)}, base, {run(2)}, cand, strict), "build_seconds").verdict ==
        Verdict::kNoChange);
}

TEST_CASE("too few samples are inconclusive, with a warning that says what to do") {
  auto c = compare({run(1)}, samples("s", {10, 10.1, 9.9}), {run(2)},
                   samples("s", {13, 13.1, 12.9}), {});
  CHECK(row_for(c, "build_seconds").verdict == Verdict::kInconclusive);
  REQUIRE_FALSE(c.warnings.empty());
  CHECK(c.warnings[0].find("--runs 5") != std::string::npos);
}

TEST_CASE("deterministic sizes are compared exactly") {
  auto c =
      compare({run(1)}, samples("s", {10, 10}, 100e6), {run(2)}, samples("s", {10, 10}, 110e6), {});
  const auto& row = row_for(c, "image_bytes");
  CHECK(row.deterministic);
  CHECK(row.verdict == Verdict::kRegression);
  CHECK(row.change_percent == Approx(10));
  auto same =
      compare({run(1)}, samples("s", {10}, 100e6), {run(2)}, samples("s", {10}, 100.5e6), {});
  CHECK(row_for(same, "image_bytes").verdict == Verdict::kNoChange);  // 0.5% < 1%
}

TEST_CASE("a side with only failed samples is failed") {
  auto base = samples("s", {10, 10.1, 9.9});
  auto cand = samples("s", {10});
  cand[0].sample.status = "failed";
  cand[0].sample.metrics.clear();
  auto c = compare({run(1)}, base, {run(2)}, cand, {});
  CHECK(row_for(c, "build_seconds").verdict == Verdict::kFailed);
  CHECK(row_for(c, "build_seconds").candidate.failures == 1);
}

TEST_CASE("different hosts are reported") {
  auto c = compare({run(1, "a")}, samples("s", {1}), {run(2, "b")}, samples("s", {1}), {});
  REQUIRE(c.fingerprint_differences.size() == 1);
  CHECK(c.fingerprint_differences[0].key == "hostname");
  std::ostringstream md;
  render_compare_markdown(md, c);
  CHECK(md.str().find("[!WARNING]") != std::string::npos);
}

TEST_CASE("A/A: over many simulated draws the false-alarm rate stays at or below alpha") {
  std::mt19937 rng(7);
  int draws = 2000, alarms = 0, significant = 0;
  for (int i = 0; i < draws; ++i) {
    auto base = samples("s", draw(rng, 10, 20, 0.08));
    auto cand = samples("s", draw(rng, 10, 20, 0.08));
    auto c = compare({run(1)}, base, {run(2)}, cand, {});
    const auto& row = row_for(c, "build_seconds");
    alarms += row.verdict == Verdict::kRegression;
    significant += row.p_value < 0.05;
  }
  double alarm_rate = static_cast<double>(alarms) / draws;
  double significant_rate = static_cast<double>(significant) / draws;
  INFO("regression rate " << alarm_rate << ", p<0.05 rate " << significant_rate);
  CHECK(alarm_rate <= 0.05);
  CHECK(significant_rate <= 0.05 + 0.015);  // the test itself holds its level
}

TEST_CASE("A/B: a real 10% slowdown is found nearly every time") {
  std::mt19937 rng(11);
  int draws = 500, found = 0;
  for (int i = 0; i < draws; ++i) {
    auto base = samples("s", draw(rng, 10, 20, 0.03));
    auto cand = samples("s", draw(rng, 10, 22, 0.03));
    found += row_for(compare({run(1)}, base, {run(2)}, cand, {}), "build_seconds").verdict ==
             Verdict::kRegression;
  }
  CHECK(found > draws * 0.9);
}

TEST_CASE("compare renderers: json has a schema version, markdown escapes names") {
  auto c = compare({run(1)}, samples("a|b<script>", {1, 1.1, 1.2, 1.0, 1.1}), {run(2)},
                   samples("a|b<script>", {2, 2.1, 2.2, 2.0, 2.1}), {});
  std::ostringstream json, md;
  render_compare_json(json, c);
  render_compare_markdown(md, c);
  auto doc = nlohmann::json::parse(json.str());
  CHECK(doc["schema_version"] == 1);
  CHECK(doc["summary"]["regression"] == 1);
  CHECK(md.str().find("<script>") == std::string::npos);
  CHECK(md.str().find("a\\|b&lt;script&gt;") != std::string::npos);
  CHECK(md.str().find("### Changes") < md.str().find("<details>"));
}

TEST_CASE("the catalog is the only list: every compared metric reaches compare's output") {
  // Samples that carry every metric of the catalog: whatever the catalog marks compared must
  // come out as a row, and its threshold is the catalog's.
  auto every_metric = [](int id) {
    std::vector<StoredSample> out;
    for (auto kind : {SampleKind::kBuild, SampleKind::kStartup}) {
      for (int repetition = 1; repetition <= 3; ++repetition) {
        StoredSample stored;
        stored.run_id = id;
        stored.sample.scenario = "s";
        stored.sample.kind = std::string(to_string(kind));
        stored.sample.state = kind == SampleKind::kBuild ? "cold" : "as-built";
        stored.sample.repetition = repetition;
        for (const auto& info : metric_catalog()) {
          if (info.sample_kind == kind) stored.sample.set(info.name, 1.0 + repetition);
        }
        out.push_back(stored);
      }
    }
    return out;
  };
  auto c = compare({run(1)}, every_metric(1), {run(2)}, every_metric(2), {});
  for (const auto& info : metric_catalog()) {
    if (!info.compared) continue;
    INFO(info.name);
    const auto& row = row_for(c, std::string(info.name));
    CHECK(row.kind == to_string(info.sample_kind));
    CHECK(row.threshold_percent == info.threshold_percent);
  }
  for (const auto& row : c.rows) {
    INFO(row.metric);
    CHECK(find_metric(row.metric)->compared);  // and nothing the catalog does not list
  }
}
