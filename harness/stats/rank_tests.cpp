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

namespace {

// Cell updates the tied DP below may make; 3e6 (a few ms) covers any m + n <= 40, and
// larger samples with few distinct values, where the normal approximation is at its worst.
constexpr double kTiedExactBudget = 3e6;

// Pooled sample sorted by value, each value's doubled mid-rank (an integer), and whether
// it came from x.
struct Ranked {
  std::vector<int> doubled_rank;  // per tie group
  std::vector<int> group_size;
  long doubled_rank_sum_x = 0;
  double tie_term = 0;  // sum of t^3 - t over tie groups
};

Ranked rank_pooled(const std::vector<double>& x, const std::vector<double>& y) {
  std::vector<std::pair<double, int>> pooled;
  for (double v : x) pooled.emplace_back(v, 0);
  for (double v : y) pooled.emplace_back(v, 1);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Ranked r;
  for (std::size_t i = 0; i < pooled.size();) {
    std::size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    int t = static_cast<int>(j - i), doubled = static_cast<int>(i + 1 + j);
    r.doubled_rank.push_back(doubled);
    r.group_size.push_back(t);
    r.tie_term += static_cast<double>(t) * t * t - t;
    for (std::size_t k = i; k < j; ++k) {
      if (pooled[k].second == 0) r.doubled_rank_sum_x += doubled;
    }
    i = j;
  }
  return r;
}

double doubled_rank_total(const Ranked& r) {
  double max_sum = 0;
  for (std::size_t g = 0; g < r.group_size.size(); ++g) {
    max_sum += static_cast<double>(r.group_size[g]) * r.doubled_rank[g];
  }
  return max_sum;
}

double exact_tied_cost(const Ranked& r, int m) {
  double takes = 0;
  for (int t : r.group_size) takes += t + 1;
  return takes * (m + 1) * (doubled_rank_total(r) + 1);
}

// Two-sided p of the rank sum conditional on the tie pattern: the permutation distribution
// of x's doubled rank sum over all C(m+n, m) assignments, grown one tie group at a time
// (k of a group's t values to x in C(t, k) ways). Two-sided as SciPy's exact test:
// min(1, 2 min(P(R <= r), P(R >= r))); without ties that is 2 P(U >= max(U1, U2)).
double exact_tied_p(const Ranked& r, int m) {
  auto max_sum = static_cast<long>(doubled_rank_total(r));
  auto at = [&](int k, long s) { return static_cast<std::size_t>(k) * (max_sum + 1) + s; };
  std::vector<double> count(static_cast<std::size_t>(m + 1) * (max_sum + 1), 0.0), ways;
  count[at(0, 0)] = 1;
  long reach = 0;  // the largest sum reachable so far
  int seen = 0;    // values placed so far
  for (std::size_t g = 0; g < r.group_size.size(); ++g) {
    int t = r.group_size[g];
    long rank = r.doubled_rank[g];
    ways.assign(t + 1, 0.0);
    for (int take = 0; take <= t; ++take) {
      ways[take] = boost::math::binomial_coefficient<double>(t, take);
    }
    seen += t;
    reach += t * rank;
    // In place, from the top: rows k - take below k still hold the counts before this group.
    for (int k = std::min(m, seen); k >= 1; --k) {
      for (long s = std::min(reach, max_sum); s >= 0; --s) {
        double sum = count[at(k, s)];
        for (int take = 1; take <= std::min(t, k) && s >= take * rank; ++take) {
          sum += count[at(k - take, s - take * rank)] * ways[take];
        }
        count[at(k, s)] = sum;
      }
    }
  }
  double below = 0, above = 0, total = 0;
  for (long s = 0; s <= max_sum; ++s) {
    double c = count[at(m, s)];
    total += c;
    if (s <= r.doubled_rank_sum_x) below += c;
    if (s >= r.doubled_rank_sum_x) above += c;
  }
  return std::min(1.0, 2 * std::min(below, above) / total);
}

bool exact_path(const Ranked& r, int m, int n) {
  if (r.tie_term == 0) return m <= kExactLimit && n <= kExactLimit;
  return exact_tied_cost(r, std::min(m, n)) <= kTiedExactBudget;
}

// Assignments giving x the m smallest values' rank sum: every group below the one that
// m ends in, and any k of that group's t values, C(t, k) ways.
double ways_to_the_extreme(const std::vector<int>& group_sizes, int m) {
  int left = m;
  for (int t : group_sizes) {
    if (left < t) return boost::math::binomial_coefficient<double>(t, left);
    left -= t;
  }
  return 1;
}

}  // namespace

