#pragma once
// A suite's claims ("step-4 builds faster than step-3") judged on the values of two groups:
// a verdict with the change, its interval and p, at the comparison's alpha. No formatting here.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "compare/compare.hpp"
#include "model/group_key.hpp"
#include "model/run.hpp"
#include "scenario/scenario.hpp"

namespace bb {

// Successful values of each metric per group (warm-ups left out), and failed samples per
// group. The report reads its figures from the same groups.
struct SampleGroups {
  std::map<MetricKey, std::vector<double>> values;
  std::map<GroupKey, std::size_t> failures;

  SampleGroups() = default;
  explicit SampleGroups(const std::vector<StoredSample>& samples);
  // The metric's values in the scenario's group of that state, among the samples that carry
  // the metric (sample_kind_of). State "" takes a deterministic metric from any state: cold
  // when there, else all pooled.
  std::vector<double> get(const std::string& scenario, const std::string& state,
                          const std::string& metric) const;
};

enum class ClaimVerdict { kConfirmed, kRefuted, kInconclusive };
std::string to_string(ClaimVerdict verdict);

struct ClaimResult {
  Claim claim;
  ClaimVerdict verdict = ClaimVerdict::kInconclusive;
  double subject_median = 0;
  double baseline_median = 0;
  std::size_t subject_count = 0;
  std::size_t baseline_count = 0;
  double change_percent = 0;  // subject against baseline
  double ci_low_percent = 0;
  double ci_high_percent = 0;
  bool ci_available = false;
  double p_value = 1;
  bool deterministic = false;
  std::string unit;
  std::string reason;
};

// Confirmed only when significant (p < options.alpha) with an interval on the claimed side,
// or, for a deterministic metric, when the exact values show it.
ClaimResult judge_claim(const Claim& claim, const std::vector<double>& baseline,
                        const std::vector<double>& subject, const CompareOptions& options);
std::vector<ClaimResult> judge_claims(const std::vector<Claim>& claims, const SampleGroups& groups,
                                      const CompareOptions& options);

}  // namespace bb
