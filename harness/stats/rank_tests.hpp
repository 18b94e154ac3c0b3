#pragma once
// Mann-Whitney U test and the Hodges-Lehmann shift estimate, two-sided.
#include <vector>

namespace bb::stats {

struct MannWhitney {
  double u1 = 0;       // pairs (x, y) with x > y, ties counting one half
  double p_value = 1;  // two-sided
  // Exact null distribution (no ties and each sample <= 50; or ties, m + n <= 40 or few
  // distinct values, then conditional on the tie pattern) or the normal approximation.
  bool exact = false;
};
MannWhitney mann_whitney(const std::vector<double>& x, const std::vector<double>& y);

// P(U <= u) under the null for sample sizes m and n, without ties.
double mann_whitney_cdf(int u, int m, int n);

// The smallest two-sided p-value any outcome can reach with these sizes (no ties).
double smallest_p_value(int m, int n);
// The smallest p mann_whitney can give for any assignment of these pooled values (ties as
// observed) to groups of x's and y's sizes: above alpha, no outcome can be significant.
double smallest_p_value(const std::vector<double>& x, const std::vector<double>& y);

// Shift of y against x: the median of all differences y_j - x_i, with a distribution-free
// confidence interval from the U distribution.
struct Shift {
  double estimate = 0;
  double low = 0;
  double high = 0;
  bool interval_available =
      false;  // false: samples too small for the level; bounds are the extremes
};
Shift hodges_lehmann(const std::vector<double>& x, const std::vector<double>& y,
                     double level = 0.95);

}  // namespace bb::stats
