#pragma once
// `buildbench ab`: a baseline and a candidate version of one suite measured in one run, side
// by side. Each pair (scenario x state x repetition, or scenario x start-up mode x
// repetition) runs the two sides back to back in a recorded random order, each under the
// usual cache-state protocol, so drift of the machine between runs cannot pass for a change
// and drift within the run hits both sides alike.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "measure/runner.hpp"

namespace bb {

// abba: pairs come in blocks of two, AB then BA or BA then AB, a coin deciding per block
// (balanced, and a linear drift cancels within each block); coin: a coin per pair.
enum class PairOrder { kAbba, kCoin };
std::string to_string(PairOrder order);

struct AbOptions {
  RunOptions run;  // runs: pairs per build group; startup_runs: pairs per start-up mode
  PairOrder order = PairOrder::kAbba;
  double detect = 0;  // relative change to detect (0.05 for 5%); 0: run.runs pairs
  int max_pairs = 30;
  int pilot_pairs = 3;
  std::optional<std::uint32_t> seed;  // drawn from std::random_device when unset
  std::string baseline_revision;      // stored as the label rev=...; "" for folders
  std::string candidate_revision;
};

struct AbResult {
  std::string ab_id;
  std::int64_t baseline_run = 0;
  std::int64_t candidate_run = 0;
  std::size_t pairs = 0;
};

// Pairs a two-sided Wilcoxon signed-rank test at 5% needs for 80% power against a change of
// `delta` (0.05 = 5%), from the standard deviation of the log ratios:
//   n = ((z_0.975 + z_0.8) sigma / ln(1 + delta))^2 / (3 / pi)
// (the paired t-test's n over Wilcoxon's efficiency relative to it), rounded up, within
// [kFewestPairs, max_pairs].
double pairs_formula(double sigma, double delta);
int pairs_to_detect(double sigma, double delta, int max_pairs);
// The Hodges-Lehmann estimate's standard error over `pairs` pairs (sigma / sqrt(n 3/pi)), and
// the threshold at or below which a change of `delta` passes in about 95% of sessions:
// exp(ln(1 + delta) - 1.645 SE) - 1. Not positive when the pairs cannot place the estimate.
double paired_standard_error(double sigma, int pairs);
double threshold_to_flag(double sigma, double delta, int pairs);
// Fewer than 6 pairs can never give an exact two-sided p below 0.05 (2 / 2^5 = 0.0625).
inline constexpr int kFewestPairs = 6;

// Decides, pair after pair, which side runs first; the same seed gives the same orders.
class PairOrderer {
 public:
  PairOrderer(PairOrder order, std::uint32_t seed) : order_(order), random_(seed) {}
  // Whether the baseline runs first in the group's next pair.
  bool baseline_first(const GroupTally::Key& group);

 private:
  bool coin() { return (random_() >> 31) != 0; }
  PairOrder order_;
  std::mt19937 random_;
  std::map<GroupTally::Key, std::pair<int, bool>> taken_;  // pairs so far, first of the block
};

class AbRunner {
 public:
  AbRunner(DockerEngine& engine, Store& store, Progress& progress);
  // Throws like Runner::run; both runs are marked the same way.
  AbResult run(const Suite& baseline, const Suite& candidate, const AbOptions& options);

 private:
  struct Side;
  struct Group {
    const Scenario* baseline;
    const Scenario* candidate;
    std::vector<CacheState> states;
  };
  struct PairTask {
    const Group* group;
    SampleKind kind;
    std::string state;  // cache state or bytecode mode
    int repetition;
    bool warmup;
  };

  static std::vector<StartupMode> common_modes(const Group& group);
  std::vector<Group> common_groups(const Suite& baseline, const Suite& candidate,
                                   const AbOptions& options) const;
  void begin(Side& baseline, Side& candidate, const AbOptions& options);
  std::vector<PairTask> next_round(int round) const;
  std::vector<PairTask> next_startup_round(int round) const;
  int target_pairs(const GroupTally::Key& key) const;
  void decide_pairs(const GroupTally::Key& key);
  void prepare(Side& side, const std::filesystem::path& scratch);
  std::unique_ptr<PackageIndexServer> serve_index(Side& baseline, Side& candidate);
  void run_rounds(Side& baseline, Side& candidate);
  void run_pair(const PairTask& task, Side& baseline, Side& candidate);
  Sample measure(const PairTask& task, Side& side);
  std::int64_t keep(Side& side, Sample& sample);
  void tell_progress() const;
  void finish(const Side& baseline, const Side& candidate, const std::string& status);

  DockerEngine& engine_;
  Store& store_;
  Progress& progress_;
  Runner runner_;  // the cache-state protocol and the edits, shared by both sides
  AbOptions options_;
  std::string ab_id_;
  std::vector<Group> groups_;
  std::optional<PairOrderer> orderer_;
  GroupTally tally_;                        // per group: attempts and log ratios of good pairs
  std::map<GroupTally::Key, int> decided_;  // --detect: pairs chosen after the pilot
  std::size_t pairs_ = 0;
  std::string in_flight_;  // work kind of a pair with one sample stored, for the ETA
};

}  // namespace bb
