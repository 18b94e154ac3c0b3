#include "compare/claims.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <boost/math/distributions/normal.hpp>

#include "model/metrics.hpp"
#include "stats/paired.hpp"
#include "stats/pooling.hpp"
#include "stats/power.hpp"
#include "stats/rank_tests.hpp"
#include "stats/sequential.hpp"
#include "stats/summary.hpp"

namespace bb {

SampleGroups::SampleGroups(const std::vector<StoredSample>& samples) {
  for (const auto& stored : samples) {
    const Sample& s = stored.sample;
    if (s.warmup) continue;
    if (s.status != SampleStatus::kOk) {
      ++failures[GroupKey::of(s)];
      continue;
    }
    for (const auto& m : s.metrics) values[{GroupKey::of(s), m.name}].push_back(m.value);
  }
}

std::vector<double> SampleGroups::get(const std::string& scenario, const std::string& state,
                                      const std::string& metric) const {
  if (!state.empty()) {
    auto it = values.find({{scenario, sample_kind_of(metric), state}, metric});
    return it == values.end() ? std::vector<double>{} : it->second;
  }
  // Deterministic build metrics are the same in every state: prefer cold, else any.
  auto cold = get(scenario, to_string(CacheState::kCold), metric);
  if (!cold.empty()) return cold;
  std::vector<double> all;
  for (const auto& [key, v] : values) {
    if (key.group.scenario == scenario && key.metric == metric)
      all.insert(all.end(), v.begin(), v.end());
  }
  return all;
}

std::string to_string(ClaimVerdict verdict) {
  switch (verdict) {
    case ClaimVerdict::kConfirmed:
      return "confirmed";
    case ClaimVerdict::kRefutedOtherWay:
      return "refuted-other-way";
    case ClaimVerdict::kRefutedNoDifference:
      return "refuted-no-difference";
    case ClaimVerdict::kInconclusive:
      return "inconclusive";
  }
  return "?";
}

double claim_delta_percent(const Claim& claim) {
  if (claim.delta_percent) return *claim.delta_percent;
  const MetricInfo* info = find_metric(claim.metric);
  return info ? default_claim_delta_percent(*info) : 0;
}

namespace {

double log_of(double percent) {
  return std::log1p(percent / 100);
}

std::string interval_text(double low, double high) {
  return fmt::format("[{:+.1f}, {:+.1f}]", low, high);
}

void decide_deterministic(ClaimResult& r, bool want_less) {
  double c = r.change_percent, d = r.delta_percent;
  bool holds = want_less ? c < 0 : c > 0;
  if (holds) {
    r.verdict = ClaimVerdict::kConfirmed;
    r.beyond_delta = d > 0 && std::fabs(c) >= d;
    r.reason = "deterministic metric, compared exactly";
  } else if (std::fabs(c) < d || c == 0) {
    r.verdict = ClaimVerdict::kRefutedNoDifference;
    r.reason =
        c == 0
            ? "deterministic metric: the same value on both sides"
            : fmt::format("deterministic metric: {:+.2f}%, the other way but within ±{:g}%", c, d);
  } else {
    r.verdict = ClaimVerdict::kRefutedOtherWay;
    r.reason = "deterministic metric, compared exactly";
  }
}

}  // namespace

void decide_claim(ClaimResult& r, double alpha, double runs_a_side) {
  bool want_less = r.claim.relation == "less";
  double d = r.delta_percent;
  r.beyond_delta = false;
  r.further_runs = 0;
  if (r.deterministic) return decide_deterministic(r, want_less);
  double low = r.ci_low_percent, high = r.ci_high_percent;
  bool claimed_side = want_less ? high < 0 : low > 0;
  bool other_side = want_less ? low > 0 : high < 0;
  bool tost_inside = r.tost_available && r.tost_low_percent > -d && r.tost_high_percent < d;
  std::string tost = interval_text(r.tost_low_percent, r.tost_high_percent);
  int tost_level = static_cast<int>(std::lround((1 - 2 * alpha) * 100));
  if (r.significant && r.ci_available && claimed_side) {
    r.verdict = ClaimVerdict::kConfirmed;
    r.beyond_delta = d > 0 && (want_less ? high <= -d : low >= d);
    if (r.beyond_delta) {
      r.reason = fmt::format("significant, and the whole interval lies beyond {:g}%", d);
    } else if (tost_inside) {
      r.reason = fmt::format(
          "significant, but smaller than {:g}%: the {}% interval {} lies "
          "within ±{:g}%",
          d, tost_level, tost, d);
    } else {
      r.reason = fmt::format(
          "significant, interval excludes no difference, though not a change under {:g}%", d);
    }
  } else if (r.significant && r.ci_available && other_side) {
    r.verdict = ClaimVerdict::kRefutedOtherWay;
    r.reason = "significant in the opposite direction";
  } else if (tost_inside) {
    r.verdict = ClaimVerdict::kRefutedNoDifference;
    r.reason = fmt::format(
        "no practical difference: the {}% interval {} lies within ±{:g}% "
        "(two one-sided tests at {:g})",
        tost_level, tost, d, alpha);
  } else if (!r.ci_available) {
    r.verdict = ClaimVerdict::kInconclusive;
    r.reason = "too few samples for a 95% interval";
  } else if (r.significant || low > 0 || high < 0) {
    r.verdict = ClaimVerdict::kInconclusive;  // the test and the interval disagree
    r.reason = r.significant ? "significant, but the interval holds zero" : "not significant";
  } else {
    // Neither a difference nor its absence shown: the runs a side at which, if the estimate
    // and the spread hold, 80% of repetitions would decide it, one way (significant) or the
    // other (inside +-delta), whichever comes sooner.
    r.verdict = ClaimVerdict::kInconclusive;
    constexpr double kZ95 = 1.959963984540054;
    double se_now = (log_of(high) - log_of(low)) / (2 * kZ95);
    double effect = log_of(r.change_percent);
    double margin = d > 0 ? log_of(d) : 0;
    double se_needed = std::max(standard_error_to_detect(effect, alpha, 0.8),
                                standard_error_for_equivalence(effect, margin, alpha, 0.8));
    double total = samples_for_standard_error(runs_a_side, se_now, se_needed);
    std::string what = fmt::format(
        "within the noise: not significant, and the {}% interval {} reaches beyond ±{:g}%, so "
        "it rules out neither a difference nor one smaller than that",
        tost_level, tost, d);
    if (std::isfinite(total) && se_now > 0) {
      r.further_runs = std::max(1.0, std::ceil(total - runs_a_side));
      r.reason = fmt::format(
          "{}; at 80% power about {:.0f} more {} would decide it, if the estimate and the spread "
          "hold",
          what, r.further_runs, r.pairs > 0 ? "pairs" : "runs a side");
    } else {
      r.reason = what + "; no number of runs decides an estimate of zero against a delta of 0";
    }
  }
}

ClaimResult judge_claim(const Claim& claim, const std::vector<double>& baseline,
                        const std::vector<double>& subject, const CompareOptions& options) {
  ClaimResult r;
  r.claim = claim;
  r.delta_percent = claim_delta_percent(claim);
  const MetricInfo* info = find_metric(claim.metric);
  r.unit = info ? std::string(info->unit) : "";
  r.subject_count = subject.size();
  r.baseline_count = baseline.size();
  if (subject.empty() || baseline.empty()) {
    r.reason = "no successful samples on one side";
    return r;
  }
  auto row = compare_values(claim.metric, baseline, subject, options, claim.subject);
  r.subject_median = row.candidate.median;
  r.baseline_median = row.baseline.median;
  r.change_percent = row.change_percent;
  r.ci_low_percent = row.ci_low_percent;
  r.ci_high_percent = row.ci_high_percent;
  r.ci_available = row.ci_available;
  r.p_value = row.p_value;
  r.deterministic = row.deterministic;
  r.significant = row.p_value < options.alpha && row.p_floor < options.alpha && row.ci_available;
  if (!r.deterministic) {
    // The two one-sided tests' interval: the same Hodges-Lehmann shift as compare's, at
    // 1 - 2 alpha, on the log scale when every value is positive.
    auto positive = [](const std::vector<double>& v) {
      return std::all_of(v.begin(), v.end(), [](double x) { return x > 0; });
    };
    bool log_scale = positive(baseline) && positive(subject);
    std::vector<double> x = baseline, y = subject;
    if (log_scale) {
      for (auto* values : {&x, &y}) {
        for (double& v : *values) v = std::log(v);
      }
    }
    auto shift = stats::hodges_lehmann(x, y, 1 - 2 * options.alpha);
    double scale = std::fabs(r.baseline_median) > 0 ? std::fabs(r.baseline_median) : 1;
    auto percent = [&](double s) { return log_scale ? std::expm1(s) * 100 : s / scale * 100; };
    r.tost_low_percent = percent(shift.low);
    r.tost_high_percent = percent(shift.high);
    r.tost_available = shift.interval_available;
  }
  decide_claim(r, options.alpha, static_cast<double>(std::min(r.subject_count, r.baseline_count)));
  return r;
}

namespace {

std::vector<int> design_looks(const nlohmann::json& design) {
  std::vector<int> looks;
  if (!design.is_object() || !design.contains("looks") || !design["looks"].is_array()) return looks;
  for (const auto& look : design["looks"])
    if (look.is_number_integer()) looks.push_back(look.get<int>());
  return looks;
}

// The pair rows in the order taken: by the sample that ran first.
std::vector<PairRecord> in_order(std::vector<PairRecord> pairs) {
  auto first = [](const PairRecord& p) {
    return std::min(p.baseline_sample_id, p.candidate_sample_id);
  };
  std::stable_sort(pairs.begin(), pairs.end(),
                   [&](const PairRecord& a, const PairRecord& b) { return first(a) < first(b); });
  return pairs;
}

std::size_t decided_pairs(const nlohmann::json& design, const std::string& claim) {
  if (!design.is_object() || !design.contains("claims") || !design["claims"].is_object()) return 0;
  auto stop = design["claims"].find(claim);
  if (stop == design["claims"].end() || !stop->is_object()) return 0;
  if (stop->value("decision", "continue") == "continue") return 0;
  auto pairs = stop->find("pairs");
  return pairs != stop->end() && pairs->is_number_unsigned() ? pairs->get<std::size_t>() : 0;
}

std::optional<double> build_seconds_of(const Sample& sample) {
  const double* value = sample.get(kBuildSeconds);
  if (sample.status != SampleStatus::kOk || !value || !(*value > 0)) return std::nullopt;
  return *value;
}

}  // namespace

std::map<std::string, ClaimPairs> claim_pairs(const std::vector<Claim>& claims,
                                              const std::vector<StoredSample>& samples,
                                              const std::vector<PairRecord>& pairs,
                                              const nlohmann::json& design) {
  std::map<std::int64_t, const Sample*> by_id;
  for (const auto& stored : samples) by_id[stored.id] = &stored.sample;
  auto ordered = in_order(pairs);
  std::map<std::string, ClaimPairs> result;
  for (const auto& claim : claims) {
    if (claim.metric != kBuildSeconds) continue;
    ClaimPairs found{{}, design_looks(design), 0.05};
    if (design.is_object()) found.alpha = design.value("alpha", 0.05);
    bool any = false;
    for (const auto& pair : ordered) {
      auto b = by_id.find(pair.baseline_sample_id), c = by_id.find(pair.candidate_sample_id);
      if (b == by_id.end() || c == by_id.end()) continue;
      const Sample& base = *b->second;
      const Sample& subject = *c->second;
      if (base.scenario != claim.baseline || subject.scenario != claim.subject ||
          base.state != claim.state || base.kind != SampleKind::kBuild || base.warmup)
        continue;
      any = true;  // a failed pair still makes the claim a paired one, with one pair fewer
      auto x = build_seconds_of(base), y = build_seconds_of(subject);
      if (x && y) found.values.push_back({*x, *y});
    }
    found.decided_pairs = decided_pairs(design, claim_key(claim));
    if (any) result[claim_key(claim)] = std::move(found);
  }
  return result;
}

namespace {

// The change, intervals and p of the ratios, each as a percent on the ratio scale.
void estimate_ratios(ClaimResult& r, const std::vector<double>& ratios, double alpha) {
  auto shift = stats::walsh_hodges_lehmann(ratios, 1 - alpha);
  auto tost = stats::walsh_hodges_lehmann(ratios, 1 - 2 * alpha);
  auto percent = [](double s) { return std::expm1(s) * 100; };
  r.change_percent = percent(shift.estimate);
  r.ci_low_percent = percent(shift.low);
  r.ci_high_percent = percent(shift.high);
  r.ci_available = shift.interval_available;
  r.tost_low_percent = percent(tost.low);
  r.tost_high_percent = percent(tost.high);
  r.tost_available = tost.interval_available;
  r.p_value = stats::wilcoxon_signed_rank(ratios).p_value;
}

}  // namespace

ClaimResult judge_paired_claim(const Claim& claim, const ClaimPairs& pairs,
                               const CompareOptions& options) {
  ClaimResult r;
  r.claim = claim;
  r.delta_percent = claim_delta_percent(claim);
  const MetricInfo* info = find_metric(claim.metric);
  r.unit = info ? std::string(info->unit) : "";
  std::vector<double> base, subject, ratios;
  for (const auto& [b, s] : pairs.values) ratios.push_back(std::log(s / b));
  std::optional<stats::PairedSequential> looks;
  if (pairs.decided_pairs > 0 && pairs.decided_pairs < ratios.size())
    ratios.resize(pairs.decided_pairs);
  if (!pairs.looks.empty() && !ratios.empty()) {
    // A planned look that crossed, else the pairs' last look at fraction 1: as the run did.
    looks = stats::paired_sequential(ratios, pairs.looks, pairs.alpha, false);
    if (looks->decision != stats::SequentialDecision::kReject)
      looks = stats::paired_sequential(ratios, pairs.looks, pairs.alpha, true);
    ratios.resize(looks->pairs);  // the pairs the deciding look saw
    r.look = looks->look;
    r.looks = looks->looks_planned;
  }
  r.pairs = r.subject_count = r.baseline_count = ratios.size();
  if (ratios.empty()) {
    r.reason = "no pair with both builds successful";
    return r;
  }
  for (std::size_t i = 0; i < ratios.size(); ++i) {
    base.push_back(pairs.values[i].first);
    subject.push_back(pairs.values[i].second);
  }
  r.baseline_median = stats::median(base);
  r.subject_median = stats::median(subject);
  estimate_ratios(r, ratios, options.alpha);
  bool reachable = stats::wilcoxon_smallest_p_value(ratios) < options.alpha;
  r.significant = looks ? looks->decision == stats::SequentialDecision::kReject
                        : r.p_value < options.alpha && reachable && r.ci_available;
  decide_claim(r, options.alpha, static_cast<double>(ratios.size()));
  return r;
}

std::vector<ClaimResult> judge_claims(const std::vector<Claim>& claims, const SampleGroups& groups,
                                      const CompareOptions& options,
                                      const std::map<std::string, ClaimPairs>& paired) {
  std::vector<ClaimResult> results;
  for (const auto& claim : claims) {
    auto pairs = paired.find(claim_key(claim));
    if (pairs != paired.end()) {
      results.push_back(judge_paired_claim(claim, pairs->second, options));
      continue;
    }
    results.push_back(judge_claim(claim, groups.get(claim.baseline, claim.state, claim.metric),
                                  groups.get(claim.subject, claim.state, claim.metric), options));
  }
  return results;
}

PooledClaim pool_claim(const std::vector<ClaimResult>& per_run, double alpha) {
  PooledClaim pooled;
  if (per_run.empty()) return pooled;
  ClaimResult& r = pooled.result;
  r.claim = per_run.front().claim;
  r.delta_percent = per_run.front().delta_percent;
  r.unit = per_run.front().unit;
  std::vector<stats::LogEstimate> estimates;
  double runs_a_side = 0;
  for (const auto& run : per_run) {
    if (run.deterministic || !run.ci_available || run.ci_low_percent >= run.ci_high_percent)
      continue;
    estimates.push_back(
        stats::estimate_from_interval(run.change_percent, run.ci_low_percent, run.ci_high_percent));
    runs_a_side += static_cast<double>(std::min(run.subject_count, run.baseline_count));
    r.subject_count += run.subject_count;
    r.baseline_count += run.baseline_count;
  }
  pooled.runs = estimates.size();
  if (estimates.empty()) {
    r.deterministic = per_run.front().deterministic;
    r.reason = r.deterministic
                   ? "deterministic metric, compared exactly in each run: nothing to pool"
                   : "no run with an interval to pool";
    return pooled;
  }
  auto p = stats::pool_estimates(estimates, 1 - alpha);
  pooled.q = p.q;
  pooled.q_p_value = p.q_p_value;
  pooled.random_effects = p.random_effects;
  r.change_percent = p.change_percent;
  r.ci_low_percent = p.low_percent;
  r.ci_high_percent = p.high_percent;
  r.ci_available = true;
  double z = std::fabs(p.log_ratio) / p.standard_error;
  r.p_value = 2 * boost::math::cdf(boost::math::complement(boost::math::normal(), z));
  r.significant = r.p_value < alpha;
  auto tost = stats::pool_estimates(estimates, 1 - 2 * alpha);
  r.tost_low_percent = tost.low_percent;
  r.tost_high_percent = tost.high_percent;
  r.tost_available = true;
  decide_claim(r, alpha, runs_a_side);
  return pooled;
}

}  // namespace bb
