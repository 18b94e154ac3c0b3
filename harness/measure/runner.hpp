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
#include "measure/schedule.hpp"
#include "measure/startup.hpp"
#include "scenario/base_images.hpp"
#include "scenario/scenario.hpp"
#include "store/store.hpp"

namespace bb {

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
};

// A scenario's scratch copy, where edits are made.
struct ScratchScenario {
  std::filesystem::path context;
  std::filesystem::path dockerfile;
};

class PackageIndexServer;

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

// Interleaved order: repetition, then state, then scenarios rotated by repetition so
// that drift on the machine spreads over every scenario.
std::vector<Task> plan_tasks(const Suite& suite, const RunOptions& options);
// The groups (scenario, kind, state) a claim of the suite compares on a time metric.
std::set<GroupTally::Key> claimed_groups(const Suite& suite);
// A group's repetition target under the options: claimed groups get at least claim_min_runs.
GroupTarget group_target(const RunOptions& options, const GroupTally::Key& key, bool claimed);

// Tag the runner gives a scenario's image ("buildbench/<name>:latest"-like, always valid);
// a variant gives another tag for the same scenario.
std::string image_tag(const Scenario& scenario, std::string_view variant = "");

// The base images the scenario's Dockerfile names (its build args set the global ARGs).
BaseImages base_images_of(const Scenario& scenario);

// Copies a scenario's context to `to`, where edits are made.
ScratchScenario copy_scenario(const Scenario& scenario, const std::filesystem::path& to);
// What the store keeps of a scenario's manifest (build-arg names, never their values).
nlohmann::json describe_scenario(const Scenario& scenario);
// The scenario's build args with {index_url} replaced by the index being served.
std::map<std::string, std::string> build_args_for(const Scenario& scenario,
                                                  const PackageIndexServer* index);
// A sample that records why a measurement did not happen.
Sample unmeasured(const std::string& scenario, SampleKind kind, const std::string& state,
                  int repetition, bool warmup, SampleStatus status, const std::string& error);

class Runner {
 public:
  Runner(DockerEngine& engine, Store& store, Progress& progress);
  // Returns the run id. Throws Interrupted after marking the run interrupted, and
  // EnvironmentError (run marked failed) when the daemon stops answering.
  std::int64_t run(const Suite& suite, const RunOptions& options);
  // The options as a run record stores them; resumed_options reads them back.
  static nlohmann::json stored_form(const RunOptions& options);
  // The options a run was started with (for --resume), with what is never stored (the
  // secrets) taken from the resuming command's `given` options.
  static RunOptions resumed_options(const RunRecord& run, const RunOptions& given);
  // The engine that pulls the pushed images (pull_seconds); it must not hold them.
  void use_pull_engine(DockerEngine* engine) { pull_engine_ = engine; }

  // A new run's record: suite, git commit, labels, options, and the host fingerprint
  // (`host`, when given, is used instead of collecting it again).
  RunRecord describe_run(const Suite& suite, const RunOptions& options,
                         const nlohmann::json* host = nullptr);

  // The part of the run that takes one sample (public for tests and `ab`).
  Sample measure_build(const Task& task, const std::filesystem::path& scratch_context,
                       const std::filesystem::path& dockerfile,
                       const std::map<std::string, std::string>& build_args,
                       const RunOptions& options);

 private:
  // What a run measures: its groups, and which of them a claim compares.
  struct RunPlan {
    RunOptions options;
    std::map<const Scenario*, std::vector<CacheState>> build_groups;
    std::map<const Scenario*, int> position;  // order in the suite, for rotation
    std::vector<CacheState> states;
    std::vector<ScenarioModes> startup_scenarios;
    std::set<GroupTally::Key> claimed;
  };

