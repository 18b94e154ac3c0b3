#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "model/group_key.hpp"
#include "model/metrics.hpp"
#include "model/testbed.hpp"
#include "scenario/scenario.hpp"
#include "stats/fdr.hpp"
#include "stats/paired.hpp"
#include "stats/rank_tests.hpp"
#include "stats/stopping.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

std::string to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kRegression:
      return "regression";
    case Verdict::kImprovement:
      return "improvement";
    case Verdict::kNoChange:
      return "no change";
    case Verdict::kInconclusive:
      return "inconclusive";
    case Verdict::kFailed:
      return "failed";
  }
  return "?";
}

std::size_t Comparison::count(Verdict verdict) const {
  return std::count_if(rows.begin(), rows.end(),
                       [&](const ComparisonRow& r) { return r.verdict == verdict; });
}

const std::vector<std::string>& compared_metrics() {
  static const std::vector<std::string> metrics = compared_metric_names();
  return metrics;
}

double threshold_for(const CompareOptions& options, const std::string& scenario,
                     const std::string& metric) {
  if (auto it = options.thresholds.find(scenario + ":" + metric); it != options.thresholds.end()) {
    return it->second;
  }
  if (auto it = options.thresholds.find(metric); it != options.thresholds.end()) return it->second;
  const MetricInfo* info = find_metric(metric);
  return info ? info->threshold_percent : 5;
}

