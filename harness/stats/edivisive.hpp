#pragma once
// Multiple change points in a nightly series: E-divisive means (Matteson and James, JASA 2014,
// "A nonparametric approach for multiple change point analysis of multivariate data"), in the
// form MongoDB's performance CI and Apache Otava (Hunter) run: the energy divergence with
// exponent 1, the scaled statistic q-hat, recursive bisection, and a permutation test of each
// new point. The series is a list of nights, each the samples measured that night; change
// points lie on night boundaries and the statistic reads every sample, not the nights' medians.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bb::stats {

struct ChangePoint {
  std::size_t first_night = 0;  // index of the first night of the new level
  double p_value = 1;           // of the permutation test that admitted it
  // after / before, from the night medians of the segments either side, with a 95% interval.
  double ratio = 1, ratio_low = 1, ratio_high = 1;
  double before_level = 0, after_level = 0;  // median of the segments' night medians
};

struct EDivisiveOptions {
  double alpha = 0.05;         // a new point is kept when its permutation p is at most this
  int permutations = 199;      // most permutations per test (stops early once p > alpha)
  std::size_t min_nights = 2;  // nights in every segment
  std::uint64_t seed = 1;      // of the permutations: the same seed, the same answer
};

// Change points in `nights` (values > 0; nights without samples are an error), by first
// night. Throws std::invalid_argument on a value that is not positive or an empty night.
std::vector<ChangePoint> e_divisive(const std::vector<std::vector<double>>& nights,
                                    const EDivisiveOptions& options = {});

// q-hat of splitting `values` into [0, split) and [split, n): m n / (m + n) times the
// energy divergence 2 E|X-Y| - E|X-X'| - E|Y-Y'| (exponent 1). Exposed for the tests.
double q_hat(const std::vector<double>& values, std::size_t split);

}  // namespace bb::stats
