#include "model/metrics.hpp"

#include <algorithm>

namespace bb {

const std::vector<MetricInfo>& metric_catalog() {
  using K = MetricKind;
  constexpr auto B = SampleKind::kBuild, S = SampleKind::kStartup;
  // name, unit, kind, deterministic, lower is better, description, sample kind, compared,
  // tracked, threshold (%): times 5% (noise), sizes 1%, deterministic counts exact, measured
  // counts 10% (modules_compiled: one module more or less of ~10-100 is the import path's
  // noise, not a regression; at 0 any significant change was one); headline column, title.
  // A change of exactly the threshold counts, deterministic or measured.
  static const std::vector<MetricInfo> catalog = {
      {kBuildSeconds, "s", K::kTime, false, true, "wall time of docker buildx build", B, true, true,
       5, 1, ""},
      {kStepsCached, "count", K::kCount, true, false, "build steps served from cache", B, true,
       false, 0},
      {kStepsTotal, "count", K::kCount, true, true, "build steps", B, false, false, 0},
      {kImageBytes, "bytes", K::kSize, true, true, "image size, uncompressed", B, true, false, 1, 2,
       "Image size"},
      {kImageCompressedBytes, "bytes", K::kSize, true, true,
       "image size, each layer gzip-compressed as a registry stores it", B, true, false, 1, 3,
       "Compressed"},
      {kPycCount, "count", K::kCount, true, true, ".pyc files in the image", B, false, false, 0},
      {kPycBytes, "bytes", K::kSize, true, true, "bytes of .pyc files in the image", B, true, false,
       1},
      // Not deterministic: each warm edit appends to the scratch copy and a swap edit trades
      // files of different sizes, so a group's value moves with its repetition, and two runs
      // that stopped a group at 5 and 6 had medians 1.3% apart (an A/A "regression").
      {kContextBytes, "bytes", K::kSize, false, true,
       "build context sent to the builder: file metadata, and the files its cache lacks (moves "
       "with the edits a repetition's scratch copy carries)",
       B, true, true, 1},
      {kLoadSeconds, "s", K::kTime, false, true,
       "loading the image from a non-docker builder into the engine (part of the build time)", B,
       false, false, 5},
      {kCacheExportSeconds, "s", K::kTime, false, true,
       "exporting the build cache (--cache-to; part of the build time)", B, true, false, 5},
      {kCacheImportSeconds, "s", K::kTime, false, true,
       "importing the cache manifest (--cache-from; part of the build time)", B, true, false, 5},
      // Not deterministic: a layer another image in the engine holds is not downloaded again.
      {kBasePullBytes, "bytes", K::kSize, false, true,
       "base image layers the build downloaded from the registry (cold-pull; the FROM steps' "
       "layer statuses)",
       B, false, false, 1},
      {kPushSeconds, "s", K::kTime, false, true,
       "docker push of the cold image to the registry (--registry)", B, true, false, 5},
      {kPushUploadedBytes, "bytes", K::kSize, false, true,
       "no longer stored: runs of 2026-11-25/26 hold 0 whatever the push sent (docker push "
       "names layers by diff id, the manifest by blob digest; they were never matched)",
       B, false, false, 1},
      {kPullSeconds, "s", K::kTime, false, true,
       "docker pull of the pushed image into an engine that holds nothing of it, base images "
       "included (--pull-engine, --pull-onto empty): a fresh host's first deploy",
       B, true, false, 5},
      {kPullOntoBaseSeconds, "s", K::kTime, false, true,
       "docker pull of the pushed image into an engine that holds its base image (the last "
       "stage's FROM) but not it (--pull-engine, --pull-onto base): the layers the scenario "
       "adds, what a new release costs a host that has the base",
       B, true, false, 5},
      {kRegistryBytes, "bytes", K::kSize, true, true,
       "what the registry stores for the image: its manifest's layer and config sizes", B, true,
       false, 1},
      {kRegistryVsGzipPercent, "%", K::kCount, true, true,
       "registry_bytes against our gzip estimate image_compressed_bytes, in percent", B, false,
       false, 0},
      {kReadySeconds, "s", K::kTime, false, true,
       "container's main process start (stamped inside the container) to its ready line read by "
       "buildbench; docker's create and start are outside it",
       S, true, true, 5, 4, "Start-up"},
      {kStartupSeconds, "s", K::kTime, false, true,
       "docker start to ready line read: what a user waits, docker's start cost included", S, true,
       false, 5},
      {kStopSeconds, "s", K::kTime, false, true,
       "ready line read to container killed and removed (a sample's cost after measuring)", S,
       false, false, 5},
      {kStartupNetSeconds, "s", K::kTime, false, true,
       "old runs only: start to ready minus a baseline container's start to exit (could go below "
       "zero; replaced by ready_seconds)",
       S, false, false, 5},
      {kBaselineStartSeconds, "s", K::kTime, false, true,
       "old runs only: start to exit of a container that exits at once", S, false, false, 5},
      {kCreateSeconds, "s", K::kTime, false, true, "docker create, outside start-up", S, false,
       false, 5},
      {kInterpreterReadySeconds, "s", K::kTime, false, true,
       "inside the container: interpreter start to ready", S, true, false, 5},
      {kModulesFromPyc, "count", K::kCount, false, false,
       "modules loaded from a valid stored .pyc up to ready", S, false, false, 0},
      {kModulesCompiled, "count", K::kCount, false, true,
       "modules compiled from source up to ready", S, true, false, 10},
  };
  return catalog;
}

std::vector<std::string> compared_metric_names() {
  std::vector<std::string> names;
  for (const auto& info : metric_catalog()) {
    if (info.compared) names.emplace_back(info.name);
  }
  return names;
}

std::vector<std::string> tracked_metric_names() {
  std::vector<std::string> names;
  for (const auto& info : metric_catalog()) {
    if (info.tracked) names.emplace_back(info.name);
  }
  return names;
}

std::vector<const MetricInfo*> headline_metrics() {
  std::vector<const MetricInfo*> metrics;
  for (const auto& info : metric_catalog()) {
    if (info.headline_column > 0) metrics.push_back(&info);
  }
  std::stable_sort(metrics.begin(), metrics.end(), [](const auto* a, const auto* b) {
    return a->headline_column < b->headline_column;
  });
  return metrics;
}

const MetricInfo* find_metric(std::string_view name) {
  for (const auto& info : metric_catalog()) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

double default_claim_delta_percent(const MetricInfo& info) {
  switch (info.kind) {
    case MetricKind::kTime:
      // A build is measured to the claim precision (+-3%) a group; a start-up, a few
      // hundred milliseconds, jitters more from the engine's own start.
      return info.sample_kind == SampleKind::kStartup ? 5 : 3;
    case MetricKind::kSize:
      return 1;  // exact values: 1% tells a real slimming from a few changed bytes
    case MetricKind::kCount:
      return 0;  // exact counts: any difference is one
  }
  return 0;
}

SampleKind sample_kind_of(std::string_view metric) {
  const MetricInfo* info = find_metric(metric);
  return info ? info->sample_kind : SampleKind::kBuild;
}

std::vector<std::string> metric_names() {
  std::vector<std::string> names;
  for (const auto& info : metric_catalog()) names.emplace_back(info.name);
  return names;
}

}  // namespace bb
