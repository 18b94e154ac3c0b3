// The renderers of a Comparison: console, markdown and JSON, each from plain data.
#include "report/compare_report.hpp"

#include <cmath>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bb;

namespace {

// Cold build times of one scenario, one sample per value.
std::vector<StoredSample> cold_builds(const std::string& scenario,
                                      const std::vector<double>& seconds) {
  std::vector<StoredSample> out;
  for (double s : seconds) {
    StoredSample stored;
    stored.sample.scenario = scenario;
    stored.sample.state = "cold";
    stored.sample.repetition = static_cast<int>(out.size()) + 1;
    stored.sample.set("build_seconds", s);
    out.push_back(stored);
  }
  return out;
}

RunRecord on_host(std::int64_t id) {
  RunRecord r;
  r.id = id;
  r.fingerprint = {{"hostname", "a"}};
  return r;
}

stats::Summary median_of(double median, std::size_t count = 5) {
  stats::Summary s;
  s.count = count;
  s.median = median;
  return s;
}

ComparisonRow build_row(Verdict verdict, double base, double cand) {
  ComparisonRow row;
  row.scenario = "s";
  row.state = "cold";
  row.metric = "build_seconds";
  row.unit = "s";
  row.baseline = median_of(base);
  row.candidate = median_of(cand);
  row.change_percent = (cand / base - 1) * 100;
  row.ci_available = true;
  row.ci_low_percent = row.change_percent - 2;
  row.ci_high_percent = row.change_percent + 2;
  row.p_value = 0.008;
  row.threshold_percent = 5;
  row.verdict = verdict;
  return row;
}

ComparisonRow size_row() {
  ComparisonRow row = build_row(Verdict::kNoChange, 1e8, 1e8);
  row.metric = "image_bytes";
  row.unit = "bytes";
  row.deterministic = true;
  row.ci_available = false;
  return row;
}

Comparison two_rows(Verdict verdict) {
  Comparison c;
  c.baseline_runs = {1};
  c.candidate_runs = {2, 3};
  c.rows = {build_row(verdict, 10, 12), size_row()};
  return c;
}

std::string markdown(const Comparison& c) {
  std::ostringstream out;
  render_compare_markdown(out, c);
  return out.str();
}

std::string console(const Comparison& c, bool color) {
  std::ostringstream out;
  render_compare_console(out, c, color);
  return out.str();
}

nlohmann::json json_of(const Comparison& c) {
  std::ostringstream out;
  render_compare_json(out, c);
  return nlohmann::json::parse(out.str());
}

}  // namespace

