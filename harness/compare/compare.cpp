#include "compare/compare.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "measure/metrics.hpp"
#include "stats/rank_tests.hpp"
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
  static const std::vector<std::string> metrics = {
      std::string(kBuildSeconds),       std::string(kStepsCached),
      std::string(kImageBytes),         std::string(kImageCompressedBytes),
      std::string(kPycBytes),           std::string(kStartupSeconds),
      std::string(kStartupNetSeconds),  std::string(kInterpreterReadySeconds),
      std::string(kModulesCompiled),    std::string(kCacheExportSeconds),
      std::string(kCacheImportSeconds), std::string(kPushSeconds),
      std::string(kPullSeconds),        std::string(kRegistryBytes)};
  return metrics;
}

double threshold_for(const CompareOptions& options, const std::string& scenario,
                     const std::string& metric) {
  if (auto it = options.thresholds.find(scenario + ":" + metric); it != options.thresholds.end()) {
    return it->second;
  }
  if (auto it = options.thresholds.find(metric); it != options.thresholds.end()) return it->second;
  const MetricInfo* info = find_metric(metric);
  if (!info) return 5;
  switch (info->kind) {
    case MetricKind::kTime:
      return 5;
    case MetricKind::kSize:
      return 1;
    case MetricKind::kCount:
      return 0;
  }
  return 5;
}