  std::int64_t begin(const Suite& suite, const RunOptions& options);
  RunOptions plan_options(const Suite& suite, const RunOptions& options, std::int64_t run_id,
                          RunPlan& plan);
  std::map<std::string, ScratchScenario> make_copies(const Suite& suite, std::int64_t run_id,
                                                     bool resumed,
                                                     const std::filesystem::path& scratch);
  std::vector<const Scenario*> visit_order(const RunPlan& plan, int round) const;
  std::vector<Task> visit(const RunPlan& plan, const Scenario* scenario, int round,
                          bool warm_only) const;
  bool finishes_warm_groups(const RunPlan& plan, const Scenario* scenario) const;
  void run_build(std::int64_t run_id, const RunPlan& plan, const Task& task,
                 const std::map<std::string, ScratchScenario>& copies,
                 const PackageIndexServer* index);
  std::vector<StartupTask> next_startup_round(const RunPlan& plan, int round) const;
  void detect_python(RunPlan& plan, StartupMeasurer& startup);
  void run_builds(std::int64_t run_id, const RunPlan& plan,
                  const std::map<std::string, ScratchScenario>& copies,
                  const PackageIndexServer* index);
  void run_startups(std::int64_t run_id, RunPlan& plan, const std::filesystem::path& scratch);
  void store_sample(std::int64_t run_id, Sample& sample, const RunPlan& plan);
  void record_taken(const Sample& sample);
  void tell_progress(const RunPlan& plan);
  void learn_from_last_run(const Suite& suite, std::int64_t this_run);
  GroupTarget target_for(const RunPlan& plan, const GroupTally::Key& key) const;
  nlohmann::json base_image_facts(const Suite& suite);
  void check_daemon(Sample& sample);
  // Each returns whether it did its once-per-scenario work (timed apart for the ETA).
  bool record_image(Sample& sample, const RunOptions& options);
  // The image a tag now names: the one it named before is removed if nothing else holds it.
  void replace_image(const std::string& tag, const std::string& image_id);
  void remove_superseded();
  // CI cache states and registry metrics (runner_ci.cpp).
  void check_ci_setup(const RunOptions& options);
  bool prepare_ci_state(const Task& task, BuildRequest& request,
                        const std::filesystem::path& scratch_context, Sample& sample);
  bool record_registry(const Task& task, Sample& sample);
  // Before any build: with --pull-onto base, each scenario's final base is known and present.
  void check_pull_onto(const Suite& suite, const RunOptions& options);
  // Before a timed pull: the final stage's base image in the pull engine (onto base), or none
  // of ours there (empty).
  void prepare_pull_engine(const Scenario& scenario, bool onto_base);
  nlohmann::json network_facts(const RunOptions& options) const;

  DockerEngine& engine_;
  Store& store_;
  Progress& progress_;
  EditMaker edits_;  // one nonce per runner: every run's edits are new to the builder
  GroupTally tally_;
  std::set<std::tuple<std::string, std::string, int>> warmups_done_;  // scenario, state, round
  std::map<std::string, std::string> last_image_;  // scenario -> image of its last good build
  std::map<GroupTally::Key, int> prior_;           // repetitions in the suite's last run
  bool options_resumed_ = false;
  std::set<std::pair<std::string, std::string>> layers_measured_;  // scenario, state
  int prunes_ = 0;  // builder prunes so far: each starts a new cache lifetime
  int run_start_prunes_ = 0;
  // A swap edit's last measured build per (scenario, state), as the prune count then.
  std::map<std::pair<std::string, std::string>, int> swapped_at_;
  // Fewest instructions served from cache in a warm-code/warm-deps group's good samples.
  std::map<std::pair<std::string, std::string>, int> cached_steps_;
  std::map<std::string, std::string> images_;  // tag -> the image id it names (this run's, or
                                               // the one it named before the first prime)
  std::vector<std::string> superseded_;        // images a tag no longer names, to remove
  DockerEngine* pull_engine_ = nullptr;
  std::string registry_;                        // as builds reach it (a shaping proxy's address)
  std::string registry_direct_;                 // the registry itself, for reading its API
  std::set<std::string> registry_measured_;     // scenarios
  std::string pull_onto_ = "base";              // RunOptions::pull_onto of the run
  std::set<std::string> bases_in_pull_engine_;  // base refs pulled there this run
  bool python_detected_ = false;                // detect_python has asked every scenario
  std::map<std::string, double> one_off_;       // the current task's once-per-scenario work
};

}  // namespace bb