namespace {

using Key = MetricKey;

struct Group {
  std::vector<double> values;
  std::size_t failures = 0;
  std::size_t taken = 0;  // good samples of the metric's kind, whether they carry it or not
  std::vector<double> first_repetition;  // values from repetition 1, to spot a slow first run
};

std::map<Key, Group> group(const std::vector<StoredSample>& samples, const CompareOptions& options,
                           std::vector<std::string>* order) {
  std::map<Key, Group> groups;
  for (const auto& stored : samples) {
    const Sample& s = stored.sample;
    if (s.warmup && !options.include_warmup) continue;
    if (order && std::find(order->begin(), order->end(), s.scenario) == order->end()) {
      order->push_back(s.scenario);
    }
    for (const auto& metric : compared_metrics()) {
      Key key{GroupKey::of(s), metric};
      if (s.status != SampleStatus::kOk) {
        // A failed sample counts against every metric its kind would have measured.
        if (sample_kind_of(metric) == s.kind) ++groups[key].failures;
        continue;
      }
      if (sample_kind_of(metric) == s.kind) ++groups[key].taken;
      if (const double* value = s.get(metric)) {
        auto& g = groups[key];
        g.values.push_back(*value);
        if (s.repetition == 1) g.first_repetition.push_back(*value);
      }
    }
  }
  return groups;
}

double percent(double from, double to) {
  if (from == 0) return to == 0 ? 0 : std::copysign(INFINITY, to);
  return (to - from) / std::fabs(from) * 100;
}

using ValuePairs = std::vector<std::pair<double, double>>;  // (baseline, candidate)

double to_percent(double shift, bool log_scale, double scale) {
  return log_scale ? (std::exp(shift) - 1) * 100 : shift / scale * 100;
}

// Two independent groups: Mann-Whitney U, and the Hodges-Lehmann shift of log values (a
// ratio with its interval).
void estimate_unpaired(ComparisonRow& row, const Group& base, const Group& cand) {
  auto test = stats::mann_whitney(base.values, cand.values);
  row.p_value = test.p_value;
  row.exact_test = test.exact;
  row.p_floor = stats::smallest_p_value(base.values, cand.values);
  auto positive = [](const std::vector<double>& v) {
    return std::all_of(v.begin(), v.end(), [](double x) { return x > 0; });
  };
  bool log_scale = positive(base.values) && positive(cand.values);
  std::vector<double> x = base.values, y = cand.values;
  if (log_scale) {
    for (auto* values : {&x, &y}) {
      for (double& v : *values) v = std::log(v);
    }
  }
  double scale = std::fabs(row.baseline.median) > 0 ? std::fabs(row.baseline.median) : 1;
  auto shift = stats::hodges_lehmann(x, y);
  row.change_percent = to_percent(shift.estimate, log_scale, scale);
  row.ci_low_percent = to_percent(shift.low, log_scale, scale);
  row.ci_high_percent = to_percent(shift.high, log_scale, scale);
  row.ci_available = shift.interval_available;
}

// Pairs taken side by side: per-pair log ratios (differences when a value is not positive),
// the Hodges-Lehmann shift over their Walsh averages with its distribution-free interval, and
// the Wilcoxon signed-rank test.
void estimate_paired(ComparisonRow& row, const ValuePairs& pairs) {
  std::vector<double> base, cand;
  for (const auto& [b, c] : pairs) {
    base.push_back(b);
    cand.push_back(c);
  }
  bool log_scale = std::all_of(pairs.begin(), pairs.end(),
                               [](const auto& p) { return p.first > 0 && p.second > 0; });
  std::vector<double> differences;
  if (log_scale) {
    differences = stats::log_ratios(base, cand);
  } else {
    for (const auto& [b, c] : pairs) differences.push_back(c - b);
  }
  double scale = std::fabs(row.baseline.median) > 0 ? std::fabs(row.baseline.median) : 1;
  auto test = stats::wilcoxon_signed_rank(differences);
  auto shift = stats::walsh_hodges_lehmann(differences);
  row.p_value = test.p_value;
  row.exact_test = test.exact;
  row.p_floor = stats::wilcoxon_smallest_p_value(differences);
  row.pairs = pairs.size();
  row.change_percent = to_percent(shift.estimate, log_scale, scale);
  row.ci_low_percent = to_percent(shift.low, log_scale, scale);
  row.ci_high_percent = to_percent(shift.high, log_scale, scale);
  row.ci_available = shift.interval_available;
}

// The smallest p-value the row's test could give at all with its data's design.
double smallest_p(const ComparisonRow& row) {
  return row.p_floor;
}

// The one boundary rule of every metric, measured or deterministic: a change of exactly the
// threshold counts.
bool beyond_threshold(const ComparisonRow& row) {
  return std::fabs(row.change_percent) >= row.threshold_percent && row.change_percent != 0;
}

// The change floor as a share of the baseline median, in percent (0: none).
double floor_percent(const ComparisonRow& row) {
  double median = std::fabs(row.baseline.median);
  return row.change_floor > 0 && median > 0 ? row.change_floor / median * 100 : 0;
}

// The same boundary rule for the floor: a change of exactly the floor counts.
bool beyond_floor(const ComparisonRow& row) {
  return row.change_floor <= 0 || std::fabs(row.change_percent) >= floor_percent(row);
}

std::string in_ms(double seconds) {
  return fmt::format("{:.0f} ms", seconds * 1000);
}

// Significance (the adjusted p over `family` rows tested together; p itself for one) and a
// change beyond both the threshold and the floor, the same rule paired or not.
void decide(ComparisonRow& row, const CompareOptions& options, std::size_t family = 1) {
  const MetricInfo* info = find_metric(row.metric);
  bool lower_is_better = info ? info->lower_is_better : true;
  double t = row.threshold_percent;
  // A p below alpha from a design whose floor is not (the normal approximation's p can be)
  // is not evidence: no outcome of that design could be.
  bool significant = row.q_value < options.alpha && smallest_p(row) < options.alpha;
  bool worse = lower_is_better ? row.change_percent > 0 : row.change_percent < 0;
  std::string p_text =
      family > 1 ? fmt::format("p={:.3g}, q={:.3g} over {} rows", row.p_value, row.q_value, family)
                 : fmt::format("p={:.3g}", row.p_value);
  // The no-change band: the threshold, or the floor when that is wider.
  double band = std::max(t, floor_percent(row));
  std::string band_text = band > t
                              ? fmt::format("+/-{} (the precision floor)", in_ms(row.change_floor))
                              : fmt::format("+/-{:g}%", t);
  if (significant && beyond_threshold(row) && beyond_floor(row)) {
    row.verdict = worse ? Verdict::kRegression : Verdict::kImprovement;
    row.note = fmt::format("significant ({}) and beyond {:g}%", p_text, t);
    if (row.change_floor > 0) row.note += fmt::format(" and {}", in_ms(row.change_floor));
  } else if (significant && !beyond_threshold(row)) {
    row.verdict = Verdict::kNoChange;
    row.note = fmt::format("significant but within {:g}%", t);
  } else if (significant) {
    row.verdict = Verdict::kNoChange;
    row.note = fmt::format("significant but within the +/-{} precision floor of two medians",
                           in_ms(row.change_floor));
  } else if (row.ci_available && row.ci_low_percent > -band && row.ci_high_percent < band) {
    row.verdict = Verdict::kNoChange;
    row.note = fmt::format("interval within {}", band_text);
  } else if (smallest_p(row) >= options.alpha) {
    row.verdict = Verdict::kInconclusive;
    row.note = row.pairs > 0 ? fmt::format("{} pairs cannot reach p<{:g}; use more --pairs",
                                           row.pairs, options.alpha)
                             : fmt::format("{} vs {} samples cannot reach p<{:g}; use more --runs",
                                           row.baseline.count, row.candidate.count, options.alpha);
  } else if (row.p_value < options.alpha) {
    row.verdict = Verdict::kInconclusive;
    row.note = fmt::format(
        "{}: not a discovery at a false discovery rate of {:g}, interval reaches beyond {:g}%",
        p_text, options.alpha, t);
  } else {
    row.verdict = Verdict::kInconclusive;
    row.note =
        fmt::format("not significant (p={:.3g}), interval reaches beyond {:g}%", row.p_value, t);
  }
}

// `pairs`: the group's pairs when the comparison is paired, else null.
void judge(ComparisonRow& row, const Group& base, const Group& cand, const CompareOptions& options,
           const ValuePairs* pairs = nullptr) {
  const MetricInfo* info = find_metric(row.metric);
  bool lower_is_better = info ? info->lower_is_better : true;
  row.change_floor = change_floor_for(row.metric, options);
  row.baseline = stats::summarize(base.values, base.failures);
  row.candidate = stats::summarize(cand.values, cand.failures);
  if (base.values.empty() || cand.values.empty()) {
    row.verdict = Verdict::kFailed;
    row.note =
        base.values.empty() ? "no successful baseline sample" : "no successful candidate sample";
    return;
  }
  row.change_percent = percent(row.baseline.median, row.candidate.median);
  if (row.deterministic) {
    // Same inputs give the same value: compared exactly, no test.
    row.ci_low_percent = row.ci_high_percent = row.change_percent;
    row.p_value = row.change_percent == 0 ? 1 : 0;
    bool worse = lower_is_better ? row.change_percent > 0 : row.change_percent < 0;
    if (beyond_threshold(row)) {
      row.verdict = worse ? Verdict::kRegression : Verdict::kImprovement;
      row.note = "deterministic, compared exactly";
    } else {
      row.verdict = Verdict::kNoChange;
      row.note = row.change_percent == 0 ? "identical" : "within threshold";
    }
    return;
  }
  if (pairs && pairs->empty()) {
    row.p_floor = stats::smallest_p_value(static_cast<int>(row.baseline.count),
                                          static_cast<int>(row.candidate.count));
    row.verdict = Verdict::kInconclusive;
    row.note = "no pair with both samples successful";
    return;
  }
  if (pairs) {
    estimate_paired(row, *pairs);
  } else {
    estimate_unpaired(row, base, cand);
  }
  row.testable = smallest_p(row) < options.alpha;
  row.q_value = row.p_value;  // on its own; compare adjusts it over its rows
  decide(row, options);
}

// The value pairs of each group, from the stored pairs whose two samples both succeeded.
std::map<Key, ValuePairs> pair_values(const std::vector<StoredSample>& baseline,
                                      const std::vector<StoredSample>& candidate,
                                      const std::vector<PairRecord>& pairs,
                                      const CompareOptions& options) {
  std::map<std::int64_t, const Sample*> base_by_id, cand_by_id;
  for (const auto& s : baseline) base_by_id[s.id] = &s.sample;
  for (const auto& s : candidate) cand_by_id[s.id] = &s.sample;
  std::map<Key, ValuePairs> result;
  for (const auto& pair : pairs) {
    auto b = base_by_id.find(pair.baseline_sample_id);
    auto c = cand_by_id.find(pair.candidate_sample_id);
    if (b == base_by_id.end() || c == cand_by_id.end()) continue;
    const Sample& base = *b->second;
    const Sample& cand = *c->second;
    if (base.warmup && !options.include_warmup) continue;
    if (base.status != SampleStatus::kOk || cand.status != SampleStatus::kOk) continue;
    for (const auto& metric : compared_metrics()) {
      const double* bv = base.get(metric);
      const double* cv = cand.get(metric);
      if (bv && cv) result[{GroupKey::of(base), metric}].push_back({*bv, *cv});
    }
  }
  return result;
}

std::string flatten(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace

ComparisonRow compare_values(const std::string& metric, const std::vector<double>& baseline,
                             const std::vector<double>& candidate, const CompareOptions& options,
                             const std::string& scenario) {
  ComparisonRow row;
  row.scenario = scenario;
  row.metric = metric;
  const MetricInfo* info = find_metric(metric);
  row.unit = info ? std::string(info->unit) : "";
  row.deterministic = info && info->deterministic;
  row.threshold_percent = threshold_for(options, scenario, metric);
  Group b, c;
  b.values = baseline;
  c.values = candidate;
  judge(row, b, c, options);
  return row;
}

RowFamily control_false_discoveries(std::vector<ComparisonRow>& rows,
                                    const CompareOptions& options) {
  // Only rows whose design can reach p < alpha count in m: a test that cannot reject cannot
  // be a false discovery, and counting it would only dilute the others (Tarone 1990).
  std::vector<std::size_t> tested;
  std::vector<double> p_values;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].testable) continue;
    tested.push_back(i);
    p_values.push_back(rows[i].p_value);
  }
  auto adjusted = stats::benjamini_hochberg(p_values);
  RowFamily family;
  family.alpha = options.alpha;
  family.testable = tested.size();
  family.expected_by_chance = options.alpha * static_cast<double>(tested.size());
  for (std::size_t k = 0; k < tested.size(); ++k) {
    ComparisonRow& row = rows[tested[k]];
    row.q_value = adjusted[k];
    decide(row, options, tested.size());
    family.significant += row.p_value < options.alpha;
    family.discoveries += row.q_value < options.alpha;
  }
  return family;
}

