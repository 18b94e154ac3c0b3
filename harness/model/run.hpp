#pragma once
// A run and its stored samples, as plain records: what every layer above the store reads.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/group_key.hpp"
#include "model/sample.hpp"

namespace bb {

// A group that a run's time budget (--budget) ended before its stopping rule did: the
// repetitions it got, and what it would have taken to its target as the schedule predicted
// when the budget ran out (at most its maximum).
struct ShortGroup {
  GroupKey group;
  int runs = 0;
  int wanted = 0;
};

struct RunRecord {
  std::int64_t id = 0;
  std::string started_at;
  std::string finished_at;
  std::string status = "running";  // running, complete, failed, interrupted
  std::string suite_name;
  std::string suite_path;
  std::string command;
  std::string git_commit;
  bool git_dirty = false;
  nlohmann::json fingerprint = nlohmann::json::object();
  nlohmann::json options = nlohmann::json::object();
  std::map<std::string, std::string> labels;
  std::string uuid;                         // stable across databases (merge)
  bool pruned = false;                      // raw samples thinned; summaries kept
  std::vector<ShortGroup> short_of_target;  // groups its budget ended short (none without one)
};

struct StoredSample {
  std::int64_t id = 0;
  std::int64_t run_id = 0;
  Sample sample;
};

// A baseline sample and the candidate sample taken next to it (`buildbench ab`).
struct PairRecord {
  std::string ab_id;  // the A/B session, also the runs' label ab=<id>
  std::int64_t baseline_sample_id = 0;
  std::int64_t candidate_sample_id = 0;
  std::string first;  // "baseline" or "candidate": which of the two ran first
};

// A string the run stored at object[key], or "" (absent, or not a string).
std::string stored_string(const nlohmann::json& object, const char* key);

// The network profile the run measured through: its fingerprint's, else its options'; "" for
// a run that stored neither.
std::string network_profile_of(const RunRecord& run);

}  // namespace bb
