#include "measure/metrics.hpp"

namespace bb {

const std::vector<MetricInfo>& metric_catalog() {
  static const std::vector<MetricInfo> catalog = {
      {kBuildSeconds, "s", MetricKind::kTime, false, true, "wall time of docker buildx build"},
      {kStepsCached, "count", MetricKind::kCount, true, false, "build steps served from cache"},
      {kStepsTotal, "count", MetricKind::kCount, true, true, "build steps"},
      {kImageBytes, "bytes", MetricKind::kSize, true, true, "image size, uncompressed"},
      {kImageCompressedBytes, "bytes", MetricKind::kSize, true, true,
       "image size, each layer gzip-compressed as a registry stores it"},
      {kPycCount, "count", MetricKind::kCount, true, true, ".pyc files in the image"},
      {kPycBytes, "bytes", MetricKind::kSize, true, true, "bytes of .pyc files in the image"},
      {kContextBytes, "bytes", MetricKind::kSize, true, true, "build context sent to the builder"},
      {kLoadSeconds, "s", MetricKind::kTime, false, true,
       "loading the image from a non-docker builder into the engine (part of the build time)"},
      {kReadySeconds, "s", MetricKind::kTime, false, true,
       "container's main process start (stamped inside the container) to its ready line "
       "read by buildbench; docker's create and start are outside it"},
      {kStartupSeconds, "s", MetricKind::kTime, false, true,
       "docker start to ready line read: what a user waits, docker's start cost included"},
      {kStopSeconds, "s", MetricKind::kTime, false, true,
       "ready line read to container killed and removed (a sample's cost after measuring)"},
      {kStartupNetSeconds, "s", MetricKind::kTime, false, true,
       "old runs only: start to ready minus a baseline container's start to exit (could go "
       "below zero; replaced by ready_seconds)"},
      {kBaselineStartSeconds, "s", MetricKind::kTime, false, true,
       "old runs only: start to exit of a container that exits at once"},
      {kCreateSeconds, "s", MetricKind::kTime, false, true, "docker create, outside start-up"},
      {kInterpreterReadySeconds, "s", MetricKind::kTime, false, true,
       "inside the container: interpreter start to ready"},
      {kModulesFromPyc, "count", MetricKind::kCount, false, false,
       "modules loaded from a valid stored .pyc up to ready"},
      {kModulesCompiled, "count", MetricKind::kCount, false, true,
       "modules compiled from source up to ready"},
  };
  return catalog;
}

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& info : metric_catalog()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const auto& info : metric_catalog()) names.emplace_back(info.name);
  return names;
}

}  // namespace bb