// A build median is known to +-f (the run's precision floor), so the difference of two is
// known to about +-f sqrt(2): a cached rebuild's jitter from the CLI's own start is in it.
double change_floor_for(const std::string& metric, const CompareOptions& options) {
  if (metric != kBuildSeconds) return 0;
  return std::sqrt(2.0) * options.build_floor_seconds.value_or(stats::kBuildPrecisionFloorSeconds);
}

std::string describe_family(const RowFamily& family, const std::string& rows) {
  return fmt::format(
      "{} of {} testable {} significant at p<{:g}, about {:.2g} expected by chance; {} remain at "
      "a false discovery rate of {:g} (Benjamini-Hochberg)",
      family.significant, family.testable, rows, family.alpha, family.expected_by_chance,
      family.discoveries, family.alpha);
}

double build_floor_seconds(const std::vector<RunRecord>& runs) {
  double widest = 0;
  bool any = false;
  for (const auto& run : runs) {
    const auto& o = run.options;
    if (!o.is_object()) continue;
    auto number = [&](const char* key) {
      auto it = o.find(key);
      return it != o.end() && it->is_number() ? it->get<double>() : 0.0;
    };
    // A fixed design stops on no precision, but its medians jitter as much.
    double floor = number("build_precision") > 0 ? number("build_precision_floor")
                                                 : stats::kBuildPrecisionFloorSeconds;
    widest = std::max(widest, floor);
    any = true;
  }
  return any ? widest : stats::kBuildPrecisionFloorSeconds;
}

