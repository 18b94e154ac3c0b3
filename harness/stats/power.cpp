#include "stats/power.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "stats/paired.hpp"

namespace bb {

int fewest_pairs(double alpha) {
  // The floor halves with each pair; 60 pairs reach below 1e-17, past any alpha in use.
  std::vector<double> differences;
  for (int n = 1; n <= 60; ++n) {
    differences.push_back(n);
    if (stats::wilcoxon_smallest_p_value(differences) < alpha) return n;
  }
  return 60;
}

double pairs_formula(double sigma, double delta) {
  constexpr double z_alpha = 1.959963984540054;   // two-sided 5%
  constexpr double z_power = 0.8416212335729143;  // 80% power
  double t_pairs = std::pow((z_alpha + z_power) * sigma / std::log1p(delta), 2);
  return t_pairs / (3 / std::numbers::pi);
}

double paired_standard_error(double sigma, int pairs) {
  return sigma / std::sqrt(pairs * 3 / std::numbers::pi);
}

double threshold_to_flag(double sigma, double delta, int pairs) {
  return std::expm1(std::log1p(delta) - 1.645 * paired_standard_error(sigma, pairs));
}

int pairs_to_detect(double sigma, double delta, int max_pairs) {
  double n = std::ceil(pairs_formula(sigma, delta));
  if (!std::isfinite(n)) return max_pairs;
  return static_cast<int>(std::clamp<double>(n, kFewestPairs, std::max(max_pairs, kFewestPairs)));
}

double chance_to_pass(double delta, double threshold, double se) {
  double margin = std::log1p(delta) - std::log1p(threshold);
  if (!(se > 0)) return margin >= 0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::normal(), margin / se);
}

namespace {
double z_upper(double p) {
  return boost::math::quantile(boost::math::complement(boost::math::normal(), p));
}
}  // namespace

double standard_error_to_detect(double effect, double alpha, double power) {
  return std::fabs(effect) / (z_upper(alpha / 2) + z_upper(1 - power));
}

double standard_error_for_equivalence(double effect, double margin, double alpha, double power) {
  return std::max(0.0, (margin - std::fabs(effect)) / (z_upper(alpha) + z_upper(1 - power)));
}

double samples_for_standard_error(double samples_now, double se_now, double se_needed) {
  if (!(se_needed > 0)) return std::numeric_limits<double>::infinity();
  return samples_now * std::pow(se_now / se_needed, 2);
}

}  // namespace bb
