#include "stats/power.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <boost/math/distributions/normal.hpp>

namespace bb {

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

}  // namespace bb
