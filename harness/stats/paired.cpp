#include "stats/paired.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include <boost/math/distributions/normal.hpp>

namespace bb::stats {

namespace {

constexpr int kExactLimit = 50;  // as SciPy's method="auto"; beyond, the normal approximation

void require_finite(const std::vector<double>& values, const char* what) {
  for (double v : values) {
    if (!std::isfinite(v)) throw std::invalid_argument(std::string(what) + ": non-finite value");
  }
}

// P(W+ = w) for w = 0..n(n+1)/2: each rank i is positive with probability 1/2, so the
// distribution grows one rank at a time. Halving keeps every value an exact dyadic
// fraction (no 2^n overflow), the same recursion as SciPy's _get_wilcoxon_distr.
std::vector<double> signed_rank_pmf(int n) {
  std::vector<double> p(1, 1.0);
  for (int i = 1; i <= n; ++i) {
    p.resize(p.size() + i, 0.0);
    for (std::size_t w = p.size() - 1; w >= static_cast<std::size_t>(i); --w) {
      p[w] = 0.5 * (p[w] + p[w - i]);
    }
    for (int w = 0; w < i; ++w) p[w] *= 0.5;
  }
  return p;
}

std::vector<double> signed_rank_cdf(int n) {
  auto cdf = signed_rank_pmf(n);
  double running = 0;
  for (auto& v : cdf) {
    running += v;
    v = std::min(1.0, running);
  }
  return cdf;
}

double two_sided_normal_p(double z) {
  boost::math::normal_distribution<double> normal;
  return std::clamp(2 * boost::math::cdf(boost::math::complement(normal, std::abs(z))), 0.0, 1.0);
}

}  // namespace

double wilcoxon_exact_cdf(int w, int n) {
  if (w < 0) return 0;
  if (n <= 0) return 1;
  auto cdf = signed_rank_cdf(n);
  if (static_cast<std::size_t>(w) >= cdf.size()) return 1;
  return cdf[w];
}

namespace {

// Pratt's ranking: |d| over all differences, zeros included (they take the lowest ranks),
// ties sharing their mid-rank, doubled to stay integer. Only the non-zero ranks are kept.
struct SignedRanks {
  std::vector<int> doubled_rank;  // of each non-zero difference
  long doubled_w_plus = 0;
  double tie_term = 0;  // sum of t^3 - t over tie groups of non-zero |d|
};

SignedRanks pratt_ranks(std::vector<double> d) {
  std::sort(d.begin(), d.end(), [](double a, double b) { return std::abs(a) < std::abs(b); });
  SignedRanks r;
  for (std::size_t i = 0; i < d.size();) {
    std::size_t j = i;
    while (j < d.size() && std::abs(d[j]) == std::abs(d[i])) ++j;
    if (d[i] != 0) {
      double t = static_cast<double>(j - i);
      r.tie_term += t * t * t - t;
      int doubled = static_cast<int>(i + 1 + j);
      for (std::size_t k = i; k < j; ++k) {
        r.doubled_rank.push_back(doubled);
        if (d[k] > 0) r.doubled_w_plus += doubled;
      }
    }
    i = j;
  }
  return r;
}

// Two-sided p conditional on the ranks: each non-zero rank positive with probability 1/2,
// the distribution of the doubled W+ grown one rank at a time (halving keeps it exact).
double exact_signed_rank_p(const SignedRanks& r) {
  long total = 0;
  for (int v : r.doubled_rank) total += v;
  std::vector<double> p(static_cast<std::size_t>(total) + 1, 0.0);
  p[0] = 1;
  long reach = 0;
  for (int v : r.doubled_rank) {
    reach += v;
    for (long w = reach; w >= 0; --w) p[w] = 0.5 * (p[w] + (w >= v ? p[w - v] : 0.0));
  }
  double below = 0, above = 0;
  for (long w = 0; w <= total; ++w) {
    if (w <= r.doubled_w_plus) below += p[w];
    if (w >= r.doubled_w_plus) above += p[w];
  }
  return std::min(1.0, 2 * std::min(below, above));
}

}  // namespace

Wilcoxon wilcoxon_signed_rank(const std::vector<double>& differences) {
  require_finite(differences, "wilcoxon_signed_rank");
  Wilcoxon result;
  for (double v : differences) result.zeros += v == 0;
  result.n_used = differences.size() - result.zeros;
  if (result.n_used == 0) return result;  // nothing to rank: no evidence of a shift

  SignedRanks r = pratt_ranks(differences);
  double total = 0;
  for (int v : r.doubled_rank) total += v / 2.0;
  double w_plus = r.doubled_w_plus / 2.0;
  result.statistic = std::min(w_plus, total - w_plus);

  if (result.n_used <= static_cast<std::size_t>(kExactLimit)) {
    result.exact = true;
    if (r.tie_term == 0 && result.zeros == 0) {
      // By symmetry P(W+ >= total - t) = P(W+ <= t), so the two tails are 2 P(W+ <= min).
      int t = static_cast<int>(std::lround(result.statistic));
      result.p_value = std::min(1.0, 2 * wilcoxon_exact_cdf(t, static_cast<int>(result.n_used)));
    } else {
      result.p_value = exact_signed_rank_p(r);
    }
    return result;
  }
  // Pratt's normal approximation without continuity correction: the zeros' ranks leave
  // both the mean and the variance.
  double n = static_cast<double>(differences.size()), z0 = static_cast<double>(result.zeros);
  double variance =
      (n * (n + 1) * (2 * n + 1) - z0 * (z0 + 1) * (2 * z0 + 1)) / 24 - r.tie_term / 48;
  if (variance <= 0) return result;
  result.p_value = two_sided_normal_p((result.statistic - total / 2) / std::sqrt(variance));
  return result;
}

double wilcoxon_smallest_p_value(const std::vector<double>& differences) {
  // The floor is at every non-zero difference positive (or all negative, by symmetry).
  std::vector<double> all_up;
  for (double v : differences) all_up.push_back(std::abs(v));
  return wilcoxon_signed_rank(all_up).p_value;
}

PairedShift walsh_hodges_lehmann(const std::vector<double>& differences, double level) {
  require_finite(differences, "walsh_hodges_lehmann");
  PairedShift shift;
  std::size_t n = differences.size();
  if (n == 0) return shift;
  std::vector<double> walsh;
  walsh.reserve(n * (n + 1) / 2);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i; j < n; ++j) walsh.push_back((differences[i] + differences[j]) / 2);
  }
  std::sort(walsh.begin(), walsh.end());
  std::size_t m = walsh.size();
  shift.estimate = m % 2 == 1 ? walsh[m / 2] : (walsh[m / 2 - 1] + walsh[m / 2]) / 2;
  shift.low = walsh.front();
  shift.high = walsh.back();
  // k: the largest k with P(W+ <= k - 1) <= alpha / 2; the interval is [A(k), A(M + 1 - k)].
  double alpha = 1 - level;
  long k = 0;
  if (n <= static_cast<std::size_t>(kExactLimit)) {
    auto cdf = signed_rank_cdf(static_cast<int>(n));
    while (k < static_cast<long>(cdf.size()) && cdf[k] <= alpha / 2 + 1e-12) ++k;
  } else {
    // P(W+ <= k - 1) ~ Phi((k - 1 + 0.5 - M/2) / sd), with the continuity correction.
    boost::math::normal_distribution<double> normal;
    double z = boost::math::quantile(boost::math::complement(normal, alpha / 2));
    double nn = static_cast<double>(n);
    double sd = std::sqrt(nn * (nn + 1) * (2 * nn + 1) / 24);
    k = static_cast<long>(std::floor(m / 2.0 + 0.5 - z * sd));
  }
  if (k >= 1 && k <= static_cast<long>(m / 2)) {
    shift.interval_available = true;
    shift.low = walsh[k - 1];
    shift.high = walsh[m - k];
  }
  return shift;
}

