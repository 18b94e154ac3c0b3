#include "stats/pooling.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>

namespace bb::stats {
namespace {

double two_sided_z(double level) {
  return boost::math::quantile(boost::math::complement(boost::math::normal(), (1 - level) / 2));
}

struct Weighted {
  double mean = 0, sum_weights = 0;
};

Weighted weighted_mean(const std::vector<LogEstimate>& estimates, double tau_squared) {
  Weighted w;
  double sum = 0;
  for (const auto& e : estimates) {
    double weight = 1 / (e.standard_error * e.standard_error + tau_squared);
    sum += weight * e.log_ratio;
    w.sum_weights += weight;
  }
  w.mean = sum / w.sum_weights;
  return w;
}

}  // namespace

LogEstimate estimate_from_interval(double change_percent, double low_percent, double high_percent,
                                   double level) {
  if (!(low_percent > -100 && low_percent <= high_percent && change_percent > -100))
    throw std::invalid_argument("pooling: an interval must satisfy -100% < low <= high");
  double width = std::log1p(high_percent / 100) - std::log1p(low_percent / 100);
  return {std::log1p(change_percent / 100), width / (2 * two_sided_z(level))};
}

PooledEstimate pool_estimates(const std::vector<LogEstimate>& estimates, double level,
                              double heterogeneity_alpha) {
  PooledEstimate p;
  p.runs = estimates.size();
  if (estimates.empty()) return p;
  for (const auto& e : estimates) {
    if (!(e.standard_error > 0 && std::isfinite(e.standard_error) && std::isfinite(e.log_ratio)))
      throw std::invalid_argument("pooling: each run needs a positive, finite standard error");
  }
  auto fixed = weighted_mean(estimates, 0);
  p.fixed_log_ratio = fixed.mean;
  p.fixed_standard_error = 1 / std::sqrt(fixed.sum_weights);
  double sum_squared_weights = 0;
  for (const auto& e : estimates) {
    double weight = 1 / (e.standard_error * e.standard_error);
    p.q += weight * std::pow(e.log_ratio - fixed.mean, 2);
    sum_squared_weights += weight * weight;
  }
  double df = static_cast<double>(estimates.size() - 1);
  p.log_ratio = p.fixed_log_ratio;
  p.standard_error = p.fixed_standard_error;
  if (df > 0) {
    p.q_p_value = boost::math::cdf(boost::math::complement(boost::math::chi_squared(df), p.q));
    p.i_squared = p.q > 0 ? std::max(0.0, (p.q - df) / p.q) : 0;
    double c = fixed.sum_weights - sum_squared_weights / fixed.sum_weights;
    p.tau_squared = std::max(0.0, (p.q - df) / c);
    if (p.q_p_value < heterogeneity_alpha) {
      auto random = weighted_mean(estimates, p.tau_squared);
      p.random_effects = true;
      p.log_ratio = random.mean;
      p.standard_error = 1 / std::sqrt(random.sum_weights);
    }
  }
  double z = two_sided_z(level);
  p.change_percent = std::expm1(p.log_ratio) * 100;
  p.low_percent = std::expm1(p.log_ratio - z * p.standard_error) * 100;
  p.high_percent = std::expm1(p.log_ratio + z * p.standard_error) * 100;
  return p;
}

}  // namespace bb::stats