std::vector<FingerprintDifference> fingerprint_differences(const std::vector<RunRecord>& a,
                                                           const std::vector<RunRecord>& b) {
  auto collect = [](const std::vector<RunRecord>& runs) {
    std::map<std::string, std::set<std::string>> values;
    static const std::set<std::string> named_by_what_changed = {
        "base_images", "inputs", "docker_server", "buildkit",
        "containerd",  "runc",   "kernel",        "cpu_model"};
    for (const auto& run : runs) {
      if (!run.fingerprint.is_object()) continue;
      for (const auto& [key, value] : run.fingerprint.items()) {
        if (!named_by_what_changed.count(key)) values[key].insert(flatten(value));
      }
    }
    return values;
  };
  auto va = collect(a), vb = collect(b);
  std::set<std::string> keys;
  for (const auto& [k, v] : va) keys.insert(k);
  for (const auto& [k, v] : vb) keys.insert(k);
  std::vector<FingerprintDifference> differences;
  for (const auto& key : keys) {
    if (va[key] == vb[key]) continue;
    auto join = [](const std::set<std::string>& s) {
      return s.empty() ? std::string("(missing)") : fmt::format("{}", fmt::join(s, " | "));
    };
    differences.push_back({key, join(va[key]), join(vb[key])});
  }
  return differences;
}