MannWhitney mann_whitney(const std::vector<double>& x, const std::vector<double>& y) {
  MannWhitney result;
  int m = static_cast<int>(x.size()), n = static_cast<int>(y.size());
  if (m == 0 || n == 0) return result;
  Ranked ranked = rank_pooled(x, y);
  bool ties = ranked.tie_term > 0;
  result.u1 = ranked.doubled_rank_sum_x / 2.0 - m * (m + 1) / 2.0;
  double u2 = static_cast<double>(m) * n - result.u1;
  double u_big = std::max(result.u1, u2);

  result.exact = exact_path(ranked, m, n);
  if (result.exact && !ties) {
    // P(U >= u_big) = 1 - P(U <= u_big - 1)
    double upper_tail = 1 - mann_whitney_cdf(static_cast<int>(std::lround(u_big)) - 1, m, n);
    result.p_value = std::min(1.0, 2 * upper_tail);
    return result;
  }
  if (result.exact) {
    // The DP runs over the smaller sample's rank sum: the two-sided p is the same.
    if (n < m) {
      ranked.doubled_rank_sum_x =
          static_cast<long>(doubled_rank_total(ranked)) - ranked.doubled_rank_sum_x;
    }
    result.p_value = exact_tied_p(ranked, std::min(m, n));
    return result;
  }
  double total = m + n;
  double mu = m * n / 2.0;
  double sigma = std::sqrt(m * n / 12.0 * ((total + 1) - ranked.tie_term / (total * (total - 1))));
  if (sigma == 0) {
    result.p_value = 1;
    return result;
  }
  double z = (u_big - mu - 0.5) / sigma;  // continuity correction
  boost::math::normal_distribution<double> normal;
  result.p_value = std::clamp(2 * boost::math::cdf(boost::math::complement(normal, z)), 0.0, 1.0);
  return result;
}

double smallest_p_value(const std::vector<double>& x, const std::vector<double>& y) {
  int m = static_cast<int>(x.size()), n = static_cast<int>(y.size());
  if (m == 0 || n == 0) return 1;
  // Every p is monotone in the rank sum's distance from its centre, so the floor is at one
  // of the two extremes: x holding the m smallest or the m largest of the pooled values.
  Ranked ranked = rank_pooled(x, y);
  if (exact_path(ranked, m, n)) {
    auto sizes = ranked.group_size;
    double low = ways_to_the_extreme(sizes, m);
    std::reverse(sizes.begin(), sizes.end());
    double high = ways_to_the_extreme(sizes, m);
    double total = boost::math::binomial_coefficient<double>(m + n, m);
    return std::min(1.0, 2 * std::min(low, high) / total);
  }
  std::vector<double> pooled = x;
  pooled.insert(pooled.end(), y.begin(), y.end());
  std::sort(pooled.begin(), pooled.end());
  std::vector<double> low(pooled.begin(), pooled.begin() + m),
      rest(pooled.begin() + m, pooled.end());
  std::vector<double> high(pooled.end() - m, pooled.end()),
      others(pooled.begin(), pooled.end() - m);
  return std::min(mann_whitney(low, rest).p_value, mann_whitney(high, others).p_value);
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
    // P(U <= c - 1) ~ Phi((c - 1 + 0.5 - mn/2) / sd), with the continuity correction as the
    // paired bound has it.
    c = static_cast<int>(std::floor(m * n / 2.0 + 0.5 - z * std::sqrt(m * n * (m + n + 1) / 12.0)));
  }
  if (c >= 1 && c <= static_cast<int>(differences.size()) / 2) {
    shift.interval_available = true;
    shift.low = differences[c - 1];
    shift.high = differences[differences.size() - c];
  }
  return shift;
}

}  // namespace bb::stats
