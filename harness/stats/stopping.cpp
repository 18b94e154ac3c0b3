#include "stats/stopping.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "stats/summary.hpp"

namespace bb {

double relative_half_width(const std::vector<double>& values) {
  auto interval = stats::median_ci(values);
  double median = stats::median(values);
  if (!interval.available || !(median > 0)) return std::numeric_limits<double>::infinity();
  return std::max(median - interval.low, interval.high - median) / median;
}

namespace {

// Student's t, not 1.96: sigma comes from the same few values (4.30 at n = 3, 2.78 at n = 5).
double t_critical(std::size_t n) {
  boost::math::students_t t(static_cast<double>(n - 1));
  return boost::math::quantile(boost::math::complement(t, 0.025));
}

// What multiplies a group's unit spread over sqrt(n) to give its expected stopping
// half-width: t below six values. From six on the interval is [x(l), x(n-l+1)], whose half-
// width for normal data is about -z((l - 0.375) / (n + 0.25)) sigma (Blom's expected order
// statistic) times 1.25, since the rule takes the larger of the two sides (simulated: 1.19 to
// 1.29 for n = 6..60). Not monotone: where l stays put as n grows (5 to 6, 6 to 8, 10 to 11)
// the interval widens.
// The stand-in's critical value: t(n-1), or 1.96 for runs recorded before it.
double stand_in_critical(std::size_t n, bool student_t) {
  return student_t ? t_critical(n) : 1.96;
}

double width_factor(int n, bool student_t) {
  if (n < 6) return stand_in_critical(static_cast<std::size_t>(n), student_t);
  auto l = static_cast<double>(stats::median_ci_rank(static_cast<std::size_t>(n)));
  boost::math::normal normal;
  double side = -boost::math::quantile(normal, (l - 0.375) / (n + 0.25));
  return 1.25 * side * std::sqrt(static_cast<double>(n)) / 1.2533;
}

}  // namespace

double median_unit_spread(const std::vector<double>& values) {
  double median = values.size() < 2 ? 0 : stats::median(values);
  if (!(median > 0)) return std::numeric_limits<double>::quiet_NaN();
  return 1.2533 * stats::stddev(values) / median;
}

double normal_half_width(const std::vector<double>& values, bool student_t) {
  double unit = median_unit_spread(values);
  if (std::isnan(unit)) return unit;
  return stand_in_critical(values.size(), student_t) * unit /
         std::sqrt(static_cast<double>(values.size()));
}

double stopping_half_width(const std::vector<double>& values, bool student_t) {
  double width = relative_half_width(values);
  if (std::isfinite(width) || values.size() < 3) return width;
  double normal = normal_half_width(values, student_t);
  return std::isnan(normal) ? width : normal;
}

double required_half_width(const std::vector<double>& values, const GroupTarget& target) {
  double median = values.empty() ? 0 : stats::median(values);
  if (target.floor > 0 && median > 0) return std::max(target.precision, target.floor / median);
  return target.precision;
}

bool within_target(const std::vector<double>& values, const GroupTarget& target) {
  return target.precision > 0 &&
         stopping_half_width(values, target.student_t) <= required_half_width(values, target);
}

bool needs_more(const std::vector<double>& values, int attempts, const GroupTarget& target) {
  if (attempts >= target.max_runs) return false;
  if (attempts < target.min_runs) return true;
  if (target.precision <= 0) return false;
  return !within_target(values, target);
}

double unit_half_width(const std::vector<double>& values, bool student_t) {
  if (values.size() < 3) return std::numeric_limits<double>::quiet_NaN();
  double width = stopping_half_width(values, student_t);
  if (!std::isfinite(width)) return std::numeric_limits<double>::quiet_NaN();
  int n = static_cast<int>(values.size());
  return width * std::sqrt(static_cast<double>(n)) / width_factor(n, student_t);
}

int runs_for(double unit_width, double required, const GroupTarget& target) {
  for (int n = std::max(target.min_runs, 3); n < target.max_runs; ++n)  // none stops below 3
    if (width_factor(n, target.student_t) * unit_width / std::sqrt(static_cast<double>(n)) <=
        required)
      return n;
  return std::max(target.max_runs, target.min_runs);
}

int expected_more(const std::vector<double>& values, int attempts, const GroupTarget& target,
                  int prior, double typical_need) {
  int due = std::max(target.min_runs - attempts, 0);
  int total;
  if (target.precision <= 0) {
    total = target.min_runs;
  } else if (double own = unit_half_width(values, target.student_t); std::isfinite(own)) {
    total = runs_for(own, required_half_width(values, target), target);
  } else if (std::isfinite(typical_need)) {
    // Two values say little about a spread; the kind's other groups, on this machine now, more.
    total = runs_for(typical_need, 1.0, target);
  } else if (prior > 0) {
    total = std::clamp(prior, target.min_runs, target.max_runs);
  } else {
    total = std::max(target.max_runs, target.min_runs);
  }
  return std::max({total - attempts, due, 0});
}

}  // namespace bb
