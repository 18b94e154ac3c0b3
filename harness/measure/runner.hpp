#pragma once
// Runs the cache-state protocols for each scenario and stores each sample as
// soon as it is taken.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "docker/engine.hpp"
#include "measure/edit.hpp"
#include "measure/progress.hpp"
#include "measure/startup.hpp"
#include "scenario/scenario.hpp"
#include "store/store.hpp"

namespace bb {

struct RunOptions {
  std::vector<std::string> scenarios;  // empty: all of the suite
  std::vector<CacheState> states;      // empty: all each scenario supports
  int runs = 3;
  int warmup = 0;
  std::map<std::string, std::string> labels;
  std::vector<std::string> secrets;  // --secret, passed through, never stored
  std::chrono::milliseconds build_timeout{std::chrono::minutes(30)};
  bool image_stats = true;  // sizes, gzip sizes and .pyc per layer
  int startup_runs = 30;    // per bytecode mode and scenario; 0 measures no start-up
  std::optional<std::chrono::milliseconds> startup_timeout;  // overrides each probe's
  std::string command;                 // the command line, to reproduce the run
  std::optional<std::int64_t> resume;  // complete the missing samples of this run
};

// One planned sample.
struct Task {
  const Scenario* scenario;
  CacheState state;
  int repetition;  // 1-based, counting warm-ups first
  bool warmup;
};

// A scenario's start-up modes, as-built first; python: the service is a Python program
// (named Python modes, or found by the probe), so its samples carry the probe's report.
struct ScenarioModes {
  const Scenario* scenario;
  std::vector<StartupMode> modes;
  bool python;
};

struct StartupTask {
  const Scenario* scenario;
  StartupMode mode;
  bool python;
  int repetition;
};

// Scenarios with a probe among the planned builds, in order, with their named modes.
std::vector<ScenarioModes> startup_scenarios(const std::vector<Task>& builds);

// Repetition, then scenarios rotated, then each scenario's modes rotated (A B, B A).
std::vector<StartupTask> plan_startup(const std::vector<ScenarioModes>& scenarios,
                                      int startup_runs);

// Interleaved order: repetition, then state, then scenarios rotated by repetition so
// that drift on the machine spreads over every scenario.
std::vector<Task> plan_tasks(const Suite& suite, const RunOptions& options);

// Tag the runner gives a scenario's image ("buildbench/<name>:latest"-like, always valid).
std::string image_tag(const Scenario& scenario);

class Runner {
 public:
  Runner(DockerEngine& engine, Store& store, Progress& progress);
  // Returns the run id. Throws Interrupted after marking the run interrupted, and
  // EnvironmentError (run marked failed) when the daemon stops answering.
  std::int64_t run(const Suite& suite, const RunOptions& options);
  // The options a run was started with (for --resume), with what is never stored (the
  // secrets) taken from the resuming command's `given` options.
  static RunOptions resumed_options(const RunRecord& run, const RunOptions& given);

  // The part of the run that takes one sample (public for tests).
  Sample measure_build(const Task& task, const std::filesystem::path& scratch_context,
                       const std::filesystem::path& dockerfile,
                       const std::map<std::string, std::string>& build_args,
                       const RunOptions& options);

 private:
  nlohmann::json base_image_facts(const Suite& suite);
  // Every start-up sample of the run, stored as taken; `done` holds those already stored.
  using Done = std::set<std::tuple<std::string, std::string, std::string, int, bool>>;
  void measure_startups(std::int64_t run_id, const std::filesystem::path& scratch,
                        std::vector<ScenarioModes> scenarios,
                        const std::map<std::string, std::string>& last_image, const Done& done,
                        const RunOptions& options, std::size_t position_in_plan);
  void check_daemon(Sample& sample);
  void record_image(Sample& sample, const RunOptions& options);

  DockerEngine& engine_;
  Store& store_;
  Progress& progress_;
  EditMaker edits_;  // one nonce per runner: every run's edits are new to the builder
};

}  // namespace bb
