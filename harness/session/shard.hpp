#pragma once
// A suite split across runners (run --shard K/N): every runner computes the same partition
// of the selected scenarios from the same database, so N runners measure the suite once
// between them. A claim's two scenarios stay in one shard (they are compared together).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "measure/run_options.hpp"
#include "scenario/scenario.hpp"
#include "store/store.hpp"

namespace bb {

// K/N as given on the command line.
struct ShardSpec {
  int index = 0;  // K, 1-based
  int count = 0;  // N
};
// "K/N" with 1 <= K <= N; throws UsageError naming `flag` and the fix.
ShardSpec parse_shard(const std::string& text, const std::string& flag = "--shard");

// The N shards' scenarios (each in the suite's order) and their predicted seconds.
struct Partition {
  std::vector<std::vector<std::string>> shards;
  std::vector<double> load;           // seconds ("cost"), or scenarios ("count")
  std::string balanced_by = "count";  // "cost" or "count"
  std::vector<std::int64_t> basis_runs;
};

// Pure: `names` in the suite's order; `together` the pairs a claim compares (kept in one
// shard); `cost` seconds per scenario (empty: by count). By cost: units (a scenario, or the
// scenarios claims tie together) longest first into the least loaded shard, ties by the
// suite's order and the lower shard; a scenario without a cost takes the mean of those with
// one. By count: units in the suite's order into the shard with the fewest scenarios.
Partition partition_scenarios(const std::vector<std::string>& names,
                              const std::vector<std::pair<std::string, std::string>>& together,
                              const std::map<std::string, double>& cost, int count);

// Seconds each scenario's samples took in `runs` (build_seconds and startup_seconds, warm-ups
// and failed samples included: the time was spent), from the newest run that measured it.
std::map<std::string, double> scenario_costs(Store& store, const std::vector<std::int64_t>& runs);

// The runs the split is balanced on. `pinned` (--shard-by, a run selector) when given.
// Otherwise, so that all N runners agree however their starts interleave:
//  - a shard of this fleet (same suite, same labels, same N) already stored: its basis;
//  - else the suite's newest complete, unpruned run whose labels differ from `labels` (this
//    fleet's own finished shards never count), with its sibling shards when it is a shard;
//  - else none (by count).
std::vector<std::int64_t> shard_basis(Store& store, const std::string& suite_name,
                                      const std::map<std::string, std::string>& labels, int count,
                                      const std::string& pinned);

// The partition of the scenarios `options` selects in `suite` (scenarios no selected state
// applies to left out), balanced on shard_basis; by count without a store (null).
Partition plan_partition(Store* store, const Suite& suite, const RunOptions& options, int count,
                         const std::string& pinned);

// Shard `spec.index` of `partition`; throws UsageError when it holds no scenario.
ShardOptions shard_of(const Partition& partition, const ShardSpec& spec);

}  // namespace bb
