#pragma once
// The one key of a group of samples (a scenario's builds in one cache state, or its start-ups
// in one mode) and of a metric within a group.
#include <string>
#include <tuple>

#include "model/sample.hpp"
#include "model/sample_kind.hpp"

namespace bb {

struct GroupKey {
  std::string scenario;
  SampleKind kind = SampleKind::kBuild;
  std::string state;  // a cache state's name (builds) or a start-up mode's (start-ups)

  static GroupKey of(const Sample& sample) { return {sample.scenario, sample.kind, sample.state}; }
  // Scenario, then state, then kind: a scenario's groups list by state name (the page's data
  // files keep that order), and a start-up mode named like a cache state stays apart.
  friend bool operator<(const GroupKey& a, const GroupKey& b) {
    return std::tie(a.scenario, a.state, a.kind) < std::tie(b.scenario, b.state, b.kind);
  }
  friend bool operator==(const GroupKey& a, const GroupKey& b) {
    return std::tie(a.scenario, a.kind, a.state) == std::tie(b.scenario, b.kind, b.state);
  }
};

// A metric within a group: its values, its summary, its comparison row.
struct MetricKey {
  GroupKey group;
  std::string metric;

  friend bool operator<(const MetricKey& a, const MetricKey& b) {
    return std::tie(a.group, a.metric) < std::tie(b.group, b.metric);
  }
  friend bool operator==(const MetricKey& a, const MetricKey& b) {
    return std::tie(a.group, a.metric) == std::tie(b.group, b.metric);
  }
};

// "step-2 warm-code" and "step-2 warm-code build_seconds": how warnings and messages name them
// (the kind goes without saying: the state names it).
std::string to_string(const GroupKey& key);
std::string to_string(const MetricKey& key);

}  // namespace bb