namespace {

// Scenario order (the suite's, then as they appear), kind, state, metric.
std::vector<Key> sorted_keys(const std::map<Key, Group>& base, const std::map<Key, Group>& cand,
                             std::vector<std::string> order) {
  for (const auto& [key, g] : base) {
    if (std::find(order.begin(), order.end(), key.group.scenario) == order.end()) {
      order.push_back(key.group.scenario);
    }
  }
  std::set<Key> keys;
  for (const auto& [k, g] : base) keys.insert(k);
  for (const auto& [k, g] : cand) keys.insert(k);
  std::vector<Key> sorted(keys.begin(), keys.end());
  auto rank = [&](const Key& k) {
    // Cache states in protocol order, then start-up modes (as-built first, others by name).
    static const std::vector<std::string> states = [] {
      auto names = cache_state_names();
      names.emplace_back(kAsBuilt);
      return names;
    }();
    const auto& metrics = compared_metrics();
    const auto& [scenario, kind, state] = k.group;
    return std::make_tuple(std::find(order.begin(), order.end(), scenario) - order.begin(), kind,
                           std::find(states.begin(), states.end(), state) - states.begin(), state,
                           std::find(metrics.begin(), metrics.end(), k.metric) - metrics.begin());
  };
  std::sort(sorted.begin(), sorted.end(),
            [&](const Key& a, const Key& b) { return rank(a) < rank(b); });
  return sorted;
}

// Findings about one row that go into the warnings, collected over all rows.
struct RowFindings {
  std::vector<std::string> too_few, noisy;
};

void note_row(Comparison& result, RowFindings& findings, const ComparisonRow& row, const Group& b,
              const Group& c, const CompareOptions& options) {
  std::string where = fmt::format("{} {} {}", printable(row.scenario), row.state, row.metric);
  if (b.failures + c.failures > 0 &&
      row.metric == (row.kind == SampleKind::kBuild ? kBuildSeconds : kStartupSeconds)) {
    result.warnings.push_back(fmt::format(
        "{}: {} failed sample(s) ({} baseline, {} candidate); see 'buildbench export' for the "
        "errors",
        where, b.failures + c.failures, b.failures, c.failures));
  }
  if (!row.deterministic && row.verdict == Verdict::kInconclusive &&
      smallest_p(row) >= options.alpha) {
    findings.too_few.push_back(
        row.pairs > 0 ? fmt::format("{} ({} pairs)", where, row.pairs)
                      : fmt::format("{} ({} vs {})", where, b.values.size(), c.values.size()));
  }
  const MetricInfo* info = find_metric(row.metric);
  if (row.deterministic || !info || info->kind != MetricKind::kTime) return;
  for (const auto* summary : {&row.baseline, &row.candidate}) {
    if (summary->count >= 3 && summary->cv > options.noisy_cv) {
      findings.noisy.push_back(fmt::format("{} {} (CV {:.0f}%)", where,
                                           summary == &row.baseline ? "baseline" : "candidate",
                                           summary->cv * 100));
    }
  }
  for (const auto* group_of : {&b, &c}) {
    if (group_of->values.size() >= 3 && group_of->first_repetition.size() == 1 &&
        group_of->first_repetition.front() > 1.5 * stats::median(group_of->values)) {
      result.warnings.push_back(fmt::format(
          "{}: the first run of the {} is much slower than the rest (caches filling?); use "
          "--warmup 1",
          where, group_of == &b ? "baseline" : "candidate"));
    }
  }
}

std::string listing(const std::vector<std::string>& items) {
  std::string text = fmt::format(
      "{}", fmt::join(items.begin(), items.begin() + std::min<std::size_t>(items.size(), 3), "; "));
  if (items.size() > 3) text += fmt::format("; and {} more", items.size() - 3);
  return text;
}

void add_findings(Comparison& result, const RowFindings& findings, const CompareOptions& options) {
  if (!findings.too_few.empty()) {
    result.warnings.push_back(
        fmt::format("{} comparison(s) have too few samples to ever reach p<{:g}: {}; {}",
                    findings.too_few.size(), options.alpha, listing(findings.too_few),
                    result.paired ? "rerun 'buildbench ab' with --pairs 6 or more"
                                  : "rerun with --runs 5 or more (--startup-runs for start-up)"));
  }
  if (!findings.noisy.empty()) {
    result.warnings.push_back(fmt::format(
        "{} noisy group(s): {}; close other work on the machine, add --warmup, or raise --runs",
        findings.noisy.size(), listing(findings.noisy)));
  }
  for (const auto& drift : result.drift) {
    result.warnings.push_back(fmt::format(
        "drift within a run: {}; {}", describe_drift(drift),
        result.paired ? "the pairs cancel what both sides share, but look for other work or "
                        "throttling on the machine"
                      : "drift widens the spread and, between runs, passes for a change; "
                        "compare side by side with 'buildbench ab'"));
  }
}

void describe_pairing(Comparison& result, const std::vector<RunRecord>& runs) {
  std::set<std::string> orders;
  for (const auto& run : runs) {
    if (run.options.is_object() && run.options.contains("ab"))
      orders.insert(run.options["ab"].value("order", std::string()));
  }
  orders.erase("");
  result.pair_order = fmt::format("{}", fmt::join(orders, ", "));
  for (const auto& row : result.rows) {
    if (row.pairs == 0) continue;
    result.fewest_pairs =
        result.fewest_pairs ? std::min(result.fewest_pairs, row.pairs) : row.pairs;
    result.most_pairs = std::max(result.most_pairs, row.pairs);
  }
}

void note_environment(Comparison& result, const std::vector<RunRecord>& baseline_runs,
                      const std::vector<RunRecord>& candidate_runs, const CompareOptions& options) {
  result.fingerprint_differences = fingerprint_differences(baseline_runs, candidate_runs);
  if (!baseline_runs.empty() && !candidate_runs.empty()) {
    result.inputs_baseline_run = baseline_runs.back().id;
    result.inputs_candidate_run = candidate_runs.back().id;
    result.input_changes =
        what_changed(baseline_runs.back(), candidate_runs.back(), options.git_dir);
  }
  for (const auto* runs : {&baseline_runs, &candidate_runs}) {
    for (const auto& run : *runs) {
      if (!run.fingerprint.contains("base_images")) continue;
      for (const auto& [ref, fact] : run.fingerprint["base_images"].items()) {
        if (fact.value("stand_in", false)) result.stand_in_images = true;
      }
    }
  }
  std::vector<RunRecord> all = baseline_runs;
  all.insert(all.end(), candidate_runs.begin(), candidate_runs.end());
  if (testbeds_of(all).size() > 1) result.across_testbeds = describe_testbeds(all);
  if (result.stand_in_images) {
    result.warnings.push_back(
        "results come from stand-in base images (scripts/lab-images), not the official ones; "
        "absolute numbers differ from what users of the official images see");
  }
}

}  // namespace

