#pragma once
// Baseline against candidate: per scenario x state x metric, medians, the change with
// its confidence interval, a Mann-Whitney p-value and a verdict. No formatting here.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/image.hpp"
#include "model/run.hpp"
#include "stats/summary.hpp"

namespace bb {

enum class Verdict { kRegression, kImprovement, kNoChange, kInconclusive, kFailed };
std::string to_string(Verdict verdict);

struct CompareOptions {
  double alpha = 0.05;
  // Percent thresholds: "metric" or "scenario:metric" -> percent. Defaults: 5 for times,
  // 1 for sizes, 0 for counts.
  std::map<std::string, double> thresholds;
  bool include_warmup = false;
  double noisy_cv = 0.10;                   // warn above this coefficient of variation
  std::vector<std::string> scenario_order;  // suite order; others follow as they appear
};

struct ComparisonRow {
  std::string scenario;
  std::string kind;   // build, startup
  std::string state;  // cache state or bytecode mode
  std::string metric;
  std::string unit;
  bool deterministic = false;
  stats::Summary baseline;
  stats::Summary candidate;
  double change_percent = 0;  // candidate against baseline
  double ci_low_percent = 0;
  double ci_high_percent = 0;
  bool ci_available = false;
  double p_value = 1;
  bool exact_test = false;
  double threshold_percent = 0;
  Verdict verdict = Verdict::kInconclusive;
  std::string note;  // why, in a few words
};

struct FingerprintDifference {
  std::string key;
  std::string baseline;
  std::string candidate;
};

struct Comparison {
  std::vector<std::int64_t> baseline_runs;
  std::vector<std::int64_t> candidate_runs;
  std::vector<ComparisonRow> rows;  // scenario order of the candidate, then state, metric
  std::vector<FingerprintDifference> fingerprint_differences;
  std::vector<std::string> warnings;
  bool stand_in_images = false;

  std::size_t count(Verdict verdict) const;
};

// Metrics compared: the headline ones (not every diagnostic).
const std::vector<std::string>& compared_metrics();

double threshold_for(const CompareOptions& options, const std::string& scenario,
                     const std::string& metric);

Comparison compare(const std::vector<RunRecord>& baseline_runs,
                   const std::vector<StoredSample>& baseline,
                   const std::vector<RunRecord>& candidate_runs,
                   const std::vector<StoredSample>& candidate, const CompareOptions& options);

// One comparison of two groups of values of a metric (used for step-to-step changes and
// claims in reports).
ComparisonRow compare_values(const std::string& metric, const std::vector<double>& baseline,
                             const std::vector<double>& candidate, const CompareOptions& options,
                             const std::string& scenario = "");

// Differences in host and tool facts between two sets of runs.
std::vector<FingerprintDifference> fingerprint_differences(const std::vector<RunRecord>& a,
                                                           const std::vector<RunRecord>& b);

}  // namespace bb
