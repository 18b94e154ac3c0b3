#include "model/group_tally.hpp"

#include "model/metrics.hpp"

namespace bb {

std::optional<double> figure_of(const Sample& sample) {
  if (sample.status != SampleStatus::kOk) return std::nullopt;
  const double* value =
      sample.get(sample.kind == SampleKind::kBuild ? kBuildSeconds : kReadySeconds);
  if (!value && sample.kind == SampleKind::kStartup) value = sample.get(kStartupSeconds);
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
