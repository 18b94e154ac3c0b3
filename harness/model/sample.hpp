#pragma once
// Plain data taken by the runner and stored as it is taken.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/build_step.hpp"

namespace bb {

struct Metric {
  std::string name;
  double value = 0;
};

struct Sample {
  std::string scenario;
  std::string kind = "build";  // "build" or "startup"
  std::string state;           // cache state (build) or bytecode mode (startup)
  int repetition = 0;          // 1-based; warm-up samples count from 1 too
  bool warmup = false;
  std::string status = "ok";  // "ok", "failed", "interrupted"
  std::string error;          // why it failed, with the last lines of output
  std::string started_at;     // ISO 8601 UTC
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
