#include "report/compare_report.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/export.hpp"
#include "report/format.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

std::string runs_text(const std::vector<std::int64_t>& ids) {
  return fmt::format("{} {}", ids.size() == 1 ? "run" : "runs", fmt::join(ids, ", "));
}

std::string change_text(const ComparisonRow& row) {
  if (row.verdict == Verdict::kFailed) return "-";
  std::string text = format_percent(row.change_percent);
  if (!row.deterministic && row.ci_available) {
    text += fmt::format(" [{:+.1f}, {:+.1f}]", row.ci_low_percent, row.ci_high_percent);
  }
  return text;
}

std::string p_text(const ComparisonRow& row) {
  if (row.deterministic || row.verdict == Verdict::kFailed) return "-";
  return fmt::format("{:.3f}", row.p_value);
}

std::string median_text(const stats::Summary& s, const std::string& unit) {
  if (s.count == 0) return "-";
  return format_value(s.median, unit);
}

// "paired, 10 pairs, order randomized (abba)", or "" for an unpaired comparison.
std::string pairing_text(const Comparison& c) {
  if (!c.paired) return "";
  std::string pairs = c.fewest_pairs == c.most_pairs
                          ? fmt::format("{} pair{}", c.most_pairs, c.most_pairs == 1 ? "" : "s")
                          : fmt::format("{} to {} pairs", c.fewest_pairs, c.most_pairs);
  return fmt::format("paired, {}, order randomized{}", pairs,
                     c.pair_order.empty() ? "" : " (" + c.pair_order + ")");
}

// "What changed between the runs (run 3 → run 4): base image …; commit … changed …", or "".
std::string input_changes_text(const Comparison& c) {
  if (c.input_changes.empty()) return "";
  return fmt::format("What changed between the runs (run {} → run {}): {}", c.inputs_baseline_run,
                     c.inputs_candidate_run, describe_changes(c.input_changes));
}

bool is_change(Verdict v) {
  return v == Verdict::kRegression || v == Verdict::kImprovement || v == Verdict::kFailed;
}

}  // namespace

void render_compare_console(std::ostream& out, const Comparison& c, bool color) {
  out << fmt::format("Comparing baseline ({}) with candidate ({}){}\n", runs_text(c.baseline_runs),
                     runs_text(c.candidate_runs), c.paired ? ": " + pairing_text(c) : "");
  if (!c.across_testbeds.empty())
    out << "across testbeds: " << printable(c.across_testbeds) << "\n";
  if (!c.input_changes.empty()) {
    out << (color ? "\x1b[1;33m" : "") << printable(input_changes_text(c))
        << (color ? "\x1b[0m" : "") << "\n";
  }
  if (!c.fingerprint_differences.empty()) {
    out << (color ? "\x1b[1;33m" : "")
        << "WARNING: the two sides ran on different hosts or tools:" << (color ? "\x1b[0m" : "")
        << "\n";
    for (const auto& d : c.fingerprint_differences) {
      out << fmt::format("  {}: {} -> {}\n", d.key, printable(d.baseline), printable(d.candidate));
    }
  }
  out << fmt::format("{:<32} {:<14} {:<26} {:>12} {:>12} {:>24} {:>7}  {}\n", "scenario", "state",
                     "metric", "baseline", "candidate", "change [95% CI]", "p", "verdict");
  for (const auto& row : c.rows) {
    std::string verdict = to_string(row.verdict);
    if (color) {
      if (row.verdict == Verdict::kRegression) verdict = "\x1b[1;31m" + verdict + "\x1b[0m";
      if (row.verdict == Verdict::kImprovement) verdict = "\x1b[1;32m" + verdict + "\x1b[0m";
      if (row.verdict == Verdict::kFailed) verdict = "\x1b[1;35m" + verdict + "\x1b[0m";
    }
    out << fmt::format("{:<32} {:<14} {:<26} {:>12} {:>12} {:>24} {:>7}  {}\n",
                       printable(row.scenario), row.state, row.metric,
                       median_text(row.baseline, row.unit), median_text(row.candidate, row.unit),
                       change_text(row), p_text(row), verdict);
  }
  out << fmt::format(
      "\n{} regression(s), {} improvement(s), {} no change, {} inconclusive, {} failed\n",
      c.count(Verdict::kRegression), c.count(Verdict::kImprovement), c.count(Verdict::kNoChange),
      c.count(Verdict::kInconclusive), c.count(Verdict::kFailed));
  if (c.family.testable > 0) out << describe_family(c.family) << "\n";
  for (const auto& w : c.warnings) out << "warning: " << w << "\n";
}

