#pragma once
// Plain data taken by the runner and stored as it is taken.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/build_step.hpp"
#include "model/sample_kind.hpp"

namespace bb {

struct Metric {
  std::string name;
  double value = 0;

  bool operator==(const Metric&) const = default;
};

struct Sample {
  std::string scenario;
  SampleKind kind = SampleKind::kBuild;
  std::string state;   // cache state (build) or start-up mode (startup)
  int repetition = 0;  // 1-based; warm-up samples count from 1 too
  bool warmup = false;
  SampleStatus status = SampleStatus::kOk;
  std::string error;       // why it failed, with the last lines of output
  std::string started_at;  // ISO 8601 UTC
  std::string image_id;
  std::vector<Metric> metrics;
  std::vector<BuildStep> steps;

  void set(std::string_view name, double value) { metrics.push_back({std::string(name), value}); }
  const double* get(std::string_view name) const {
    for (const auto& metric : metrics) {
      if (metric.name == name) return &metric.value;
    }
    return nullptr;
  }
};

}  // namespace bb
