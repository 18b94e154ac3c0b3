#pragma once
// What a session measures and how often: the options of `run` (and of each side of `ab`),
// stored with the run and read back whole to resume it.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/run.hpp"
#include "scenario/scenario.hpp"

namespace bb {

// One runner's part of a suite split across runners (run --shard K/N): which of the N shards
// it is, the scenarios it got, and what the split was balanced on ("cost": the seconds the
// basis runs' samples took; "count": round robin in the suite's order, no basis).
struct ShardOptions {
  int index = 0;  // K, 1-based
  int count = 0;  // N
  std::vector<std::string> scenarios;
  std::string balanced_by = "count";
  std::vector<std::int64_t> basis_runs;  // run ids in the database the shards wrote to

  bool operator==(const ShardOptions&) const = default;
};

struct RunOptions {
  std::vector<std::string> scenarios;  // empty: all of the suite
  std::vector<CacheState> states;      // empty: all each scenario supports
  int runs = 3;                        // the fixed design: every build group this many times
  // The adaptive design, on when build_precision > 0: each build group runs min_runs to
  // max_runs times, until its median's 95% interval is within +-build_precision (relative);
  // start-up groups startup_min_runs to startup_runs times within +-startup_precision.
  // Groups that a claim compares on a time get at least claim_min_runs (5 against 5 lets an
  // exact U test reach p = 0.008, so a claim is decidable), and their build groups aim at
  // claim_precision within claim_max_runs when those are set (0: build_precision, max_runs):
  // a verdict needs a narrower interval than a headline median, and the others need not pay
  // for it.
  double build_precision = 0;
  double claim_precision = 0;
  int claim_max_runs = 0;
  double startup_precision = 0;
  double build_precision_floor = 0;  // seconds: a build median within +-this is precise enough
  // Student's t below six values; false only to resume a run recorded before it (1.96).
  bool student_t = true;
  int min_runs = 3;
  int max_runs = 6;
  int startup_min_runs = 8;
  int claim_min_runs = 5;
  int warmup = 0;
  std::map<std::string, std::string> labels;
  std::vector<std::string> secrets;  // --secret, passed through, never stored
  std::chrono::milliseconds build_timeout{std::chrono::minutes(30)};
  bool image_stats = true;  // sizes, gzip sizes and .pyc per layer
  int startup_runs = 30;    // per mode and scenario (the maximum when adaptive); 0: none
  std::optional<std::chrono::milliseconds> startup_timeout;  // overrides each probe's
  std::string image_variant;  // added to the image tags (ab: the candidate's images differ)
  std::string command;        // the command line, to reproduce the run
  std::optional<std::int64_t> resume;  // complete the missing samples of this run
  // A loopback registry ("127.0.0.1:5000"): push/pull metrics of each scenario's cold image
  // and the CI cache states that use it. Empty: neither.
  std::string registry;
  std::string network_profile = "loopback";  // harness/net: index and registry traffic
  std::string pull_engine;  // DOCKER_HOST of the engine that pulls; empty: no pull metric
  // "base": the pull engine holds the image's base image (pull_onto_base_seconds: the layers
  // the scenario adds); "empty": it holds nothing of it (pull_seconds: a fresh host).
  std::string pull_onto = "base";
  // The adaptive design's time budget (--budget): measuring time of one invocation, from its
  // session's start. Repetitions past each group's minimum are granted while the predicted
  // total fits, and no visit starts once it is spent. Unset: no budget.
  std::optional<std::chrono::milliseconds> budget;
  // Set for one shard of a split suite; `scenarios` then holds the shard's scenarios.
  std::optional<ShardOptions> shard;
  // The testbed the run belongs to (--testbed); empty: derived from its fingerprint when read
  // (model/testbed), so only a given name is stored.
  std::string testbed;

  bool operator==(const RunOptions&) const = default;
};

// The options as a run record stores them: everything but the secrets (never stored) and
// what the record keeps in columns of its own (labels, command, the run id).
nlohmann::json stored_form(const RunOptions& options);
// The stored form read back whole; keys a run recorded before them lacks take the value that
// run had in effect (pull_onto "empty", the 1.96 stand-in), the lab's (registry, pull engine,
// network profile) the `given` command's, others the default.
RunOptions read_stored_form(const nlohmann::json& stored, const RunOptions& given = {});
// A run's stored shard (its options' "shard"), when it is one.
std::optional<ShardOptions> read_shard(const nlohmann::json& stored_shard);
// The options a run was started with (for --resume): its stored form, labels and command,
// with the secrets taken from the resuming command's `given` options.
RunOptions resumed_options(const RunRecord& run, const RunOptions& given);

}  // namespace bb