Comparison compare(const std::vector<RunRecord>& baseline_runs,
                   const std::vector<StoredSample>& baseline,
                   const std::vector<RunRecord>& candidate_runs,
                   const std::vector<StoredSample>& candidate, const CompareOptions& given,
                   const std::vector<PairRecord>& pairs) {
  CompareOptions options = given;
  if (!options.build_floor_seconds) {
    options.build_floor_seconds =
        std::max(build_floor_seconds(baseline_runs), build_floor_seconds(candidate_runs));
  }
  Comparison result;
  for (const auto& r : baseline_runs) result.baseline_runs.push_back(r.id);
  for (const auto& r : candidate_runs) result.candidate_runs.push_back(r.id);
  result.paired = options.pairing != CompareOptions::Pairing::kUnpaired && !pairs.empty();
  std::map<Key, ValuePairs> paired;
  if (result.paired) paired = pair_values(baseline, candidate, pairs, options);
  std::vector<std::string> order = options.scenario_order;
  auto base = group(baseline, options, nullptr);
  auto cand = group(candidate, options, &order);
  RowFindings findings;
  std::vector<std::string> unmeasured;
  for (const auto& key : sorted_keys(base, cand, order)) {
    const Group& b = base[key];
    const Group& c = cand[key];
    if (b.values.empty() && c.values.empty() && b.failures == 0 && c.failures == 0) continue;
    // Good samples without the metric did not measure it (a run without image statistics,
    // or a warm image whose layers a later version no longer reads): nothing to compare.
    auto not_taken = [](const Group& g) { return g.values.empty() && g.failures == 0 && g.taken; };
    if (not_taken(b) || not_taken(c)) {
      // Worth a word only when the other side has it; a side whose samples all failed is
      // reported on the figure's own row.
      if (!b.values.empty() || !c.values.empty()) unmeasured.push_back(to_string(key));
      continue;
    }
    ComparisonRow row;
    row.scenario = key.group.scenario;
    row.kind = key.group.kind;
    row.state = key.group.state;
    row.metric = key.metric;
    const MetricInfo* info = find_metric(row.metric);
    row.unit = info ? std::string(info->unit) : "";
    row.deterministic = info && info->deterministic;
    row.threshold_percent = threshold_for(options, row.scenario, row.metric);
    judge(row, b, c, options, result.paired ? &paired[key] : nullptr);
    result.rows.push_back(row);
    note_row(result, findings, row, b, c, options);
  }
  result.family = control_false_discoveries(result.rows, options);
  if (!unmeasured.empty()) {
    result.warnings.push_back(fmt::format("{} group(s) not compared, measured on one side only: {}",
                                          unmeasured.size(), fmt::join(unmeasured, ", ")));
  }
  if (result.paired) describe_pairing(result, candidate_runs);
  result.drift = find_drift(baseline, options);
  for (auto& drift : find_drift(candidate, options)) result.drift.push_back(drift);
  add_findings(result, findings, options);
  note_environment(result, baseline_runs, candidate_runs, options);
  std::sort(result.warnings.begin(), result.warnings.end());
  result.warnings.erase(std::unique(result.warnings.begin(), result.warnings.end()),
                        result.warnings.end());
  return result;
}

