#include "measure/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "model/metrics.hpp"
#include "stats/summary.hpp"

namespace bb {

double relative_half_width(const std::vector<double>& values) {
  auto interval = stats::median_ci(values);
  double median = stats::median(values);
  if (!interval.available || !(median > 0)) return std::numeric_limits<double>::infinity();
  return std::max(median - interval.low, interval.high - median) / median;
}

double normal_half_width(const std::vector<double>& values) {
  double median = values.size() < 2 ? 0 : stats::median(values);
  if (!(median > 0)) return std::numeric_limits<double>::quiet_NaN();
  return 1.96 * 1.2533 * stats::stddev(values) / median /
         std::sqrt(static_cast<double>(values.size()));
}

double stopping_half_width(const std::vector<double>& values) {
  double width = relative_half_width(values);
  if (std::isfinite(width) || values.size() < 3) return width;
  double normal = normal_half_width(values);
  return std::isnan(normal) ? width : normal;
}

double required_half_width(const std::vector<double>& values, const GroupTarget& target) {
  double median = values.empty() ? 0 : stats::median(values);
  if (target.floor > 0 && median > 0) return std::max(target.precision, target.floor / median);
  return target.precision;
}

bool within_target(const std::vector<double>& values, const GroupTarget& target) {
  return target.precision > 0 && stopping_half_width(values) <= required_half_width(values, target);
}

bool needs_more(const std::vector<double>& values, int attempts, const GroupTarget& target) {
  if (attempts >= target.max_runs) return false;
  if (attempts < target.min_runs) return true;
  if (target.precision <= 0) return false;
  return !within_target(values, target);
}

double unit_half_width(const std::vector<double>& values) {
  if (values.size() < 3) return std::numeric_limits<double>::quiet_NaN();
  double width = stopping_half_width(values);
  if (!std::isfinite(width)) return std::numeric_limits<double>::quiet_NaN();
  return width * std::sqrt(static_cast<double>(values.size()));
}

int expected_more(const std::vector<double>& values, int attempts, const GroupTarget& target,
                  int prior, double typical_unit_width) {
  int due = std::max(target.min_runs - attempts, 0);
  auto within = [&](double total) {
    return static_cast<int>(std::ceil(std::clamp(total, static_cast<double>(target.min_runs),
                                                 static_cast<double>(target.max_runs))));
  };
  int total;
  if (target.precision <= 0) {
    total = target.min_runs;
  } else if (double own = unit_half_width(values); std::isfinite(own)) {
    total = within(std::pow(own / required_half_width(values, target), 2));
  } else if (prior > 0) {
    total = within(prior);
  } else if (std::isfinite(typical_unit_width)) {
    // Two values say little about a spread; the kind's other groups say more.
    total = within(std::pow(typical_unit_width / required_half_width(values, target), 2));
  } else {
    total = target.min_runs;
  }
  return std::max({total - attempts, due, 0});
}

std::optional<double> figure_of(const Sample& sample) {
  if (sample.status != "ok") return std::nullopt;
  const double* value = sample.get(sample.kind == "build" ? kBuildSeconds : kReadySeconds);
  if (!value && sample.kind == "startup") value = sample.get(kStartupSeconds);
  if (!value || !(*value > 0)) return std::nullopt;
  return *value;
}

void GroupTally::add(const Key& key, bool ok, double value) {
  ++attempts_[key];
  if (ok) values_[key].push_back(value);
}

const std::vector<double>& GroupTally::values(const Key& key) const {
  static const std::vector<double> none;
  auto it = values_.find(key);
  return it == values_.end() ? none : it->second;
}

int GroupTally::attempts(const Key& key) const {
  auto it = attempts_.find(key);
  return it == attempts_.end() ? 0 : it->second;
}

}  // namespace bb
