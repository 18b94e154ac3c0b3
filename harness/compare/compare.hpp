#pragma once
// Baseline against candidate: per scenario x state x metric, medians, the change with
// its confidence interval, a p-value and a verdict. Two sides measured apart are compared
// unpaired (Hodges-Lehmann shift, Mann-Whitney U); the two sides of a `buildbench ab`
// session pair by pair (per-pair log ratios: Walsh-average Hodges-Lehmann, Wilcoxon
// signed-rank). Drift within a run is found with a Mann-Kendall test. No formatting here.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compare/what_changed.hpp"
#include "model/image.hpp"
#include "model/run.hpp"
#include "stats/summary.hpp"

namespace bb {

enum class Verdict { kRegression, kImprovement, kNoChange, kInconclusive, kFailed };
std::string to_string(Verdict verdict);

struct CompareOptions {
  double alpha = 0.05;
  // Percent thresholds: "metric" or "scenario:metric" -> percent. Defaults: 5 for times,
  // 1 for sizes, 10 for modules_compiled, 0 for deterministic counts (the catalog's).
  std::map<std::string, double> thresholds;
  bool include_warmup = false;
  double noisy_cv = 0.10;                   // warn above this coefficient of variation
  std::vector<std::string> scenario_order;  // suite order; others follow as they appear
  // auto: paired when the two sides hold pairs; paired: require them; unpaired: ignore them.
  enum class Pairing { kAuto, kPaired, kUnpaired } pairing = Pairing::kAuto;
  // The suite's checkout, so a changed commit lists the files it changed ("" for none).
  std::filesystem::path git_dir;
  // Seconds each build median is known to (a run's --precision-floor); unset: compare takes
  // its runs', compare_values stats::kBuildPrecisionFloorSeconds.
  std::optional<double> build_floor_seconds;
  // Whether runs of different testbeds may be compared (--across-testbeds); compare_selections
  // refuses them otherwise.
  bool across_testbeds = false;
};

struct ComparisonRow {
  std::string scenario;
  SampleKind kind = SampleKind::kBuild;
  std::string state;  // cache state or start-up mode
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
  // The smallest p the row's test can give for any outcome with its sizes, zeros and ties;
  // at or above alpha the row is never significant, whatever p_value says.
  double p_floor = 0;
  std::size_t pairs = 0;  // paired comparison: good pairs it rests on; 0: unpaired
  // Tested against the other measured rows: the Benjamini-Hochberg adjusted p over them is
  // what decides significance (q_value = p_value for a row compared on its own).
  bool testable = false;
  double q_value = 1;
  double threshold_percent = 0;
  // In the metric's unit: a smaller change is never a regression or an improvement, however
  // significant (build_seconds: the two medians' precision floors combined; 0: none).
  double change_floor = 0;
  Verdict verdict = Verdict::kInconclusive;
  std::string note;  // why, in a few words
};

struct FingerprintDifference {
  std::string key;
  std::string baseline;
  std::string candidate;
};

// A group whose values move with the order they were taken in (Mann-Kendall), within one run.
struct Drift {
  std::int64_t run_id = 0;
  std::string scenario;
  SampleKind kind = SampleKind::kBuild;
  std::string state, metric;
  std::size_t count = 0;
  double p_value = 1;
  double sen_slope = 0;      // metric units per repetition
  double total_percent = 0;  // the slope over the whole run, against the median
};

// The rows tested together: about alpha of those without a real change come out p < alpha by
// chance, so the verdicts rest on the false discovery rate over them.
struct RowFamily {
  std::size_t testable = 0;       // measured rows whose design can reach p < alpha
  std::size_t significant = 0;    // of those, p < alpha
  std::size_t discoveries = 0;    // of those, Benjamini-Hochberg adjusted p < alpha
  double expected_by_chance = 0;  // alpha x testable: the significant count if nothing changed
  double alpha = 0.05;            // of each test, and the false discovery rate
};

struct Comparison {
  std::vector<std::int64_t> baseline_runs;
  std::vector<std::int64_t> candidate_runs;
  std::vector<ComparisonRow> rows;  // scenario order of the candidate, then state, metric
  // The inputs that differ between the last baseline run and the last candidate run
  // (`what_changed`); fingerprint_differences holds the host and tool facts it does not cover.
  std::vector<InputChange> input_changes;
  std::int64_t inputs_baseline_run = 0, inputs_candidate_run = 0;
  std::vector<FingerprintDifference> fingerprint_differences;
  std::vector<std::string> warnings;
  bool stand_in_images = false;
  // The testbeds of both sides, each with its runs ("A (run 1), B (run 2)"), when there are
  // several (compare --across-testbeds); "" for one.
  std::string across_testbeds;
  // Paired: the pairs per compared group (fewest, most) and how their order was drawn.
  bool paired = false;
  std::size_t fewest_pairs = 0, most_pairs = 0;
  std::string pair_order;  // abba, coin
  std::vector<Drift> drift;
  RowFamily family;

