#pragma once
// The cache-state protocols: each state's way of bringing the builder into the state under
// test before the measured build, with the contract its sample must then meet beside it.
// Adding a state is one entry in protocol_for and its functions here (and its test).
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "docker/engine.hpp"
#include "measure/edit.hpp"
#include "measure/run_options.hpp"
#include "model/sample.hpp"
#include "progress/progress.hpp"
#include "scenario/scenario.hpp"

namespace bb {

// One build sample to take, on one side of a session.
struct BuildJob {
  const Scenario* scenario = nullptr;
  CacheState state = CacheState::kCold;
  int repetition = 1;
  bool warmup = false;
  std::filesystem::path context;  // the scenario's scratch copy, where edits are made
  std::filesystem::path dockerfile;
  std::map<std::string, std::string> build_args;
  const RunOptions* options = nullptr;  // the side's
};

// Whose images and groups a job's are: an A/B's candidate (its own image variant) builds
// other images of the same scenario, with other steps.
std::string owner_of(const std::string& scenario, const std::string& image_variant);
std::string owner_of(const BuildJob& job);
// Tag of a scenario's image ("buildbench/<name>-<hash>:latest", always valid); a variant gives
// another tag for the same scenario.
std::string image_tag(const Scenario& scenario, std::string_view variant = "");
// Whether a ref has image_tag's shape (any scenario's, any variant's).
bool is_scenario_image_tag(const std::string& ref);

// What the protocols remember between samples of one session.
struct CacheMemory {
  int prunes = 0;  // builder prunes so far: each starts a new cache lifetime
  int session_start_prunes = 0;
  // A swap edit's last measured build per (owner, state), as the prune count then.
  std::map<std::pair<std::string, std::string>, int> swapped_at;
  // Fewest instructions served from cache in a warm-code/warm-deps group's good samples.
  std::map<std::pair<std::string, std::string>, int> cached_steps;
  // tag -> the image id it names (this session's, or the one it named before the first prime)
  std::map<std::string, std::string> images;
  std::vector<std::string> superseded;  // images a tag no longer names, to remove
  // cold-pull: the bases pushed to the registry this session, and those of the sample in
  // flight, out of the engine until restore_bases (local ref -> its registry repository).
  std::set<std::string> bases_pushed;
  std::map<std::string, std::string> bases_out;
  std::vector<std::string> pulled_as;  // the registry copies as its FROM lines name them
  // The compressed bytes of each pushed base's layers as the registry stores them (local ref
  // -> bytes): what a fresh runner's pull of it downloads; the sample's, as pulled_as.
  std::map<std::string, double> base_layer_bytes;
  std::vector<double> pulled_as_bytes;
};

// What a protocol works with for one job.
struct ProtocolContext {
  DockerEngine& engine;
  Progress& progress;
  EditMaker& edits;
  CacheMemory& memory;
  const std::string& registry;  // as builds reach it (a shaping proxy's address); "" for none
  const BuildJob& job;
  BuildRequest& request;
  Sample& sample;
  std::string registry_direct = {};  // the registry itself, for untimed pushes and pulls
  // What the registry stores of (repository, tag)'s layers; unset: read registry_direct's API.
  std::function<double(const std::string&, const std::string&)> layer_bytes = {};
  // The run's engine, which holds the bases, when the job builds on another (cold-pull on the
  // pull engine: an engine that holds no image built on a base); null: `engine` is the run's.
  DockerEngine* bases_from = nullptr;

  void prune(const std::string& why);
  // The image a tag now names: the one it named before is removed later if nothing holds it.
  void replace_image(const std::string& image_id);
  // Marks the sample failed before its measured build; returns false for the caller.
  bool fail(std::string error);
};

// Each returns false with the sample failed when the state could not be produced.
using Prepare = bool (*)(ProtocolContext&);
bool prepare_cold(ProtocolContext& context);        // prune -af, remove the image
bool prepare_local_warm(ProtocolContext& context);  // prime, then the state's edit
bool prepare_ci(ProtocolContext& context);          // the previous CI build, then the edit
// cold, with the bases pushed to the registry, removed from the engine and the FROM lines
// naming the registry's copies (measure/cold_pull.cpp)
bool prepare_cold_pull(ProtocolContext& context);
Prepare protocol_for(CacheState state);
// After any sample: the bases a protocol took out of the engine put back (cold-pull); throws
// EnvironmentError naming the image when one cannot be.
void restore_bases(ProtocolContext& context);
// Before and after a sample built on an engine of its own (bases_from set): its build cache
// pruned and what buildbench left there (images built, bases pulled) removed, so that each
// sample pulls every layer.
void empty_own_engine(ProtocolContext& context);
// Whether an image ref is one buildbench put in a pull engine: a scenario's image as built, or
// a pull from the registry (or a loopback proxy to it) under buildbench/ or buildbench-base/.
bool put_there_by_buildbench(const std::string& ref, const std::string& registry_direct);

// The files the measured build's edit touched, for its contract.
std::vector<std::string> edited_by(const BuildJob& job);
// Why a good build did not measure its state ("" when it did): the state's contract over
// the steps BuildKit reported, then, for an edit, no more RUN steps from cache than the group's
// other samples (more means an earlier build of the same content served part of it).
std::string broken_contract(const BuildJob& job, const std::vector<BuildStep>& steps,
                            CacheMemory& memory);

}  // namespace bb
