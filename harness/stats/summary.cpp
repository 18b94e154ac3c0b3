#include "stats/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <boost/math/distributions/binomial.hpp>

namespace bb::stats {

double median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  auto n = values.size();
  auto mid = values.begin() + n / 2;
  std::nth_element(values.begin(), mid, values.end());
  if (n % 2) return *mid;
  double upper = *mid;
  double lower = *std::max_element(values.begin(), mid);
  return (lower + upper) / 2;
}

double mean(const std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  return std::accumulate(values.begin(), values.end(), 0.0) / values.size();
}

double stddev(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  double m = mean(values);
  double sum = 0;
  for (double v : values) sum += (v - m) * (v - m);
  return std::sqrt(sum / (values.size() - 1));
}

double mad(const std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  double m = median(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::fabs(v - m));
  return median(deviations);
}

std::size_t median_ci_rank(std::size_t n, double level) {
  if (n == 0) return 0;
  // Coverage of [x(l), x(n-l+1)] is 1 - 2 P(B <= l - 1), B ~ Binomial(n, 1/2).
  boost::math::binomial_distribution<double> binomial(static_cast<double>(n), 0.5);
  // Coverage falls as l grows: binary search for the largest l that still reaches the level.
  auto coverage_of = [&](std::size_t l) {
    return 1 - 2 * boost::math::cdf(binomial, static_cast<double>(l - 1));
  };
  std::size_t lo = 1, hi = n / 2, best = 0;
  while (lo <= hi && hi >= 1) {
    std::size_t mid = lo + (hi - lo) / 2;
    if (coverage_of(mid) + 1e-12 >= level) {
      best = mid;
      lo = mid + 1;
    } else {
      if (mid == 0) break;
      hi = mid - 1;
    }
  }
  return best;
}

Interval median_ci(std::vector<double> values, double level) {
  Interval interval;
  if (values.empty()) return interval;
  std::sort(values.begin(), values.end());
  auto n = values.size();
  interval.low = values.front();
  interval.high = values.back();
  interval.coverage = 1 - 2 * std::pow(0.5, static_cast<double>(n));
  std::size_t best = median_ci_rank(n, level);
  if (best == 0) return interval;  // not even [min, max] reaches the level
  boost::math::binomial_distribution<double> binomial(static_cast<double>(n), 0.5);
  interval.coverage = 1 - 2 * boost::math::cdf(binomial, static_cast<double>(best - 1));
  interval.available = true;
  interval.low = values[best - 1];
  interval.high = values[n - best];
  return interval;
}

std::vector<double> modified_z_scores(const std::vector<double>& values) {
  std::vector<double> scores;
  if (values.empty()) return scores;
  double m = median(values);
  double d = mad(values);
  for (double v : values) {
    if (d == 0) {
      scores.push_back(v == m ? 0.0
                              : std::copysign(std::numeric_limits<double>::infinity(), v - m));
    } else {
      scores.push_back(0.6745 * (v - m) / d);
    }
  }
  return scores;
}

std::vector<std::size_t> outliers(const std::vector<double>& values, double threshold) {
  std::vector<std::size_t> found;
  auto scores = modified_z_scores(values);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (std::fabs(scores[i]) > threshold) found.push_back(i);
  }
  return found;
}

Summary summarize(const std::vector<double>& values, std::size_t failures) {
  Summary s;
  s.count = values.size();
  s.failures = failures;
  if (values.empty()) {
    s.min = s.max = s.mean = s.median = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  s.min = *lo;
  s.max = *hi;
  s.mean = mean(values);
  s.median = median(values);
  s.stddev = stddev(values);
  s.mad = mad(values);
  s.cv = s.mean != 0 ? s.stddev / std::fabs(s.mean) : 0;
  s.median_ci = median_ci(values);
  s.outliers = outliers(values);
  return s;
}

}  // namespace bb::stats
