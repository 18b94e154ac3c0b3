#pragma once
// The catalog of metrics buildbench stores. Names carry their unit.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/sample_kind.hpp"

namespace bb {

enum class MetricKind { kTime, kSize, kCount };

// Everything a layer needs to know about a metric. This catalog is the only list: compare,
// its thresholds, nightly's trends and the report's charts derive from it.
struct MetricInfo {
  std::string_view name;
  std::string_view unit;  // "s", "bytes", "count"
  MetricKind kind;
  bool deterministic;  // same inputs give the same value: compared exactly, without a test
  bool lower_is_better;
  std::string_view description;
  SampleKind sample_kind = SampleKind::kBuild;
  bool compared = false;  // `compare` judges it
  bool tracked = false;   // nightly's lasting-shift detection and the report's trends follow it
  double threshold_percent = 5;  // default change that counts as a regression
  // The page's headline table: the column's place (1, 2, ...; 0: not there) and its title. A
  // build time gets a column per cache state, a start-up metric one per measured mode.
  int headline_column = 0;
  std::string_view headline_title = {};
};

// The metrics `compare` judges, in catalog order.
std::vector<std::string> compared_metric_names();
// The metrics nightly and the trend charts follow.
std::vector<std::string> tracked_metric_names();
// The metrics of the page's headline table, in column order.
std::vector<const MetricInfo*> headline_metrics();

const std::vector<MetricInfo>& metric_catalog();
const MetricInfo* find_metric(std::string_view name);
// The smallest effect of interest a claim on the metric gets when its suite names none
// (percent; docs/design.md#claims says why): 3 for build times, 5 for start-up times, 1 for sizes,
// 0 for counts.
double default_claim_delta_percent(const MetricInfo& info);
// Which samples carry the metric: its catalog entry's, builds for a name the catalog lacks.
SampleKind sample_kind_of(std::string_view metric);
std::vector<std::string> metric_names();

// Build metrics
inline constexpr std::string_view kBuildSeconds = "build_seconds";
inline constexpr std::string_view kStepsCached = "steps_cached";
inline constexpr std::string_view kStepsTotal = "steps_total";
inline constexpr std::string_view kImageBytes = "image_bytes";
inline constexpr std::string_view kImageCompressedBytes = "image_compressed_bytes";
inline constexpr std::string_view kPycCount = "pyc_count";
inline constexpr std::string_view kPycBytes = "pyc_bytes";
inline constexpr std::string_view kContextBytes = "context_bytes";
inline constexpr std::string_view kLoadSeconds = "load_seconds";
inline constexpr std::string_view kCacheExportSeconds = "cache_export_seconds";
inline constexpr std::string_view kCacheImportSeconds = "cache_import_seconds";
inline constexpr std::string_view kBasePullBytes = "base_pull_bytes";
// Registry metrics (--registry): once per scenario and run, on the first good cold image.
inline constexpr std::string_view kPushSeconds = "push_seconds";
inline constexpr std::string_view kPushUploadedBytes = "push_uploaded_bytes";
inline constexpr std::string_view kPullSeconds = "pull_seconds";
inline constexpr std::string_view kPullOntoBaseSeconds = "pull_onto_base_seconds";
inline constexpr std::string_view kRegistryBytes = "registry_bytes";
inline constexpr std::string_view kRegistryVsGzipPercent = "registry_vs_gzip_percent";
// Start-up metrics
inline constexpr std::string_view kReadySeconds = "ready_seconds";  // the start-up figure
inline constexpr std::string_view kStartupSeconds = "startup_seconds";
inline constexpr std::string_view kCreateSeconds = "create_seconds";
inline constexpr std::string_view kStopSeconds = "stop_seconds";
// Stored by runs before ready_seconds; kept so that their data still reads.
inline constexpr std::string_view kStartupNetSeconds = "startup_net_seconds";
inline constexpr std::string_view kBaselineStartSeconds = "baseline_start_seconds";
inline constexpr std::string_view kInterpreterReadySeconds = "interpreter_ready_seconds";
inline constexpr std::string_view kModulesFromPyc = "modules_from_pyc";
inline constexpr std::string_view kModulesCompiled = "modules_compiled";

}  // namespace bb