std::vector<Drift> find_drift(const std::vector<StoredSample>& samples,
                              const CompareOptions& options) {
  // Per run and group, the headline time in the order the samples were taken.
  std::vector<const StoredSample*> ordered;
  for (const auto& s : samples) ordered.push_back(&s);
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
    return std::tie(a->run_id, a->id) < std::tie(b->run_id, b->id);
  });
  std::map<std::pair<std::int64_t, GroupKey>, std::vector<double>> series;
  for (const auto* stored : ordered) {
    const Sample& s = stored->sample;
    if (s.warmup || s.status != SampleStatus::kOk) continue;
    const double* value = s.get(s.kind == SampleKind::kBuild ? kBuildSeconds : kStartupSeconds);
    if (value) series[{stored->run_id, GroupKey::of(s)}].push_back(*value);
  }
  std::vector<Drift> found;
  for (const auto& [key, values] : series) {
    if (values.size() < 4) continue;
    Drift drift;
    drift.run_id = key.first;
    drift.scenario = key.second.scenario;
    drift.kind = key.second.kind;
    drift.state = key.second.state;
    drift.metric = drift.kind == SampleKind::kBuild ? kBuildSeconds : kStartupSeconds;
    auto trend = stats::mann_kendall(values, options.alpha);
    double median = stats::median(values);
    drift.count = values.size();
    drift.p_value = trend.p_value;
    drift.sen_slope = trend.sen_slope;
    drift.total_percent = median > 0 ? trend.sen_slope * (values.size() - 1) / median * 100 : 0;
    double threshold = threshold_for(options, drift.scenario, drift.metric);
    if (trend.trending && std::fabs(drift.total_percent) >= threshold) found.push_back(drift);
  }
  // A scenario's builds before its start-ups, as compare lists its rows.
  std::stable_sort(found.begin(), found.end(), [](const Drift& a, const Drift& b) {
    return std::tie(a.run_id, a.scenario, a.kind) < std::tie(b.run_id, b.scenario, b.kind);
  });
  return found;
}

