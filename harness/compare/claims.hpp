#pragma once
// A suite's claims ("step-4 builds faster than step-3") judged on the values of two groups:
// a verdict with the change, its interval and p, at the comparison's alpha, against the
// claim's smallest effect of interest (delta). No formatting here.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
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

// Confirmed: significant with the interval on the claimed side. Refuted the other way:
// significant with it on the other side. Refuted, no practical difference: the (1 - 2 alpha)
// interval lies inside +-delta, two one-sided tests at alpha (Lakens 2017). Inconclusive:
// none of these.
enum class ClaimVerdict { kConfirmed, kRefutedOtherWay, kRefutedNoDifference, kInconclusive };
// "confirmed", "refuted-other-way", "refuted-no-difference", "inconclusive" (the JSON's words).
std::string to_string(ClaimVerdict verdict);

// The claim's delta, or its metric's default (percent).
double claim_delta_percent(const Claim& claim);

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
  bool significant = false;  // p < alpha, from a design whose smallest p is below alpha
  bool deterministic = false;
  // The (1 - 2 alpha) interval of the two one-sided tests (90% at alpha 0.05).
  double tost_low_percent = 0;
  double tost_high_percent = 0;
  bool tost_available = false;
  double delta_percent = 0;
  bool beyond_delta = false;  // confirmed, and the interval lies beyond delta too
  // Inconclusive: the runs a side that would add up to a decision at 80% power if the
  // estimate and the spread hold (0: not computable, e.g. no interval).
  double further_runs = 0;
  std::string unit;
  std::string reason;
  // Paired: the pairs the verdict rests on, subject against baseline built back to back
  // (0: two independent groups). Sequential: the look it was judged at and the looks planned
  // (0: judged once).
  std::size_t pairs = 0;
  std::size_t look = 0, looks = 0;
};

// The verdict of a result whose change, intervals and significance are filled in, against
// its delta_percent; sets verdict, beyond_delta, further_runs and reason. runs_a_side: the
// samples (or pairs) the intervals rest on, for further_runs.
void decide_claim(ClaimResult& result, double alpha, double runs_a_side);

// Confirmed only when significant (p < options.alpha) with an interval on the claimed side,
// or, for a deterministic metric, when the exact values show it; see ClaimVerdict.
ClaimResult judge_claim(const Claim& claim, const std::vector<double>& baseline,
                        const std::vector<double>& subject, const CompareOptions& options);

// A claim a run measured pair by pair: its good pairs' (baseline, subject) build_seconds in
// the order taken, and the run's sequential design.
struct ClaimPairs {
  std::vector<std::pair<double, double>> values;
  std::vector<int> looks;  // planned looks as pair counts; empty: the fixed design, judged once
  double alpha = 0.05;     // the boundary's: a property of the design, not of the report
  // The pairs the run's recorded decision saw (0: none recorded): later pairs served only
  // the scenarios' own groups.
  std::size_t decided_pairs = 0;
};
// The claims' pairs among one run's samples and pair rows: a pair whose baseline sample is
// the claim's baseline scenario's, in its state, and whose candidate is the subject's. `design`
// is the run's options.claim_pairs (null: none). Claims without a pair row are absent.
std::map<std::string, ClaimPairs> claim_pairs(const std::vector<Claim>& claims,
                                              const std::vector<StoredSample>& samples,
                                              const std::vector<PairRecord>& pairs,
                                              const nlohmann::json& design);
// Judged on the per-pair log ratios with the paired statistics of `ab`: the Walsh
// Hodges-Lehmann shift and its distribution-free intervals, the exact Wilcoxon signed-rank
// test. Sequential: the pairs up to the look whose boundary they crossed (then significant),
// else all of them with the last look's boundary, which spends what alpha is left.
ClaimResult judge_paired_claim(const Claim& claim, const ClaimPairs& pairs,
                               const CompareOptions& options);
// Each claim paired when `paired` holds its pairs, else on the two groups.
std::vector<ClaimResult> judge_claims(const std::vector<Claim>& claims, const SampleGroups& groups,
                                      const CompareOptions& options,
                                      const std::map<std::string, ClaimPairs>& paired = {});

// A claim pooled over runs (stats/pooling): each run's change and 95% interval, inverse
// variance on the log scale, random effects when Cochran's Q says the runs disagree; then
// judged by decide_claim on the pooled interval (a z test), so a verdict reads the same.
struct PooledClaim {
  ClaimResult result;    // the pooled change, intervals and verdict
  std::size_t runs = 0;  // runs pooled: those with an interval (deterministic claims: none)
  double q = 0;
  double q_p_value = 1;
  bool random_effects = false;
};
// per_run: the claim's result in each run, newest first or in any order.
PooledClaim pool_claim(const std::vector<ClaimResult>& per_run, double alpha);

}  // namespace bb