namespace {

void write_fingerprint_warning(std::ostream& out, const Comparison& c) {
  if (c.fingerprint_differences.empty()) return;
  out << "> [!WARNING]\n> The two sides ran on different hosts or tools; differences may come "
         "from "
         "there:\n";
  for (const auto& d : c.fingerprint_differences) {
    out << fmt::format("> - `{}`: {} → {}\n", markdown_escape(d.key), markdown_escape(d.baseline),
                       markdown_escape(d.candidate));
  }
  out << "\n";
}

// The rows that `keep` takes, as a markdown table.
template <typename Keep>
void write_rows(std::ostream& out, const Comparison& c, Keep keep) {
  out << "| scenario | state | metric | baseline | candidate | change [95% CI] | p | verdict |\n";
  out << "|---|---|---|---:|---:|---:|---:|---|\n";
  for (const auto& row : c.rows) {
    if (!keep(row)) continue;
    std::string verdict = to_string(row.verdict);
    if (row.verdict == Verdict::kRegression) verdict = "**regression** ❌";
    if (row.verdict == Verdict::kImprovement) verdict = "improvement ✅";
    if (row.verdict == Verdict::kFailed) verdict = "**failed** ⚠️";
    out << fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} |\n", markdown_escape(row.scenario),
                       row.state, row.metric, median_text(row.baseline, row.unit),
                       median_text(row.candidate, row.unit), change_text(row), p_text(row),
                       verdict);
  }
}

// How the figures were computed: paired or not.
void write_method_note(std::ostream& out, const Comparison& c) {
  if (c.paired) {
    out << "\nMedians; the two sides ran side by side, pair by pair; change is the "
           "Hodges-Lehmann estimate of candidate/baseline over the Walsh averages of the "
           "per-pair log ratios, with its distribution-free 95% confidence interval; p from a "
           "two-sided Wilcoxon signed-rank test. Deterministic metrics (sizes, cached steps) are "
           "compared exactly.";
  } else {
    out << "\nMedians; change is the Hodges-Lehmann estimate of candidate/baseline with its 95% "
           "confidence interval; p from a two-sided Mann-Whitney U test. Deterministic metrics "
           "(sizes, cached steps) are compared exactly.";
  }
  out << " A row is a regression or improvement when it is significant with the false "
         "discovery rate controlled over the testable rows (Benjamini-Hochberg), beyond its "
         "threshold, and for build times beyond two medians' precision floor.\n";
}

}  // namespace

void render_compare_markdown(std::ostream& out, const Comparison& c) {
  out << "## buildbench comparison\n\n";
  out << fmt::format("Baseline: {} · Candidate: {}{}\n\n", runs_text(c.baseline_runs),
                     runs_text(c.candidate_runs), c.paired ? " · " + pairing_text(c) : "");
  out << fmt::format(
      "**{} regression(s)**, {} improvement(s), {} no change, {} inconclusive, {} failed.\n\n",
      c.count(Verdict::kRegression), c.count(Verdict::kImprovement), c.count(Verdict::kNoChange),
      c.count(Verdict::kInconclusive), c.count(Verdict::kFailed));
  if (c.family.testable > 0) out << markdown_escape(describe_family(c.family)) << ".\n\n";
  if (!c.across_testbeds.empty())
    out << "**Across testbeds:** " << markdown_escape(c.across_testbeds) << "\n\n";
  if (!c.input_changes.empty()) out << markdown_escape(input_changes_text(c)) << "\n\n";
  write_fingerprint_warning(out, c);
  auto changed = [](const ComparisonRow& r) { return is_change(r.verdict); };
  if (std::any_of(c.rows.begin(), c.rows.end(), changed)) {
    out << "### Changes\n\n";
    write_rows(out, c, changed);
    out << "\n";
  } else {
    out << "No regression, improvement or failure.\n\n";
  }
  out << "<details><summary>All " << c.rows.size() << " comparisons</summary>\n\n";
  write_rows(out, c, [](const ComparisonRow&) { return true; });
  out << "\n</details>\n";
  if (!c.warnings.empty()) {
    out << "\n### Warnings\n\n";
    for (const auto& w : c.warnings) out << "- " << markdown_escape(w) << "\n";
  }
  write_method_note(out, c);
}

