#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <sstream>

#include <catch2/catch.hpp>

#include "model/metrics.hpp"
#include "report/benchmark_page.hpp"
#include "report/compare_report.hpp"
#include "report/format.hpp"
#include "stats/paired.hpp"
#include "stats/stopping.hpp"
#include "util/error.hpp"

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
  cand[0].sample.status = SampleStatus::kFailed;
  cand[0].sample.metrics.clear();
  auto c = compare({run(1)}, base, {run(2)}, cand, {});
  CHECK(row_for(c, "build_seconds").verdict == Verdict::kFailed);
  CHECK(row_for(c, "build_seconds").candidate.failures == 1);
  for (const auto& warning : c.warnings)
    CHECK(warning.find("measured on one side") == std::string::npos);
}

TEST_CASE("a metric one side did not measure is left out with a warning, not failed") {
  // Runs before layer statistics moved to the cold image measured them on every state.
  auto base = samples("s", {10, 10.1, 9.9, 10.2, 10});
  for (auto& stored : base) stored.sample.set("image_compressed_bytes", 4e7);
  auto cand = samples("s", {10, 10.1, 9.9, 10.2, 10});
  auto c = compare({run(1)}, base, {run(2)}, cand, {});
  for (const auto& row : c.rows) CHECK(row.metric != "image_compressed_bytes");
  CHECK(c.count(Verdict::kFailed) == 0);
  CHECK(std::find(c.warnings.begin(), c.warnings.end(),
                  "1 group(s) not compared, measured on one side only: s cold "
                  "image_compressed_bytes") != c.warnings.end());
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

namespace {

// Samples that carry every metric of the catalog; with `distinct`, each metric's values are
// its own (100 times its place in the catalog, plus the repetition).
std::vector<StoredSample> every_metric(int id, bool distinct = false) {
  std::vector<StoredSample> out;
  for (auto kind : {SampleKind::kBuild, SampleKind::kStartup}) {
    for (int repetition = 1; repetition <= 3; ++repetition) {
      StoredSample stored;
      stored.run_id = id;
      stored.sample.scenario = "s";
      stored.sample.kind = kind;
      stored.sample.state = kind == SampleKind::kBuild ? "cold" : "as-built";
      stored.sample.repetition = repetition;
      double place = 0;
      for (const auto& info : metric_catalog()) {
        ++place;
        double value = distinct ? 100 * place + repetition : 1.0 + repetition;
        if (info.sample_kind == kind) stored.sample.set(info.name, value);
      }
      out.push_back(stored);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("the catalog is the only list: every compared metric reaches compare's output") {
  // Whatever the catalog marks compared must come out as a row, and its threshold is the
  // catalog's.
  auto c = compare({run(1)}, every_metric(1), {run(2)}, every_metric(2), {});
  for (const auto& info : metric_catalog()) {
    if (!info.compared) continue;
    INFO(info.name);
    const auto& row = row_for(c, std::string(info.name));
    CHECK(row.kind == info.sample_kind);
    CHECK(row.threshold_percent == info.threshold_percent);
  }
  for (const auto& row : c.rows) {
    INFO(row.metric);
    CHECK(find_metric(row.metric)->compared);  // and nothing the catalog does not list
  }
}

TEST_CASE("the catalog is the only list: every headline metric has its column on the page") {
  ReportInput input;
  input.scenario_order = {"s"};
  input.modes = builtin_startup_modes();
  input.samples = every_metric(1, true);
  auto page = build_report(input).at("benchmark.md");
  // The row of scenario "s" in the Results table, cut into cells (their median part).
  auto results = page.find("## Results");
  REQUIRE(results != std::string::npos);
  auto start = page.find("\n| s | ", results);
  REQUIRE(start != std::string::npos);
  std::string row = page.substr(start + 1, page.find('\n', start + 1) - start - 1);
  INFO(row);
  std::set<std::string> cells;
  for (std::size_t at = 2; at < row.size();) {
    auto end = row.find(" | ", at);
    if (end == std::string::npos) end = row.size() - 2;
    std::string cell = row.substr(at, end - at);
    cells.insert(cell.substr(0, cell.find(" ±")));
    at = end + 3;
  }
  double place = 0;
  for (const auto& info : metric_catalog()) {
    ++place;
    INFO(info.name);
    bool shown = cells.count(format_value(100 * place + 2, info.unit)) > 0;
    CHECK(shown == (info.headline_column > 0));
  }
}

namespace {

// Pairs taken side by side: each pair shares a machine factor (drift, noise of the moment),
// the candidate is `ratio` times the baseline, times a small noise of its own.
struct PairedData {
  std::vector<StoredSample> base, cand;
  std::vector<PairRecord> pairs;
};

PairedData paired(int n, double ratio, double machine_cv, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> machine(1, machine_cv), own(1, 0.005);
  PairedData data;
  for (int i = 0; i < n; ++i) {
    double factor = machine(rng);
    for (auto* side : {&data.base, &data.cand}) {
      StoredSample stored;
      stored.id = 2 * i + (side == &data.cand) + 1;
      stored.run_id = side == &data.base ? 1 : 2;
      stored.sample.scenario = "s";
      stored.sample.state = "cold";
      stored.sample.repetition = i + 1;
      double seconds = 10 * factor * own(rng) * (side == &data.cand ? ratio : 1);
      stored.sample.set("build_seconds", seconds);
      side->push_back(stored);
    }
    data.pairs.push_back({"ab1", 2 * i + 1, 2 * i + 2, i % 2 ? "candidate" : "baseline"});
  }
  return data;
}

RunRecord ab_run(std::int64_t id) {
  RunRecord r = run(id);
  r.options = {{"ab", {{"order", "abba"}}}};
  return r;
}

}  // namespace

TEST_CASE("paired: a noisy machine hides a 6% slowdown from the unpaired test, not the paired") {
  auto d = paired(10, 1.06, 0.15, 3);
  auto unpaired = compare({run(1)}, d.base, {run(2)}, d.cand, {});
  auto with_pairs = compare({ab_run(1)}, d.base, {ab_run(2)}, d.cand, {}, d.pairs);
  CHECK(row_for(unpaired, "build_seconds").verdict != Verdict::kRegression);
  const auto& row = row_for(with_pairs, "build_seconds");
  CHECK(row.verdict == Verdict::kRegression);
  CHECK(row.pairs == 10);
  CHECK(row.exact_test);
  CHECK(row.change_percent == Approx(6).margin(1));
  CHECK(row.ci_low_percent < row.change_percent);
  CHECK(row.ci_high_percent > row.change_percent);
  CHECK(with_pairs.paired);
  CHECK_FALSE(unpaired.paired);
}

TEST_CASE("paired: the same code on both sides is no change, however the machine wanders") {
  auto d = paired(10, 1.0, 0.2, 11);
  auto c = compare({ab_run(1)}, d.base, {ab_run(2)}, d.cand, {}, d.pairs);
  const auto& row = row_for(c, "build_seconds");
  CHECK(row.verdict == Verdict::kNoChange);
  CHECK(row.note == "interval within +/-5%");
  CompareOptions unpaired;
  unpaired.pairing = CompareOptions::Pairing::kUnpaired;
  CHECK_FALSE(compare({ab_run(1)}, d.base, {ab_run(2)}, d.cand, unpaired, d.pairs).paired);
}

TEST_CASE("paired: the change and p are the Walsh-average shift and Wilcoxon of log ratios") {
  auto d = paired(8, 1.0, 0.1, 5);
  auto c = compare({ab_run(1)}, d.base, {ab_run(2)}, d.cand, {}, d.pairs);
  std::vector<double> b, x;
  for (int i = 0; i < 8; ++i) {
    b.push_back(*d.base[i].sample.get("build_seconds"));
    x.push_back(*d.cand[i].sample.get("build_seconds"));
  }
  auto ratios = stats::log_ratios(b, x);
  auto shift = stats::walsh_hodges_lehmann(ratios);
  const auto& row = row_for(c, "build_seconds");
  CHECK(row.change_percent == Approx((std::exp(shift.estimate) - 1) * 100).epsilon(1e-12));
  CHECK(row.ci_low_percent == Approx((std::exp(shift.low) - 1) * 100).epsilon(1e-12));
  CHECK(row.p_value == Approx(stats::wilcoxon_signed_rank(ratios).p_value).epsilon(1e-12));
}

TEST_CASE("paired: too few pairs to decide say so, failed pairs are left out") {
  auto d = paired(5, 1.2, 0.01, 2);
  d.cand[0].sample.status = SampleStatus::kFailed;
  auto c = compare({ab_run(1)}, d.base, {ab_run(2)}, d.cand, {}, d.pairs);
  const auto& row = row_for(c, "build_seconds");
  CHECK(row.pairs == 4);
  CHECK(row.verdict == Verdict::kInconclusive);
  CHECK(row.note == "4 pairs cannot reach p<0.05; use more --pairs");
  bool advised = false;
  for (const auto& w : c.warnings) advised |= w.find("--pairs 6 or more") != std::string::npos;
  CHECK(advised);
}

TEST_CASE("paired: the markdown summary says what was done") {
  auto d = paired(10, 1.0, 0.05, 9);
  auto c = compare({ab_run(1)}, d.base, {ab_run(2)}, d.cand, {}, d.pairs);
  std::ostringstream md, console, json;
  render_compare_markdown(md, c);
  render_compare_console(console, c, false);
  render_compare_json(json, c);
  CHECK(md.str().find("paired, 10 pairs, order randomized (abba)") != std::string::npos);
  CHECK(md.str().find("Wilcoxon signed-rank") != std::string::npos);
  CHECK(console.str().find("paired, 10 pairs, order randomized") != std::string::npos);
  auto doc = nlohmann::json::parse(json.str());
  CHECK(doc["paired"] == true);
  CHECK(doc["pairing"]["most_pairs"] == 10);
  CHECK(doc["rows"][0]["pairs"] == 10);
}

TEST_CASE("drift: a steady climb within a run is named, noise and a tiny slope are not") {
  std::vector<double> climbing, tiny;
  std::mt19937 rng(4);
  auto noise = draw(rng, 10, 10, 0.05);
  for (int i = 0; i < 10; ++i) {
    climbing.push_back(10 + 0.2 * i);  // +1.8 s over the run
    tiny.push_back(10 + 0.005 * i);    // steady, but +0.45% in all
  }
  auto all = samples("climbing", climbing);
  for (auto& s : samples("noisy", noise)) all.push_back(s);
  for (auto& s : samples("tiny", tiny)) all.push_back(s);
  auto drift = find_drift(all, {});
  REQUIRE(drift.size() == 1);
  CHECK(drift[0].scenario == "climbing");
  CHECK(drift[0].total_percent == Approx(1.8 / 10.9 * 100));  // against the median
  CHECK(describe_drift(drift[0]).find("Mann-Kendall") != std::string::npos);
  auto c = compare({run(1)}, all, {run(2)}, samples("climbing", {10, 10, 10, 10}), {});
  bool warned = false;
  for (const auto& w : c.warnings) warned |= w.rfind("drift within a run: climbing", 0) == 0;
  CHECK(warned);
}

TEST_CASE("a design whose floor is above alpha is never significant") {
  // Two constant groups of 3: the exact p given the ties is 2 / C(6, 3) = 0.1, where the
  // normal approximation said 0.047 and the row was a regression.
  auto c = compare({run(1)}, samples("s", {1, 1, 1}), {run(2)}, samples("s", {2, 2, 2}), {});
  const auto& row = row_for(c, "build_seconds");
  CHECK(row.p_value == Approx(0.1).epsilon(1e-12));
  CHECK(row.p_floor == Approx(0.1).epsilon(1e-12));
  CHECK(row.exact_test);
  CHECK(row.verdict == Verdict::kInconclusive);
  CHECK(row.note == "3 vs 3 samples cannot reach p<0.05; use more --runs");
  // At alpha = 0.2 the same design can reach it, and does.
  CompareOptions loose;
  loose.alpha = 0.2;
  auto l = compare({run(1)}, samples("s", {1, 1, 1}), {run(2)}, samples("s", {2, 2, 2}), loose);
  CHECK(row_for(l, "build_seconds").verdict == Verdict::kRegression);
}

TEST_CASE("paired: five slower pairs and one unchanged are not significant at 0.05") {
  // Pratt's exact test: the floor of 5 non-zero differences is 2 / 2^5 = 0.0625.
  auto d = paired(6, 1.2, 0.01, 4);
  d.cand[5].sample.metrics = d.base[5].sample.metrics;  // the same time: a zero log ratio
  auto c = compare({ab_run(1)}, d.base, {ab_run(2)}, d.cand, {}, d.pairs);
  const auto& row = row_for(c, "build_seconds");
  CHECK(row.pairs == 6);
  CHECK(row.p_value == 0.0625);
  CHECK(row.p_floor == 0.0625);
  CHECK(row.verdict == Verdict::kInconclusive);
  CHECK(row.note == "6 pairs cannot reach p<0.05; use more --pairs");
}

TEST_CASE("one boundary rule: a change of exactly the threshold counts, measured or not") {
  // Deterministic: image_bytes 1% threshold, a change of exactly 1%.
  auto c = compare({run(1)}, samples("s", {10}, 100e6), {run(2)}, samples("s", {10}, 101e6), {});
  const auto& exact = row_for(c, "image_bytes");
  REQUIRE(exact.change_percent == Approx(1).epsilon(1e-12));
  CompareOptions at;
  at.thresholds["image_bytes"] = exact.change_percent;
  auto on = compare({run(1)}, samples("s", {10}, 100e6), {run(2)}, samples("s", {10}, 101e6), at);
  CHECK(row_for(on, "image_bytes").verdict == Verdict::kRegression);
  // Measured: a clear slowdown whose change is set as the threshold is still a regression.
  auto base = samples("s", {10.0, 10.1, 9.9, 10.2, 10.05, 9.8});
  auto cand = samples("s", {11.0, 11.2, 10.9, 11.1, 11.05, 11.3});
  double change =
      row_for(compare({run(1)}, base, {run(2)}, cand, {}), "build_seconds").change_percent;
  CompareOptions measured;
  measured.thresholds["build_seconds"] = change;
  CHECK(row_for(compare({run(1)}, base, {run(2)}, cand, measured), "build_seconds").verdict ==
        Verdict::kRegression);
}

TEST_CASE("modules_compiled has a threshold: a small significant change is no regression") {
  const MetricInfo* info = find_metric(kModulesCompiled);
  REQUIRE(info != nullptr);
  CHECK(info->compared);
  CHECK_FALSE(info->deterministic);
  CHECK(info->threshold_percent == 10);
  // Four modules more of ~100, every time: significant, within 10%, no change. Thirty more is.
  std::vector<double> base = {100, 101, 99, 100, 102, 98, 100, 101};
  std::vector<double> few_more, many_more;
  for (double v : base) {
    few_more.push_back(v + 4);
    many_more.push_back(v + 30);
  }
  auto few = compare_values(std::string(kModulesCompiled), base, few_more, {});
  CHECK(few.p_value < 0.05);
  CHECK(few.verdict == Verdict::kNoChange);
  CHECK(few.change_floor == 0);  // no floor for counts
  CHECK(compare_values(std::string(kModulesCompiled), base, many_more, {}).verdict ==
        Verdict::kRegression);
}

TEST_CASE("compare names the inputs that changed, once, and --strict sees a new engine") {
  RunRecord a = run(1), b = run(2);
  a.fingerprint["base_images"] = {
      {"python:3.11", {{"present", true}, {"id", "sha256:" + std::string(64, 'a')}}}};
  b.fingerprint["base_images"] = {
      {"python:3.11", {{"present", true}, {"id", "sha256:" + std::string(64, 'c')}}}};
  auto c = compare({a}, samples("s", {1}), {b}, samples("s", {1}), {});
  REQUIRE(c.input_changes.size() == 1);
  CHECK(c.input_changes[0].input == "base image python:3.11");
  CHECK(c.inputs_baseline_run == 1);
  CHECK(c.inputs_candidate_run == 2);
  CHECK(c.fingerprint_differences.empty());  // not said a second time as a raw key
  CHECK(different_hosts_or_tools(c));

  b.fingerprint["base_images"] = a.fingerprint["base_images"];
  b.fingerprint["docker_server"] = "24.0";
  c = compare({a}, samples("s", {1}), {b}, samples("s", {1}), {});
  REQUIRE(c.input_changes.size() == 1);
  CHECK(c.input_changes[0].input == "engine");
  CHECK(c.fingerprint_differences.empty());
  CHECK(different_hosts_or_tools(c));

  // A commit alone is what the comparison is for, not a different host.
  b.fingerprint = a.fingerprint;
  a.git_commit = "1a2b3c4d5e";
  b.git_commit = "5d6e7f8a9b";
  c = compare({a}, samples("s", {1}), {b}, samples("s", {1}), {});
  REQUIRE(c.input_changes.size() == 1);
  CHECK_FALSE(different_hosts_or_tools(c));
}

TEST_CASE("the gate knows the precision floor: a cached rebuild's few ms are no regression") {
  // Two medians each known to +-20 ms (the run's floor) differ by a known +-28 ms: a fully
  // separated +25 ms on a 300 ms rebuild is significant and beyond 5%, and still no change.
  std::vector<double> rebuild = {0.300, 0.301, 0.299, 0.302, 0.298, 0.300, 0.303, 0.297};
  std::vector<double> slower, much_slower;
  for (double v : rebuild) {
    slower.push_back(v + 0.025);
    much_slower.push_back((v + 0.020) * 1.25);  // +80 ms on 320 ms below
  }
  auto c = compare({run(1)}, samples("s", rebuild), {run(2)}, samples("s", slower), {});
  const auto& row = row_for(c, "build_seconds");
  CHECK(row.p_value < 0.001);
  CHECK(row.change_percent == Approx(25.0 / 300 * 100).margin(0.5));
  CHECK(row.change_floor == Approx(0.020 * std::sqrt(2.0)).epsilon(1e-12));
  CHECK(row.verdict == Verdict::kNoChange);
  CHECK(row.note == "significant but within the +/-28 ms precision floor of two medians");
  CHECK(c.count(Verdict::kRegression) == 0);
  // +25% of a 320 ms rebuild is 80 ms: beyond both.
  std::vector<double> base320;
  for (double v : rebuild) base320.push_back(v + 0.020);
  auto big = compare({run(1)}, samples("s", base320), {run(2)}, samples("s", much_slower), {});
  const auto& big_row = row_for(big, "build_seconds");
  CHECK(big_row.change_percent == Approx(25).margin(0.5));
  CHECK(big_row.verdict == Verdict::kRegression);
  CHECK(big_row.note == "significant (p=0.000155) and beyond 5% and 28 ms");
  // The floor is the run's own: a run that stopped on +-10 ms knows 25 ms is beyond +-14 ms.
  RunRecord tight_a = run(1), tight_b = run(2);
  for (auto* r : {&tight_a, &tight_b})
    r->options = {{"build_precision", 0.03}, {"build_precision_floor", 0.010}};
  auto tight = compare({tight_a}, samples("s", rebuild), {tight_b}, samples("s", slower), {});
  CHECK(row_for(tight, "build_seconds").verdict == Verdict::kRegression);
  CHECK(row_for(c, "image_bytes").change_floor == 0);  // sizes have no floor
}

TEST_CASE("the floor comes from the runs, a fixed design's from the default") {
  CHECK(stats::kBuildPrecisionFloorSeconds == 0.020);
  CHECK(build_floor_seconds({}) == stats::kBuildPrecisionFloorSeconds);
  RunRecord fixed = run(1), adaptive = run(2), wide = run(3);
  fixed.options = {{"runs", 10}, {"build_precision", 0}, {"build_precision_floor", 0}};
  adaptive.options = {{"build_precision", 0.03}, {"build_precision_floor", 0.005}};
  wide.options = {{"build_precision", 0.03}, {"build_precision_floor", 0.050}};
  CHECK(build_floor_seconds({fixed}) == stats::kBuildPrecisionFloorSeconds);
  CHECK(build_floor_seconds({adaptive}) == 0.005);
  CHECK(build_floor_seconds({adaptive, wide}) == 0.050);  // the widest
  CompareOptions options;
  CHECK(change_floor_for("build_seconds", options) ==
        Approx(std::sqrt(2.0) * stats::kBuildPrecisionFloorSeconds));
  CHECK(change_floor_for("ready_seconds", options) == 0);  // start-ups stop on no floor
  options.build_floor_seconds = 0.1;
  CHECK(change_floor_for("build_seconds", options) == Approx(std::sqrt(2.0) * 0.1));
}

namespace {

// A measured row as judge leaves it: a clear +10% push time with p as given.
ComparisonRow tested_row(double p, double p_floor = 0.001) {
  ComparisonRow row;
  row.scenario = "s";
  row.metric = "push_seconds";
  row.unit = "s";
  row.baseline.count = row.candidate.count = 8;
  row.baseline.median = 10;
  row.candidate.median = 11;
  row.change_percent = 10;
  row.ci_available = true;
  row.ci_low_percent = 1;
  row.ci_high_percent = 19;
  row.p_value = row.q_value = p;
  row.p_floor = p_floor;
  row.testable = p_floor < 0.05;
  row.threshold_percent = 5;
  return row;
}

}  // namespace

TEST_CASE("many rows: the gate controls the false discovery rate over the testable rows") {
  // The p-values of the Benjamini-Hochberg test in stats/fdr_test: four below 0.05, one
  // discovery. A row whose design cannot reach 0.05 and a deterministic row are not counted.
  std::vector<ComparisonRow> rows;
  for (double p : {0.30, 0.02, 0.90, 0.001, 0.04, 0.50, 0.03, 0.60, 0.80, 0.70})
    rows.push_back(tested_row(p));
  rows.push_back(tested_row(0.1, 0.1));
  ComparisonRow size = tested_row(0);
  size.metric = "image_bytes";
  size.deterministic = true;
  size.testable = false;
  size.verdict = Verdict::kRegression;
  rows.push_back(size);
  auto family = control_false_discoveries(rows, {});
  CHECK(family.testable == 10);
  CHECK(family.significant == 4);
  CHECK(family.discoveries == 1);
  CHECK(family.expected_by_chance == Approx(0.5));
  CHECK(rows[3].verdict == Verdict::kRegression);  // p = 0.001, q = 0.01
  CHECK(rows[3].q_value == Approx(0.01));
  CHECK(rows[3].note == "significant (p=0.001, q=0.01 over 10 rows) and beyond 5%");
  for (std::size_t i : {1, 4, 6}) {  // p < 0.05, q = 0.1: not regressions
    INFO("row " << i);
    CHECK(rows[i].q_value == Approx(0.1));
    CHECK(rows[i].verdict == Verdict::kInconclusive);
    CHECK(rows[i].note.find("not a discovery at a false discovery rate of 0.05") !=
          std::string::npos);
  }
  CHECK(rows[10].verdict == Verdict::kInconclusive);  // floor 0.1: as it was
  CHECK(rows[11].verdict == Verdict::kRegression);    // deterministic: untouched
  CHECK(describe_family(family) ==
        "4 of 10 testable rows significant at p<0.05, about 0.5 expected by chance; 1 remain at "
        "a false discovery rate of 0.05 (Benjamini-Hochberg)");
  // The same rows on their own (m = 1) would all have been regressions.
  CHECK(compare_values("build_seconds", {10, 10.1, 9.9, 10.2, 10.05, 9.8},
                       {11.0, 11.2, 10.9, 11.1, 11.05, 11.3}, {})
            .q_value == Approx(2.0 / 924).epsilon(1e-9));
}

TEST_CASE("many rows: compare counts its family, one row per scenario tested together") {
  // Twelve scenarios: one slows down clearly, eleven move by noise. Only the first is a
  // regression, and the family line names how many rows came out significant by chance.
  std::mt19937 rng(5);
  std::vector<StoredSample> base, cand;
  for (int s = 0; s < 12; ++s) {
    std::string name = "s" + std::to_string(s);
    auto b = samples(name, draw(rng, 8, 10, 0.02));
    auto c = samples(name, draw(rng, 8, s == 0 ? 12 : 10, 0.02));
    base.insert(base.end(), b.begin(), b.end());
    cand.insert(cand.end(), c.begin(), c.end());
  }
  auto c = compare({run(1)}, base, {run(2)}, cand, {});
  CHECK(c.family.testable == 12);  // build_seconds per scenario; image_bytes is exact
  CHECK(c.family.expected_by_chance == Approx(0.6));
  CHECK(c.family.discoveries >= 1);
  CHECK(c.count(Verdict::kRegression) == 1);
  std::size_t significant = 0;
  for (const auto& row : c.rows) {
    if (row.deterministic) continue;
    CHECK(row.testable);
    CHECK(row.q_value >= row.p_value);
    significant += row.p_value < 0.05;
  }
  CHECK(c.family.significant == significant);
}

TEST_CASE("the floor widens the no-change band of a short build: +-5% of 100 ms is 5 ms") {
  auto base = samples("s", {0.100, 0.110, 0.092, 0.105, 0.095, 0.108, 0.090, 0.102});
  auto cand = samples("s", {0.104, 0.093, 0.112, 0.098, 0.107, 0.091, 0.101, 0.096});
  auto c = compare({run(1)}, base, {run(2)}, cand, {});
  const auto& row = row_for(c, "build_seconds");
  REQUIRE(row.ci_available);
  REQUIRE((row.ci_low_percent < -5 || row.ci_high_percent > 5));  // beyond the threshold
  CHECK(row.verdict == Verdict::kNoChange);
  CHECK(row.note == "interval within +/-28 ms (the precision floor)");
  // Without the floor the same interval leaves it open.
  CompareOptions no_floor;
  no_floor.build_floor_seconds = 0;
  CHECK(row_for(compare({run(1)}, base, {run(2)}, cand, no_floor), "build_seconds").verdict ==
        Verdict::kInconclusive);
}

TEST_CASE("compare: runs of two testbeds are refused unless asked, and then named") {
  RunRecord a = run(1), b = run(2), a2 = run(3);
  a.options = a2.options = {{"testbed", "a"}};
  b.options = {{"testbed", "b"}};
  CHECK_NOTHROW(require_one_testbed({a}, {a2}, false));
  CHECK_THROWS_WITH(require_one_testbed({a}, {b}, false),
                    Catch::StartsWith("the baseline ran on testbed a (run 1) and the candidate "
                                      "on b (run 2)") &&
                        Catch::Contains("--across-testbeds"));
  // One side's runs may not span two testbeds either.
  CHECK_THROWS_AS(require_one_testbed({a, b}, {a2}, false), UsageError);
  CHECK_NOTHROW(require_one_testbed({a}, {b}, true));

  auto base = samples("s", {10, 10.1, 9.9});
  CHECK(compare({a}, base, {b}, base, {}).across_testbeds == "a (run 1), b (run 2)");
  CHECK(compare({a}, base, {a2}, base, {}).across_testbeds.empty());
  std::ostringstream console;
  render_compare_console(console, compare({a}, base, {b}, base, {}), false);
  CHECK(console.str().find("\nacross testbeds: a (run 1), b (run 2)\n") != std::string::npos);
}
