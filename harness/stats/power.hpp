#pragma once
// How many pairs a paired comparison needs, and what compare's threshold does to detection.
namespace bb {

// Fewer than 6 pairs can never give an exact two-sided p below 0.05 (2 / 2^5 = 0.0625).
inline constexpr int kFewestPairs = 6;

// The fewest pairs whose exact two-sided signed-rank test can give p < alpha: the smallest n
// with stats::wilcoxon_smallest_p_value of n distinct non-zero differences (2 / 2^n) below
// alpha (6 at 0.05, 8 at 0.01). Ties or zero differences raise the floor further.
int fewest_pairs(double alpha);

// Pairs a two-sided Wilcoxon signed-rank test at 5% needs for 80% power against a change of
// `delta` (0.05 = 5%), from the standard deviation of the log ratios:
//   n = ((z_0.975 + z_0.8) sigma / ln(1 + delta))^2 / (3 / pi)
// (the paired t-test's n over Wilcoxon's efficiency relative to it), rounded up, within
// [kFewestPairs, max_pairs].
double pairs_formula(double sigma, double delta);
int pairs_to_detect(double sigma, double delta, int max_pairs);
// The Hodges-Lehmann estimate's standard error over `pairs` pairs (sigma / sqrt(n 3/pi)), and
// the threshold at or below which a change of `delta` passes in about 95% of sessions:
// exp(ln(1 + delta) - 1.645 SE) - 1. Not positive when the pairs cannot place the estimate.
double paired_standard_error(double sigma, int pairs);
double threshold_to_flag(double sigma, double delta, int pairs);
// The chance that the estimate of a true change `delta` passes a `threshold` (both relative)
// when its standard error on the log scale is `se`.
double chance_to_pass(double delta, double threshold, double se);

// The standard error (log scale) at which a true change `effect` (log ratio) is significant
// in a two-sided test at alpha with the given power: |effect| / (z_{1-alpha/2} + z_power).
double standard_error_to_detect(double effect, double alpha, double power);
// The standard error at which, for a true change `effect` inside +-margin (log scale), the
// (1 - 2 alpha) interval lies within +-margin (two one-sided tests at alpha) with the given
// power: (margin - |effect|) / (z_{1-alpha} + z_power), the nearer bound's one-sided test
// (conservative: the far bound's chance is ignored). 0 when |effect| >= margin.
double standard_error_for_equivalence(double effect, double margin, double alpha, double power);
// The samples a side at which the standard error falls from `se_now` at `samples_now` to
// `se_needed`, as it does like 1/sqrt(n). Infinite when se_needed is not positive.
double samples_for_standard_error(double samples_now, double se_now, double se_needed);

}  // namespace bb
