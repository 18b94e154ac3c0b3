#pragma once
// Paired statistics for A/B runs: the Wilcoxon signed-rank test, the one-sample
// Hodges-Lehmann shift with its interval, and the Mann-Kendall trend test.
// All two-sided; inputs are paired differences (candidate against baseline), usually
// from log_ratios so that a shift reads as a ratio. Non-finite values throw
// std::invalid_argument: they would break the ranking.
#include <cstddef>
#include <vector>

namespace bb::stats {

// Two-sided Wilcoxon signed-rank test with Pratt's (1959) treatment of zeros, as
//   scipy.stats.wilcoxon(d, zero_method="pratt", correction=False,
//                        alternative="two-sided", method=M)
// Zeros are ranked with the rest (taking the lowest ranks) and then dropped, so they weigh
// in as evidence of no change; ties among |d| share their mid-rank. Pratt rather than
// Wilcoxon's dropping of zeros: dropping them first can make a sample less significant as
// a difference grows (Pratt 1959), Conover (1973) found neither rule dominant, and with
// Pratt the test ranks the same differences walsh_hodges_lehmann averages (zeros kept).
// n_used <= 50 non-zero differences: the exact distribution of W+ over the 2^n_used sign
// flips of the observed ranks (conditional on zeros and ties; SciPy's "exact" only without
// them); two-sided min(1, 2 min(P(W+ <= w), P(W+ >= w))), which is 2 P(W+ <= min(W+, W-))
// without ties and zeros. Beyond, Pratt's normal approximation. Without zeros and ties, the
// same as zero_method="wilcox". Nothing left to rank (empty or all-zero input) gives p = 1.
struct Wilcoxon {
  double statistic = 0;    // min(W+, W-), Pratt's rank sums of positive and negative differences
  double p_value = 1;      // two-sided
  bool exact = false;      // exact null distribution, or normal approximation
  std::size_t n_used = 0;  // non-zero differences ranked
  std::size_t zeros = 0;   // zero differences (ranked, then dropped)
};
Wilcoxon wilcoxon_signed_rank(const std::vector<double>& differences);

// The smallest p wilcoxon_signed_rank can give for any signs of these |d| (zeros and ties
// as observed): above alpha, no outcome can be significant.
double wilcoxon_smallest_p_value(const std::vector<double>& differences);

// P(W+ <= w) under the null for n non-zero differences without ties.
double wilcoxon_exact_cdf(int w, int n);

// Hodges-Lehmann one-sample shift: the median of the n(n+1)/2 Walsh averages
// (d_i + d_j) / 2, i <= j, with the distribution-free interval [A(k), A(M + 1 - k)]
// from the signed-rank distribution (exact for n <= 50, normal beyond). Zeros are kept, as
// Pratt's test ranks them: they are observations of no change, and dropping them would
// pull the estimate away from zero.
struct PairedShift {
  double estimate = 0;
  double low = 0;
  double high = 0;
  bool interval_available =
      false;  // false: too few pairs for the level; bounds are the extreme Walsh averages
};
PairedShift walsh_hodges_lehmann(const std::vector<double>& differences, double level = 0.95);

// Mann-Kendall trend test on values in time order: S = sum over i < j of
// sign(x_j - x_i), its variance with the tie correction, a continuity correction and
// a two-sided normal p-value; plus Sen's slope, the median of (x_j - x_i) / (j - i).
// Fewer than 4 values: S and the slope are still given, but z = 0, p = 1, no trend.
struct Trend {
  double s = 0;
  double z = 0;
  double p_value = 1;
  double sen_slope = 0;   // change per position
  bool trending = false;  // p_value < alpha
};
Trend mann_kendall(const std::vector<double>& values_in_order, double alpha = 0.05);

// log(candidate_i / baseline_i) for each pair. Throws std::invalid_argument on different
// sizes or a value that is not positive and finite.
std::vector<double> log_ratios(const std::vector<double>& baseline,
                               const std::vector<double>& candidate);

}  // namespace bb::stats
