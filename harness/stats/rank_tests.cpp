#include "stats/rank_tests.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/binomial.hpp>

#include "stats/summary.hpp"

namespace bb::stats {

namespace {

constexpr int kExactLimit = 50;  // per sample; beyond, the normal approximation is accurate

// Counts of arrangements giving each U, from the generating function
// prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i).
std::vector<double> u_counts(int m, int n) {
  std::vector<double> c(static_cast<std::size_t>(m) * n + 1, 0.0);
  c[0] = 1;
  for (int i = 1; i <= m; ++i) {
    for (std::size_t k = c.size() - 1; k >= static_cast<std::size_t>(n + i); --k) {
      c[k] -= c[k - n - i];
    }
    for (std::size_t k = i; k < c.size(); ++k) c[k] += c[k - i];
  }
  return c;
}

std::vector<double> u_cdf(int m, int n) {
  auto c = u_counts(m, n);
  double total = boost::math::binomial_coefficient<double>(m + n, m);
  std::vector<double> cdf(c.size());
  double running = 0;
  for (std::size_t k = 0; k < c.size(); ++k) {
    running += c[k];
    cdf[k] = std::min(1.0, running / total);
  }
  return cdf;
}

}  // namespace

double mann_whitney_cdf(int u, int m, int n) {
  if (u < 0) return 0;
  auto cdf = u_cdf(m, n);
  if (static_cast<std::size_t>(u) >= cdf.size()) return 1;
  return cdf[u];
}

double smallest_p_value(int m, int n) {
  if (m == 0 || n == 0) return 1;
  return std::min(1.0, 2.0 / boost::math::binomial_coefficient<double>(m + n, m));
}

MannWhitney mann_whitney(const std::vector<double>& x, const std::vector<double>& y) {
  MannWhitney result;
  int m = static_cast<int>(x.size()), n = static_cast<int>(y.size());
  if (m == 0 || n == 0) return result;
  // Ranks over the pooled sample, ties sharing their average rank.
  std::vector<std::pair<double, int>> pooled;
  for (double v : x) pooled.emplace_back(v, 0);
  for (double v : y) pooled.emplace_back(v, 1);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  double rank_sum_x = 0, tie_term = 0;
  bool ties = false;
  for (std::size_t i = 0; i < pooled.size();) {
    std::size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    double t = static_cast<double>(j - i);
    double average_rank = (i + 1 + j) / 2.0;
    if (t > 1) {
      ties = true;
      tie_term += t * t * t - t;
    }
    for (std::size_t k = i; k < j; ++k) {
      if (pooled[k].second == 0) rank_sum_x += average_rank;
    }
    i = j;
  }
  result.u1 = rank_sum_x - m * (m + 1) / 2.0;
  double u2 = static_cast<double>(m) * n - result.u1;
  double u_big = std::max(result.u1, u2);

  if (!ties && m <= kExactLimit && n <= kExactLimit) {
    result.exact = true;
    // P(U >= u_big) = 1 - P(U <= u_big - 1)
    double upper_tail = 1 - mann_whitney_cdf(static_cast<int>(std::lround(u_big)) - 1, m, n);
    result.p_value = std::min(1.0, 2 * upper_tail);
    return result;
  }
  double total = m + n;
  double mu = m * n / 2.0;
  double sigma = std::sqrt(m * n / 12.0 * ((total + 1) - tie_term / (total * (total - 1))));
  if (sigma == 0) {
    result.p_value = 1;
    return result;
  }
  double z = (u_big - mu - 0.5) / sigma;  // continuity correction
  boost::math::normal_distribution<double> normal;
  result.p_value = std::clamp(2 * boost::math::cdf(boost::math::complement(normal, z)), 0.0, 1.0);
  return result;
}

Shift hodges_lehmann(const std::vector<double>& x, const std::vector<double>& y, double level) {
  Shift shift;
  int m = static_cast<int>(x.size()), n = static_cast<int>(y.size());
  if (m == 0 || n == 0) return shift;
  std::vector<double> differences;
  differences.reserve(static_cast<std::size_t>(m) * n);
  for (double b : x) {
    for (double a : y) differences.push_back(a - b);
  }
  std::sort(differences.begin(), differences.end());
  shift.estimate = median(differences);
  shift.low = differences.front();
  shift.high = differences.back();
  // C: the largest c with P(U <= c - 1) <= alpha / 2; the interval is [D(c), D(mn + 1 - c)].
  double alpha = 1 - level;
  int c = 0;
  if (m <= kExactLimit && n <= kExactLimit) {
    auto cdf = u_cdf(m, n);
    while (c < static_cast<int>(cdf.size()) && cdf[c] <= alpha / 2 + 1e-12) ++c;
  } else {
    boost::math::normal_distribution<double> normal;
    double z = boost::math::quantile(boost::math::complement(normal, alpha / 2));
    c = static_cast<int>(std::floor(m * n / 2.0 - z * std::sqrt(m * n * (m + n + 1) / 12.0)));
  }
  if (c >= 1 && c <= static_cast<int>(differences.size()) / 2) {
    shift.interval_available = true;
    shift.low = differences[c - 1];
    shift.high = differences[differences.size() - c];
  }
  return shift;
}

}  // namespace bb::stats
