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
      {kCacheExportSeconds, "s", MetricKind::kTime, false, true,
       "exporting the build cache (--cache-to; part of the build time)"},
      {kCacheImportSeconds, "s", MetricKind::kTime, false, true,
       "importing the cache manifest (--cache-from; part of the build time)"},
      {kPushSeconds, "s", MetricKind::kTime, false, true,
       "docker push of the cold image to the registry (--registry)"},
      {kPushUploadedBytes, "bytes", MetricKind::kSize, false, true,
       "layers and config the push uploaded (those the registry did not hold yet)"},
      {kPullSeconds, "s", MetricKind::kTime, false, true,
       "docker pull of the pushed image into an engine without it (--pull-engine)"},
      {kRegistryBytes, "bytes", MetricKind::kSize, true, true,
       "what the registry stores for the image: its manifest's layer and config sizes"},
      {kRegistryVsGzipPercent, "%", MetricKind::kCount, true, true,
       "registry_bytes against our gzip estimate image_compressed_bytes, in percent"},
      {kStartupSeconds, "s", MetricKind::kTime, false, true,
       "container start to ready (raw, includes docker's start overhead)"},
      {kStartupNetSeconds, "s", MetricKind::kTime, false, true,
       "start to ready minus the paired baseline container's start to exit"},
      {kBaselineStartSeconds, "s", MetricKind::kTime, false, true,
       "start to exit of a container that exits at once (docker's overhead)"},
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