namespace {

using json = nlohmann::ordered_json;

json summary_json(const stats::Summary& s) {
  json j;
  j["count"] = s.count;
  j["failures"] = s.failures;
  j["median"] = json_number(s.median);
  j["mean"] = json_number(s.mean);
  j["stddev"] = json_number(s.stddev);
  j["mad"] = json_number(s.mad);
  j["cv"] = json_number(s.cv);
  j["min"] = json_number(s.min);
  j["max"] = json_number(s.max);
  j["median_ci"] = {json_number(s.median_ci.low), json_number(s.median_ci.high)};
  j["median_ci_available"] = s.median_ci.available;
  j["outliers"] = s.outliers;
  return j;
}

json row_json(const ComparisonRow& r, bool paired) {
  json row;
  row["scenario"] = r.scenario;
  row["kind"] = std::string(to_string(r.kind));
  row["state"] = r.state;
  row["metric"] = r.metric;
  row["unit"] = r.unit;
  row["deterministic"] = r.deterministic;
  row["baseline"] = summary_json(r.baseline);
  row["candidate"] = summary_json(r.candidate);
  row["change_percent"] = json_number(r.change_percent);
  row["change_ci_percent"] =
      r.ci_available ? json({json_number(r.ci_low_percent), json_number(r.ci_high_percent)})
                     : json();
  row["p_value"] = r.deterministic ? json() : json_number(r.p_value);
  row["exact_test"] = r.exact_test;
  // Benjamini-Hochberg adjusted over the testable rows; null for a row not tested with them.
  row["q_value"] = r.testable ? json_number(r.q_value) : json();
  if (paired) row["pairs"] = r.pairs;
  row["threshold_percent"] = r.threshold_percent;
  if (r.change_floor > 0) row["change_floor"] = r.change_floor;
  row["verdict"] = to_string(r.verdict);
  row["note"] = r.note;
  return row;
}

json drift_json(const Drift& d) {
  return {
      {"run", d.run_id},      {"scenario", d.scenario},   {"kind", std::string(to_string(d.kind))},
      {"state", d.state},     {"metric", d.metric},       {"count", d.count},
      {"p_value", d.p_value}, {"sen_slope", d.sen_slope}, {"total_percent", d.total_percent}};
}

}  // namespace

void render_compare_json(std::ostream& out, const Comparison& c) {
  json doc;
  doc["schema_version"] = kCompareSchemaVersion;
  doc["baseline_runs"] = c.baseline_runs;
  doc["candidate_runs"] = c.candidate_runs;
  doc["paired"] = c.paired;
  if (c.paired) {
    doc["pairing"] = {
        {"fewest_pairs", c.fewest_pairs}, {"most_pairs", c.most_pairs}, {"order", c.pair_order}};
  }
  doc["summary"] = {{"regression", c.count(Verdict::kRegression)},
                    {"improvement", c.count(Verdict::kImprovement)},
                    {"no_change", c.count(Verdict::kNoChange)},
                    {"inconclusive", c.count(Verdict::kInconclusive)},
                    {"failed", c.count(Verdict::kFailed)}};
  doc["family"] = {{"testable", c.family.testable},
                   {"significant", c.family.significant},
                   {"discoveries", c.family.discoveries},
                   {"expected_by_chance", c.family.expected_by_chance},
                   {"alpha", c.family.alpha}};
  auto& rows = doc["rows"] = json::array();
  for (const auto& r : c.rows) rows.push_back(row_json(r, c.paired));
  auto& diffs = doc["fingerprint_differences"] = json::array();
  for (const auto& d : c.fingerprint_differences) {
    diffs.push_back({{"key", d.key}, {"baseline", d.baseline}, {"candidate", d.candidate}});
  }
  if (!c.input_changes.empty() || c.inputs_candidate_run != 0) {
    json changes = json::array();
    for (const auto& change : c.input_changes) {
      changes.push_back({{"input", change.input},
                         {"before", change.before},
                         {"after", change.after},
                         {"files", change.files}});
    }
    doc["what_changed"] = {{"baseline_run", c.inputs_baseline_run},
                           {"candidate_run", c.inputs_candidate_run},
                           {"changes", changes},
                           {"text", describe_changes(c.input_changes)}};
  }
  doc["stand_in_images"] = c.stand_in_images;
  if (!c.across_testbeds.empty()) doc["across_testbeds"] = c.across_testbeds;
  auto& drift = doc["drift"] = json::array();
  for (const auto& d : c.drift) drift.push_back(drift_json(d));
  doc["warnings"] = c.warnings;
  out << doc.dump(2) << "\n";
}

}  // namespace bb
