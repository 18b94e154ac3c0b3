#pragma once
// One claim's estimate pooled over several runs (a fixed-effect meta-analysis on the log
// scale): each run's log ratio weighted by the inverse of its variance, Cochran's Q to test
// whether the runs agree, and DerSimonian and Laird's (1986) random effects when they do not.
#include <cstddef>
#include <vector>

namespace bb::stats {

// One run's estimate: a log ratio and its standard error.
struct LogEstimate {
  double log_ratio = 0;
  double standard_error = 0;
};

// A run's estimate from its printed change and interval in percent: the log of 1 + change,
// and the standard error from the interval's width on the log scale,
//   (ln(1 + high) - ln(1 + low)) / (2 z_{(1 + level) / 2}).
// The distribution-free intervals are not symmetric about the estimate; the width is what
// measures the spread. Throws std::invalid_argument unless -100 < low <= high.
LogEstimate estimate_from_interval(double change_percent, double low_percent, double high_percent,
                                   double level = 0.95);

struct PooledEstimate {
  std::size_t runs = 0;
  double log_ratio = 0;  // the pooled estimate: fixed effect, or random effects when chosen
  double standard_error = 0;
  double fixed_log_ratio = 0, fixed_standard_error = 0;
  double q = 0;  // Cochran's Q, on runs - 1 degrees of freedom
  double q_p_value = 1;
  double tau_squared = 0;  // DerSimonian-Laird between-run variance (log scale)
  double i_squared = 0;    // share of the spread that is between runs, (Q - df) / Q, >= 0
  bool random_effects = false;
  // The pooled change and its interval, in percent.
  double change_percent = 0, low_percent = 0, high_percent = 0;
};

// Pools the runs' estimates at the interval `level`. Random effects are used when Q's p is
// below heterogeneity_alpha (0.10, as Q has little power over a handful of runs). An estimate
// whose standard error is not positive and finite throws std::invalid_argument; none gives a
// PooledEstimate with runs = 0.
PooledEstimate pool_estimates(const std::vector<LogEstimate>& estimates, double level = 0.95,
                              double heterogeneity_alpha = 0.10);

}  // namespace bb::stats