  std::size_t count(Verdict verdict) const;
};

// Refuses (UsageError naming each side's testbeds and --across-testbeds) runs of more than
// one testbed on the two sides, unless `across`: a machine's change passes for the code's.
void require_one_testbed(const std::vector<RunRecord>& baseline_runs,
                         const std::vector<RunRecord>& candidate_runs, bool across);

// Metrics compared: the headline ones (not every diagnostic).
const std::vector<std::string>& compared_metrics();

double threshold_for(const CompareOptions& options, const std::string& scenario,
                     const std::string& metric);

// `pairs` (from Store::pairs) make the comparison paired, unless options say unpaired.
Comparison compare(const std::vector<RunRecord>& baseline_runs,
                   const std::vector<StoredSample>& baseline,
                   const std::vector<RunRecord>& candidate_runs,
                   const std::vector<StoredSample>& candidate, const CompareOptions& options,
                   const std::vector<PairRecord>& pairs = {});

// Groups (per run; build time and start-up time) that trend over the order they were taken
// in: Mann-Kendall p < alpha and a change over the run of at least the metric's threshold,
// so that a tiny but steady slope on a quiet machine is not called drift.
std::vector<Drift> find_drift(const std::vector<StoredSample>& samples,
                              const CompareOptions& options);
std::string describe_drift(const Drift& drift);

// Decides the rows again with their significance from the Benjamini-Hochberg adjusted p over
// the testable ones (false discovery rate alpha), and counts them. compare does this over its
// rows; a report's step marks over all of its steps.
RowFamily control_false_discoveries(std::vector<ComparisonRow>& rows,
                                    const CompareOptions& options);

// "k of m testable rows significant at p<0.05, about 0.05 m expected by chance; d remain at a
// false discovery rate of 0.05 (Benjamini-Hochberg)": the count, and how to read it.
std::string describe_family(const RowFamily& family, const std::string& rows = "rows");

// A change of a metric smaller than this (its unit) is never a regression or an improvement:
// build_seconds' floor is sqrt(2) build_floor_seconds, two medians each known to +-that.
double change_floor_for(const std::string& metric, const CompareOptions& options);

// What one build median is known to, in seconds, over these runs: the widest floor an adaptive
// run stopped its build groups on, stats::kBuildPrecisionFloorSeconds for a fixed design.
double build_floor_seconds(const std::vector<RunRecord>& runs);

// One comparison of two groups of values of a metric (used for step-to-step changes and
// claims in reports).
ComparisonRow compare_values(const std::string& metric, const std::vector<double>& baseline,
                             const std::vector<double>& candidate, const CompareOptions& options,
                             const std::string& scenario = "");

// Differences in host and tool facts between two sets of runs, except the inputs that
// `what_changed` names (base images, input digests, engine, BuildKit, containerd, runc,
// kernel, CPU).
std::vector<FingerprintDifference> fingerprint_differences(const std::vector<RunRecord>& a,
                                                           const std::vector<RunRecord>& b);

// Whether the two sides differ in host or tools (`--strict` refuses them): a fingerprint
// difference, or a changed engine, BuildKit, containerd, runc, kernel, CPU or base image.
bool different_hosts_or_tools(const Comparison& comparison);

}  // namespace bb
