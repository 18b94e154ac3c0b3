#include "compare/claims.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "model/metrics.hpp"

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
    case ClaimVerdict::kRefuted:
      return "refuted";
    case ClaimVerdict::kInconclusive:
      return "inconclusive";
  }
  return "?";
}

namespace {

// The verdict from a comparison of baseline against subject.
void decide(ClaimResult& r, const ComparisonRow& row, const CompareOptions& options) {
  bool want_less = r.claim.relation == "less";
  bool significant = row.p_value < options.alpha && row.p_floor < options.alpha && row.ci_available;
  double t = row.threshold_percent;
  if (row.deterministic) {
    bool holds = want_less ? row.change_percent < 0 : row.change_percent > 0;
    r.verdict = holds ? ClaimVerdict::kConfirmed : ClaimVerdict::kRefuted;
    r.reason = "deterministic metric, compared exactly";
  } else if (significant && (want_less ? row.ci_high_percent < 0 : row.ci_low_percent > 0)) {
    r.verdict = ClaimVerdict::kConfirmed;
    r.reason = "significant, interval excludes no difference";
  } else if (significant && (want_less ? row.ci_low_percent > 0 : row.ci_high_percent < 0)) {
    r.verdict = ClaimVerdict::kRefuted;
    r.reason = "significant in the opposite direction";
  } else if (row.ci_available && row.ci_low_percent > -t && row.ci_high_percent < t) {
    r.verdict = ClaimVerdict::kRefuted;
    r.reason = fmt::format("no difference: the interval lies within ±{:g}%", t);
  } else if (!row.ci_available) {
    r.verdict = ClaimVerdict::kInconclusive;
    r.reason = "too few samples for a 95% interval";
  } else if (significant || row.ci_low_percent > 0 || row.ci_high_percent < 0) {
    r.verdict = ClaimVerdict::kInconclusive;  // the test and the interval disagree
    r.reason = significant ? "significant, but the interval holds zero" : "not significant";
  } else {
    // The interval holds zero and reaches beyond ±t. It would decide once its half-width fell
    // below the estimate (excluding zero) or below t minus it (inside ±t), whichever is
    // larger; it shrinks about as 1/sqrt(n).
    r.verdict = ClaimVerdict::kInconclusive;
    double half = (row.ci_high_percent - row.ci_low_percent) / 2;
    double effect = std::fabs(row.change_percent);
    double enough = std::max(effect, t - effect);
    double n = static_cast<double>(std::min(r.subject_count, r.baseline_count));
    r.reason = fmt::format(
        "within this run's noise: not significant, and the interval reaches beyond ±{:g}%, so it "
        "cannot rule out a difference that matters either; if the estimate and the spread "
        "hold, about {:.0f} runs a side would decide it",
        t, std::ceil(n * std::pow(half / enough, 2)));
  }
}

}  // namespace

ClaimResult judge_claim(const Claim& claim, const std::vector<double>& baseline,
                        const std::vector<double>& subject, const CompareOptions& options) {
  ClaimResult r;
  r.claim = claim;
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
  decide(r, row, options);
  return r;
}

std::vector<ClaimResult> judge_claims(const std::vector<Claim>& claims, const SampleGroups& groups,
                                      const CompareOptions& options) {
  std::vector<ClaimResult> results;
  for (const auto& claim : claims) {
    results.push_back(judge_claim(claim, groups.get(claim.baseline, claim.state, claim.metric),
                                  groups.get(claim.subject, claim.state, claim.metric), options));
  }
  return results;
}

}  // namespace bb
