#include "stats/sequential.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/math/distributions/normal.hpp>

#include "stats/paired.hpp"

namespace bb::stats {
namespace {

const boost::math::normal kNormal;

double upper_tail(double z) {
  return boost::math::cdf(boost::math::complement(kNormal, z));
}

double density(double z) {
  return boost::math::pdf(kNormal, z);
}

// Beyond this many standard deviations of W(t) the density is below 1e-22: the continuation
// region's integral stops there however far the boundary lies.
constexpr double kReach = 10;

// The density of W(t) = Z(t) sqrt(t) on a grid over the continuation region of the looks so
// far (not having crossed), with Simpson weights, so that a sum over the grid is an integral.
struct Grid {
  std::vector<double> w;       // points
  std::vector<double> weight;  // Simpson weight times the density at the point
};

// Simpson's rule over [-half, half] with an even number of intervals, fine enough that the
// next look's normal kernel (standard deviation `kernel_sd`) spans many points.
std::vector<double> simpson_points(double half, double kernel_sd, std::vector<double>& simpson) {
  double h = std::min(kernel_sd / 12, 2 * half / 600);
  auto intervals = static_cast<std::size_t>(std::ceil(2 * half / h));
  intervals = std::clamp<std::size_t>(intervals + intervals % 2, 600, 6000);
  h = 2 * half / static_cast<double>(intervals);
  std::vector<double> points(intervals + 1);
  simpson.assign(intervals + 1, 0);
  for (std::size_t j = 0; j <= intervals; ++j) {
    points[j] = -half + h * static_cast<double>(j);
    double s = (j == 0 || j == intervals) ? 1 : (j % 2 ? 4 : 2);
    simpson[j] = s * h / 3;
  }
  return points;
}

// The chance, from the grid at the last look, of crossing |W| >= b at a look `step` later in
// information (W's increment is N(0, step)).
double crossing_from(const Grid& grid, double b, double step) {
  double sd = std::sqrt(step);
  double total = 0;
  for (std::size_t j = 0; j < grid.w.size(); ++j) {
    total += grid.weight[j] * (upper_tail((b - grid.w[j]) / sd) + upper_tail((b + grid.w[j]) / sd));
  }
  return total;
}

// The grid at a look with boundary z (|W| < z sqrt(t)) from the grid at the previous look
// (or, for the first look, from W(t) ~ N(0, t)). `next_step` is the increment to the look
// after, which sets how fine the grid must be (0: there is none).
Grid advance(const Grid* previous, double t, double step, double z, double next_step) {
  double sd_t = std::sqrt(t);
  double half = std::min(z, kReach) * sd_t;
  Grid g;
  std::vector<double> simpson;
  double kernel_sd = next_step > 0 ? std::sqrt(next_step) : sd_t;
  g.w = simpson_points(half, kernel_sd, simpson);
  g.weight.resize(g.w.size());
  double sd = std::sqrt(step);
  for (std::size_t i = 0; i < g.w.size(); ++i) {
    double f = 0;
    if (!previous) {
      f = density(g.w[i] / sd_t) / sd_t;
    } else {
      for (std::size_t j = 0; j < previous->w.size(); ++j)
        f += previous->weight[j] * density((g.w[i] - previous->w[j]) / sd) / sd;
    }
    g.weight[i] = simpson[i] * f;
  }
  return g;
}

void check_fractions(const std::vector<double>& fractions) {
  double last = 0;
  for (double t : fractions) {
    if (!(t > last && t <= 1))
      throw std::invalid_argument(
          "sequential looks: information fractions must increase within (0, 1]");
    last = t;
  }
}

}  // namespace

double obrien_fleming_spending(double t, double alpha, Spending form) {
  if (!(t > 0)) return 0;
  if (t >= 1) return alpha;
  if (form == Spending::kTwoSided) {
    double z = boost::math::quantile(boost::math::complement(kNormal, alpha / 2));
    return 2 * upper_tail(z / std::sqrt(t));
  }
  double z = boost::math::quantile(boost::math::complement(kNormal, alpha / 4));
  return 2 * (2 * upper_tail(z / std::sqrt(t)));
}

std::vector<double> spending_boundaries(const std::vector<double>& fractions, double alpha,
                                        Spending form) {
  if (!(alpha > 0 && alpha < 1))
    throw std::invalid_argument("sequential looks: alpha must lie in (0, 1)");
  check_fractions(fractions);
  std::vector<double> bounds;
  Grid grid;
  double spent = 0, last_t = 0;
  for (std::size_t k = 0; k < fractions.size(); ++k) {
    double t = fractions[k];
    double share = obrien_fleming_spending(t, alpha, form) - spent;
    double step = t - last_t;
    double z = 0;
    if (k == 0) {
      z = share > 0 ? boost::math::quantile(boost::math::complement(kNormal, share / 2))
                    : std::numeric_limits<double>::infinity();
    } else {
      // Crossing falls as the boundary rises: bisect on z for the look's share of alpha.
      double lo = 0, hi = 40;
      for (int it = 0; it < 100; ++it) {
        double mid = (lo + hi) / 2;
        (crossing_from(grid, mid * std::sqrt(t), step) > share ? lo : hi) = mid;
      }
      z = (lo + hi) / 2;
    }
    bounds.push_back(z);
    spent += share;
    double next_step = k + 1 < fractions.size() ? fractions[k + 1] - t : 0;
    grid = advance(k == 0 ? nullptr : &grid, t, step, z, next_step);
    last_t = t;
  }
  return bounds;
}

double crossing_probability(const std::vector<double>& fractions,
                            const std::vector<double>& boundaries) {
  check_fractions(fractions);
  if (boundaries.size() != fractions.size())
    throw std::invalid_argument("sequential looks: one boundary per look");
  double total = 0, last_t = 0;
  Grid grid;
  for (std::size_t k = 0; k < fractions.size(); ++k) {
    double t = fractions[k], step = t - last_t;
    total += k == 0 ? 2 * upper_tail(boundaries[k])
                    : crossing_from(grid, boundaries[k] * std::sqrt(t), step);
    double next_step = k + 1 < fractions.size() ? fractions[k + 1] - t : 0;
    grid = advance(k == 0 ? nullptr : &grid, t, step, boundaries[k], next_step);
    last_t = t;
  }
  return total;
}

double z_of_two_sided_p(double p) {
  if (!(p < 1)) return 0;
  if (!(p > 0)) return std::numeric_limits<double>::infinity();
  return boost::math::quantile(boost::math::complement(kNormal, p / 2));
}

SequentialResult decide_sequential(const std::vector<SequentialLook>& looks, double alpha,
                                   Spending form) {
  SequentialResult r;
  if (looks.empty()) return r;
  std::vector<double> fractions;
  for (const auto& look : looks) fractions.push_back(look.fraction);
  auto bounds = spending_boundaries(fractions, alpha, form);
  r.look = looks.size() - 1;
  r.boundary = bounds.back();
  if (std::fabs(looks.back().z) >= r.boundary) {
    r.decision = SequentialDecision::kReject;
  } else if (looks.back().fraction >= 1) {
    r.decision = SequentialDecision::kStop;
  }
  return r;
}

std::vector<int> planned_looks(int first, int max_pairs, int most_looks) {
  if (max_pairs < 1) return {};
  first = std::max(first, 1);
  if (first >= max_pairs || most_looks < 2) return {max_pairs};
  int count = std::min(most_looks, max_pairs - first + 1);
  std::vector<int> looks;
  for (int i = 0; i < count; ++i) {
    double step = static_cast<double>(max_pairs - first) / (count - 1);
    int at = first + static_cast<int>(std::lround(i * step));
    if (looks.empty() || at > looks.back()) looks.push_back(at);
  }
  return looks;
}

namespace {

// The pair counts looked at so far: each planned look reached and, once the pairs have
// ended short of the last planned look, the pairs there are.
std::vector<std::size_t> look_counts(std::size_t pairs, const std::vector<int>& looks, bool ended) {
  std::vector<std::size_t> counts;
  for (int at : looks)
    if (static_cast<std::size_t>(at) <= pairs) counts.push_back(static_cast<std::size_t>(at));
  bool final_reached = !counts.empty() && counts.back() == static_cast<std::size_t>(looks.back());
  if (ended && pairs > 0 && !final_reached && (counts.empty() || counts.back() < pairs))
    counts.push_back(pairs);
  return counts;
}

}  // namespace

PairedSequential paired_sequential(const std::vector<double>& differences,
                                   const std::vector<int>& looks, double alpha, bool ended) {
  PairedSequential r;
  r.looks_planned = looks.size();
  auto counts = look_counts(differences.size(), looks, ended);
  if (counts.empty()) return r;
  std::vector<double> z, p, fractions;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    std::vector<double> so_far(differences.begin(), differences.begin() + counts[k]);
    auto test = wilcoxon_signed_rank(so_far);
    double shift = walsh_hodges_lehmann(so_far).estimate;
    z.push_back(z_of_two_sided_p(test.p_value) * (shift < 0 ? -1 : 1));
    p.push_back(test.p_value);
    bool last = ended && k + 1 == counts.size();
    fractions.push_back(last ? 1.0 : static_cast<double>(counts[k]) / looks.back());
  }
  // A look's boundary depends only on the looks up to it: one computation serves them all.
  auto bounds = spending_boundaries(fractions, alpha);
  for (std::size_t k = 0; k < counts.size(); ++k) {
    r.look = k + 1;
    r.pairs = counts[k];
    r.z = z[k];
    r.p_value = p[k];
    r.boundary = bounds[k];
    if (std::fabs(z[k]) >= bounds[k]) {
      r.decision = SequentialDecision::kReject;
      return r;
    }
  }
  if (fractions.back() >= 1) r.decision = SequentialDecision::kStop;
  return r;
}

}  // namespace bb::stats
