#pragma once
// What the schedule counts per group (scenario x kind x state): attempts, failed ones included,
// and the good values, fed with each sample as it is stored.
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "model/group_key.hpp"
#include "model/sample.hpp"

namespace bb {

// The figure a group is judged on, what the headline and the claims show: build time, or
// start-up (ready_seconds; docker start to ready for runs that predate it). Nothing for a
// sample that failed or lacks it.
std::optional<double> figure_of(const Sample& sample);

// Values and attempts per group, fed with each sample as it is stored.
class GroupTally {
 public:
  using Key = GroupKey;
  void add(const Key& key, bool ok, double value);
  const std::vector<double>& values(const Key& key) const;
  int attempts(const Key& key) const;

 private:
  std::map<Key, std::vector<double>> values_;
  std::map<Key, int> attempts_;
};

}  // namespace bb