std::string describe_drift(const Drift& d) {
  return fmt::format(
      "{} {} {} (run {}): {:+.1f}% from first to last of {} repetitions (Mann-Kendall p={:.3g}, "
      "Sen's slope {:+.3g} s per repetition)",
      printable(d.scenario), d.state, d.metric, d.run_id, d.total_percent, d.count, d.p_value,
      d.sen_slope);
}

void require_one_testbed(const std::vector<RunRecord>& baseline_runs,
                         const std::vector<RunRecord>& candidate_runs, bool across) {
  std::vector<RunRecord> all = baseline_runs;
  all.insert(all.end(), candidate_runs.begin(), candidate_runs.end());
  if (across || testbeds_of(all).size() <= 1) return;
  throw UsageError(fmt::format(
      "the baseline ran on testbed {} and the candidate on {}: a difference between machines "
      "or labs would pass for one between the versions; compare runs of one testbed (run "
      "--testbed NAME names it), or pass --across-testbeds to compare them anyway",
      describe_testbeds(baseline_runs), describe_testbeds(candidate_runs)));
}

bool different_hosts_or_tools(const Comparison& comparison) {
  static const std::set<std::string> host_and_tools = {"engine", "buildkit", "containerd",
                                                       "runc",   "kernel",   "cpu"};
  if (!comparison.fingerprint_differences.empty()) return true;
  for (const auto& change : comparison.input_changes) {
    if (is_unknown(change)) continue;
    if (host_and_tools.count(change.input) || change.input.rfind("base image ", 0) == 0)
      return true;
  }
  return false;
}

}  // namespace bb