Trend mann_kendall(const std::vector<double>& values_in_order, double alpha) {
  require_finite(values_in_order, "mann_kendall");
  const auto& x = values_in_order;
  Trend trend;
  std::size_t n = x.size();
  std::vector<double> slopes;
  slopes.reserve(n < 2 ? 0 : n * (n - 1) / 2);
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      s += (x[j] > x[i]) - (x[j] < x[i]);
      slopes.push_back((x[j] - x[i]) / static_cast<double>(j - i));
    }
  }
  trend.s = s;
  if (!slopes.empty()) {
    std::sort(slopes.begin(), slopes.end());
    std::size_t m = slopes.size();
    trend.sen_slope = m % 2 == 1 ? slopes[m / 2] : (slopes[m / 2 - 1] + slopes[m / 2]) / 2;
  }
  if (n < 4) return trend;  // too few values for the normal approximation of S

  // Var(S) = [n(n-1)(2n+5) - sum over tie groups of t(t-1)(2t+5)] / 18
  auto sorted = x;
  std::sort(sorted.begin(), sorted.end());
  double tie_term = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && sorted[j] == sorted[i]) ++j;
    double t = static_cast<double>(j - i);
    tie_term += t * (t - 1) * (2 * t + 5);
    i = j;
  }
  double nn = static_cast<double>(n);
  double variance = (nn * (nn - 1) * (2 * nn + 5) - tie_term) / 18;
  if (variance <= 0 || s == 0) return trend;  // a flat series: no evidence either way
  // Continuity correction: S moves in steps of 2, so shrink it by 1 toward zero.
  trend.z = (s > 0 ? s - 1 : s + 1) / std::sqrt(variance);
  trend.p_value = two_sided_normal_p(trend.z);
  trend.trending = trend.p_value < alpha;
  return trend;
}

std::vector<double> log_ratios(const std::vector<double>& baseline,
                               const std::vector<double>& candidate) {
  if (baseline.size() != candidate.size()) {
    throw std::invalid_argument("log_ratios: " + std::to_string(baseline.size()) +
                                " baseline values but " + std::to_string(candidate.size()) +
                                " candidate values");
  }
  std::vector<double> out;
  out.reserve(baseline.size());
  for (std::size_t i = 0; i < baseline.size(); ++i) {
    double b = baseline[i], c = candidate[i];
    if (!(b > 0) || !(c > 0) || !std::isfinite(b) || !std::isfinite(c)) {
      throw std::invalid_argument("log_ratios: pair " + std::to_string(i) +
                                  " is not positive and finite");
    }
    out.push_back(std::log(c / b));
  }
  return out;
}

}  // namespace bb::stats