namespace {

std::string metric_kind_of(const std::string& metric) {
  static const std::set<std::string> build = {
      std::string(kBuildSeconds),       std::string(kStepsCached),
      std::string(kImageBytes),         std::string(kImageCompressedBytes),
      std::string(kPycBytes),           std::string(kCacheExportSeconds),
      std::string(kCacheImportSeconds), std::string(kPushSeconds),
      std::string(kPullSeconds),        std::string(kRegistryBytes)};
  return build.count(metric) ? "build" : "startup";
}

using Key =
    std::tuple<std::string, std::string, std::string, std::string>;  // scenario kind state metric

struct Group {
  std::vector<double> values;
  std::size_t failures = 0;
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
      Key key{s.scenario, s.kind, s.state, metric};
      if (s.status != "ok") {
        // A failed sample counts against every metric its kind would have measured.
        if (metric_kind_of(metric) == s.kind) ++groups[key].failures;
        continue;
      }
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

void judge(ComparisonRow& row, const Group& base, const Group& cand,
           const CompareOptions& options) {
  const MetricInfo* info = find_metric(row.metric);
  bool lower_is_better = info ? info->lower_is_better : true;
  row.baseline = stats::summarize(base.values, base.failures);
  row.candidate = stats::summarize(cand.values, cand.failures);
  if (base.values.empty() || cand.values.empty()) {
    row.verdict = Verdict::kFailed;
    row.note =
        base.values.empty() ? "no successful baseline sample" : "no successful candidate sample";
    return;
  }
  row.change_percent = percent(row.baseline.median, row.candidate.median);
  auto worse = [&](double change) { return lower_is_better ? change > 0 : change < 0; };
  double t = row.threshold_percent;
  if (row.deterministic) {
    // Same inputs give the same value: compared exactly, no test.
    row.ci_low_percent = row.ci_high_percent = row.change_percent;
    row.p_value = row.change_percent == 0 ? 1 : 0;
    if (std::fabs(row.change_percent) > t && row.change_percent != 0) {
      row.verdict = worse(row.change_percent) ? Verdict::kRegression : Verdict::kImprovement;
      row.note = "deterministic, compared exactly";
    } else {
      row.verdict = Verdict::kNoChange;
      row.note = row.change_percent == 0 ? "identical" : "within threshold";
    }
    return;
  }
  auto test = stats::mann_whitney(base.values, cand.values);
  row.p_value = test.p_value;
  row.exact_test = test.exact;
  // Change in percent from the Hodges-Lehmann shift of log values: a ratio with its interval.
  bool positive =
      std::all_of(base.values.begin(), base.values.end(), [](double v) { return v > 0; }) &&
      std::all_of(cand.values.begin(), cand.values.end(), [](double v) { return v > 0; });
  if (positive) {
    std::vector<double> lx, ly;
    for (double v : base.values) lx.push_back(std::log(v));
    for (double v : cand.values) ly.push_back(std::log(v));
    auto shift = stats::hodges_lehmann(lx, ly);
    row.change_percent = (std::exp(shift.estimate) - 1) * 100;
    row.ci_low_percent = (std::exp(shift.low) - 1) * 100;
    row.ci_high_percent = (std::exp(shift.high) - 1) * 100;
    row.ci_available = shift.interval_available;
  } else {
    auto shift = stats::hodges_lehmann(base.values, cand.values);
    double scale = std::fabs(row.baseline.median) > 0 ? std::fabs(row.baseline.median) : 1;
    row.change_percent = shift.estimate / scale * 100;
    row.ci_low_percent = shift.low / scale * 100;
    row.ci_high_percent = shift.high / scale * 100;
    row.ci_available = shift.interval_available;
  }
  bool significant = row.p_value < options.alpha;
  bool beyond = std::fabs(row.change_percent) >= t && row.change_percent != 0;
  int m = static_cast<int>(base.values.size()), n = static_cast<int>(cand.values.size());
  if (significant && beyond) {
    row.verdict = worse(row.change_percent) ? Verdict::kRegression : Verdict::kImprovement;
    row.note = fmt::format("significant (p={:.3g}) and beyond {:g}%", row.p_value, t);
  } else if (significant) {
    row.verdict = Verdict::kNoChange;
    row.note = fmt::format("significant but within {:g}%", t);
  } else if (row.ci_available && row.ci_low_percent > -t && row.ci_high_percent < t) {
    row.verdict = Verdict::kNoChange;
    row.note = fmt::format("interval within +/-{:g}%", t);
  } else if (stats::smallest_p_value(m, n) >= options.alpha) {
    row.verdict = Verdict::kInconclusive;
    row.note =
        fmt::format("{} vs {} samples cannot reach p<{:g}; use more --runs", m, n, options.alpha);
  } else {
    row.verdict = Verdict::kInconclusive;
    row.note =
        fmt::format("not significant (p={:.3g}), interval reaches beyond {:g}%", row.p_value, t);
  }
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

std::vector<FingerprintDifference> fingerprint_differences(const std::vector<RunRecord>& a,
                                                           const std::vector<RunRecord>& b) {
  auto collect = [](const std::vector<RunRecord>& runs) {
    std::map<std::string, std::set<std::string>> values;
    for (const auto& run : runs) {
      if (!run.fingerprint.is_object()) continue;
      for (const auto& [key, value] : run.fingerprint.items()) values[key].insert(flatten(value));
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

Comparison compare(const std::vector<RunRecord>& baseline_runs,
                   const std::vector<StoredSample>& baseline,
                   const std::vector<RunRecord>& candidate_runs,
                   const std::vector<StoredSample>& candidate, const CompareOptions& options) {
  Comparison result;
  for (const auto& r : baseline_runs) result.baseline_runs.push_back(r.id);
  for (const auto& r : candidate_runs) result.candidate_runs.push_back(r.id);
  std::vector<std::string> order = options.scenario_order;
  auto base = group(baseline, options, nullptr);
  auto cand = group(candidate, options, &order);
  for (const auto& [key, g] : base) {
    if (std::find(order.begin(), order.end(), std::get<0>(key)) == order.end()) {
      order.push_back(std::get<0>(key));
    }
  }
  std::set<Key> keys;
  for (const auto& [k, g] : base) keys.insert(k);
  for (const auto& [k, g] : cand) keys.insert(k);
  std::vector<Key> sorted(keys.begin(), keys.end());
  auto position = [&](const std::string& scenario) {
    return std::find(order.begin(), order.end(), scenario) - order.begin();
  };
  auto state_rank = [](const std::string& s) {
    static const std::vector<std::string> ranks = {"cold",      "warm-nochange", "warm-code",
                                                   "warm-deps", "bytecode",      "none"};
    return std::find(ranks.begin(), ranks.end(), s) - ranks.begin();
  };
  auto metric_rank = [](const std::string& m) {
    const auto& list = compared_metrics();
    return std::find(list.begin(), list.end(), m) - list.begin();
  };
  std::sort(sorted.begin(), sorted.end(), [&](const Key& a, const Key& b) {
    return std::make_tuple(position(std::get<0>(a)), std::get<1>(a), state_rank(std::get<2>(a)),
                           metric_rank(std::get<3>(a))) <
           std::make_tuple(position(std::get<0>(b)), std::get<1>(b), state_rank(std::get<2>(b)),
                           metric_rank(std::get<3>(b)));
  });
  std::vector<std::string> too_few, noisy;
  for (const auto& key : sorted) {
    const Group& b = base[key];
    const Group& c = cand[key];
    if (b.values.empty() && c.values.empty() && b.failures == 0 && c.failures == 0) continue;
    ComparisonRow row;
    std::tie(row.scenario, row.kind, row.state, row.metric) = key;
    const MetricInfo* info = find_metric(row.metric);
    row.unit = info ? std::string(info->unit) : "";
    row.deterministic = info && info->deterministic;
    row.threshold_percent = threshold_for(options, row.scenario, row.metric);
    judge(row, b, c, options);
    result.rows.push_back(row);

    // Warnings that say what to do.
    std::string where = fmt::format("{} {} {}", printable(row.scenario), row.state, row.metric);
    if (b.failures + c.failures > 0 &&
        row.metric ==
            (row.kind == "build" ? std::string(kBuildSeconds) : std::string(kStartupSeconds))) {
      result.warnings.push_back(fmt::format(
          "{}: {} failed sample(s) ({} baseline, {} candidate); see 'buildbench export' for the "
          "errors",
          where, b.failures + c.failures, b.failures, c.failures));
    }
    if (!row.deterministic && row.verdict == Verdict::kInconclusive &&
        stats::smallest_p_value(static_cast<int>(b.values.size()),
                                static_cast<int>(c.values.size())) >= options.alpha) {
      too_few.push_back(fmt::format("{} ({} vs {})", where, b.values.size(), c.values.size()));
    }
    if (!row.deterministic && info && info->kind == MetricKind::kTime) {
      for (const auto* summary : {&row.baseline, &row.candidate}) {
        if (summary->count >= 3 && summary->cv > options.noisy_cv) {
          noisy.push_back(fmt::format("{} {} (CV {:.0f}%)", where,
                                      summary == &row.baseline ? "baseline" : "candidate",
                                      summary->cv * 100));
        }
      }
      for (const auto* group_of : {&b, &c}) {
        if (group_of->values.size() >= 3 && group_of->first_repetition.size() == 1) {
          double first = group_of->first_repetition.front();
          if (first > 1.5 * stats::median(group_of->values)) {
            result.warnings.push_back(fmt::format(
                "{}: the first run of the {} is much slower than the rest (caches filling?); "
                "use --warmup 1",
                where, group_of == &b ? "baseline" : "candidate"));
          }
        }
      }
    }
  }
  auto listing = [](const std::vector<std::string>& items) {
    std::string text = fmt::format(
        "{}",
        fmt::join(items.begin(), items.begin() + std::min<std::size_t>(items.size(), 3), "; "));
    if (items.size() > 3) text += fmt::format("; and {} more", items.size() - 3);
    return text;
  };
  if (!too_few.empty()) {
    result.warnings.push_back(fmt::format(
        "{} comparison(s) have too few samples to ever reach p<{:g}: {}; rerun with --runs 5 or "
        "more (--startup-runs for start-up)",
        too_few.size(), options.alpha, listing(too_few)));
  }
  if (!noisy.empty()) {
    result.warnings.push_back(fmt::format(
        "{} noisy group(s): {}; close other work on the machine, add --warmup, or raise --runs",
        noisy.size(), listing(noisy)));
  }
  result.fingerprint_differences = fingerprint_differences(baseline_runs, candidate_runs);
  for (const auto* runs : {&baseline_runs, &candidate_runs}) {
    for (const auto& run : *runs) {
      if (!run.fingerprint.contains("base_images")) continue;
      for (const auto& [ref, fact] : run.fingerprint["base_images"].items()) {
        if (fact.value("stand_in", false)) result.stand_in_images = true;
      }
    }
  }
  if (result.stand_in_images) {
    result.warnings.push_back(
        "results come from stand-in base images (scripts/lab-images), not the official ones; "
        "absolute numbers differ from what users of the official images see");
  }
  std::sort(result.warnings.begin(), result.warnings.end());
  result.warnings.erase(std::unique(result.warnings.begin(), result.warnings.end()),
                        result.warnings.end());
  return result;
}

}  // namespace bb