TEST_CASE("compare renderers: json has a schema version, markdown escapes names") {
  auto c = compare({on_host(1)}, cold_builds("a|b<script>", {1, 1.1, 1.2, 1.0, 1.1}), {on_host(2)},
                   cold_builds("a|b<script>", {2, 2.1, 2.2, 2.0, 2.1}), {});
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

TEST_CASE("compare console: runs, a row per comparison with its change and p, then the counts") {
  auto text = console(two_rows(Verdict::kRegression), false);
  CHECK(text.rfind("Comparing baseline (run 1) with candidate (runs 2, 3)\n", 0) == 0);
  CHECK(text.find("+20.0% [+18.0, +22.0]") != std::string::npos);
  CHECK(text.find("0.008") != std::string::npos);
  CHECK(text.find("1 regression(s), 0 improvement(s), 1 no change, 0 inconclusive, 0 failed") !=
        std::string::npos);
  CHECK(text.find("\x1b[") == std::string::npos);  // no colour unless asked
  CHECK(console(two_rows(Verdict::kRegression), true).find("\x1b[1;31mregression\x1b[0m") !=
        std::string::npos);
}

TEST_CASE("compare console: different hosts and warnings are printed after the header") {
  Comparison c = two_rows(Verdict::kNoChange);
  c.fingerprint_differences = {{"docker_server", "20.10", "24.0"}};
  c.warnings = {"only 3 samples; use --runs 5"};
  auto text = console(c, false);
  CHECK(text.find("WARNING: the two sides ran on different hosts or tools:\n"
                  "  docker_server: 20.10 -> 24.0\n") != std::string::npos);
  CHECK(text.find("warning: only 3 samples; use --runs 5\n") != std::string::npos);
}

TEST_CASE("compare markdown: no change says so, and every row is still in the details") {
  auto text = markdown(two_rows(Verdict::kNoChange));
  CHECK(text.find("No regression, improvement or failure.") != std::string::npos);
  CHECK(text.find("### Changes") == std::string::npos);
  CHECK(text.find("<details><summary>All 2 comparisons</summary>") != std::string::npos);
  CHECK(text.find("| s | cold | image_bytes |") != std::string::npos);
  CHECK(text.find("Mann-Whitney U") != std::string::npos);  // unpaired method note
  CHECK(text.find("Wilcoxon") == std::string::npos);
}

TEST_CASE("compare markdown: a failed side has no change and no p, a size no p") {
  Comparison c = two_rows(Verdict::kFailed);
  c.rows[0].candidate = {};
  auto text = markdown(c);
  CHECK(text.find("| s | cold | build_seconds | 10.00 s | - | - | - | **failed** ⚠️ |") !=
        std::string::npos);
  CHECK(text.find("| +0.0% | - | no change |") != std::string::npos);  // exact: no p
  CHECK(text.find("**0 regression(s)**, 0 improvement(s), 1 no change, 0 inconclusive, 1 failed") !=
        std::string::npos);
}

TEST_CASE("compare markdown: different hosts are a warning block with escaped values") {
  Comparison c = two_rows(Verdict::kNoChange);
  c.fingerprint_differences = {{"hostname", "a|b", "<c>"}};
  auto text = markdown(c);
  CHECK(text.find("> [!WARNING]") != std::string::npos);
  CHECK(text.find("> - `hostname`: a\\|b → &lt;c&gt;") != std::string::npos);
}

TEST_CASE("compare json: nulls where a figure does not apply, pairing only when paired") {
  Comparison c = two_rows(Verdict::kImprovement);
  auto doc = json_of(c);
  CHECK(doc["paired"] == false);
  CHECK_FALSE(doc.contains("pairing"));
  CHECK(doc["baseline_runs"] == std::vector<int>{1});
  CHECK(doc["candidate_runs"] == std::vector<int>{2, 3});
  CHECK(doc["summary"]["improvement"] == 1);
  const auto& size = doc["rows"][1];
  CHECK(size["metric"] == "image_bytes");
  CHECK(size["p_value"].is_null());
  CHECK(size["change_ci_percent"].is_null());
  CHECK_FALSE(size.contains("pairs"));
  CHECK(doc["rows"][0]["change_ci_percent"][0] == Approx(18));
  CHECK(doc["rows"][0]["baseline"]["median"] == 10);

  c.paired = true;
  c.fewest_pairs = 8;
  c.most_pairs = 10;
  c.pair_order = "coin";
  c.rows[0].pairs = 8;
  doc = json_of(c);
  CHECK(doc["pairing"]["fewest_pairs"] == 8);
  CHECK(doc["pairing"]["order"] == "coin");
  CHECK(doc["rows"][0]["pairs"] == 8);
  CHECK(markdown(c).find("paired, 8 to 10 pairs, order randomized (coin)") != std::string::npos);
}

TEST_CASE("compare json: drift and warnings come through as they are") {
  Comparison c = two_rows(Verdict::kNoChange);
  Drift drift;
  drift.run_id = 2;
  drift.scenario = "s";
  drift.state = "cold";
  drift.metric = "build_seconds";
  drift.count = 12;
  drift.total_percent = 7.5;
  c.drift = {drift};
  c.warnings = {"w"};
  auto doc = json_of(c);
  REQUIRE(doc["drift"].size() == 1);
  CHECK(doc["drift"][0]["run"] == 2);
  CHECK(doc["drift"][0]["kind"] == "build");
  CHECK(doc["drift"][0]["total_percent"] == 7.5);
  CHECK(doc["warnings"] == std::vector<std::string>{"w"});
  CHECK(doc["stand_in_images"] == false);
}

TEST_CASE("compare output: what changed between the runs, in console, markdown and json") {
  Comparison c = two_rows(Verdict::kRegression);
  c.inputs_baseline_run = 1;
  c.inputs_candidate_run = 3;
  c.input_changes = {
      {"base image python:3.11", "sha256:ab12cd34ef56", "sha256:cd34ef56ab12", {}},
      {"commit", "1a2b3c4", "5d6e7f8", {"step-6-compiling-dependencies/Dockerfile"}}};
  const std::string line =
      "What changed between the runs (run 1 → run 3): base image python:3.11: sha256:ab12cd34ef56 "
      "→ sha256:cd34ef56ab12; commit 1a2b3c4 → 5d6e7f8 changed "
      "step-6-compiling-dependencies/Dockerfile";
  auto text = console(c, false);
  CHECK(text.find(line + "\n") != std::string::npos);
  CHECK(text.find("WARNING") == std::string::npos);  // nothing else differs
  auto md = markdown(c);
  CHECK(md.find("What changed between the runs (run 1 → run 3): base image python:3.11") !=
        std::string::npos);
  CHECK(md.find("step-6-compiling-dependencies/Dockerfile") != std::string::npos);
  auto doc = json_of(c);
  REQUIRE(doc.contains("what_changed"));
  CHECK(doc["what_changed"]["baseline_run"] == 1);
  CHECK(doc["what_changed"]["candidate_run"] == 3);
  REQUIRE(doc["what_changed"]["changes"].size() == 2);
  CHECK(doc["what_changed"]["changes"][0]["input"] == "base image python:3.11");
  CHECK(doc["what_changed"]["changes"][0]["after"] == "sha256:cd34ef56ab12");
  CHECK(doc["what_changed"]["changes"][1]["files"][0] ==
        "step-6-compiling-dependencies/Dockerfile");

  c.input_changes.clear();
  CHECK(console(c, false).find("What changed") == std::string::npos);
  CHECK(json_of(c)["what_changed"]["changes"].empty());
}

TEST_CASE("compare output: how many rows are significant, and how many chance alone gives") {
  auto c = compare({on_host(1)}, cold_builds("a", {1, 1.1, 1.2, 1.0, 1.1}), {on_host(2)},
                   cold_builds("a", {2, 2.1, 2.2, 2.0, 2.1}), {});
  REQUIRE(c.family.testable == 1);
  std::string line =
      "1 of 1 testable rows significant at p<0.05, about 0.05 expected by chance; 1 remain at a "
      "false discovery rate of 0.05 (Benjamini-Hochberg)";
  auto text = console(c, false);
  CHECK(text.find("\n" + line + "\n") != std::string::npos);
  CHECK(text.find("1 regression(s)") < text.find(line));
  CHECK(markdown(c).find("1 of 1 testable rows significant at p&lt;0.05, about 0.05 expected by "
                         "chance; 1 remain at a false discovery rate of 0.05 "
                         "(Benjamini-Hochberg).\n") != std::string::npos);
  auto doc = json_of(c);
  CHECK(doc["family"]["testable"] == 1);
  CHECK(doc["family"]["significant"] == 1);
  CHECK(doc["family"]["discoveries"] == 1);
  CHECK(doc["family"]["expected_by_chance"].get<double>() == Approx(0.05));
  CHECK(doc["family"]["alpha"].get<double>() == Approx(0.05));
  CHECK(doc["rows"][0]["q_value"].get<double>() == Approx(c.rows[0].p_value));
  CHECK(doc["rows"][0]["change_floor"].get<double>() == Approx(0.020 * std::sqrt(2.0)));
  // No testable row: no line (the hand-made rows here are not marked testable).
  CHECK(console(two_rows(Verdict::kRegression), false).find("testable") == std::string::npos);
  CHECK(json_of(two_rows(Verdict::kRegression))["rows"][0]["q_value"].is_null());
}
