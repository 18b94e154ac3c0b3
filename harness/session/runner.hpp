#pragma once
// The two entry points of the session loop: `run` (one side, the adaptive or fixed design,
// resumable) and `ab` (two sides, pair by pair in a recorded random order).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "docker/engine.hpp"
#include "measure/run_options.hpp"
#include "progress/progress.hpp"
#include "session/pairing.hpp"
#include "session/session.hpp"
#include "store/store.hpp"

namespace bb {

class Runner {
 public:
  Runner(DockerEngine& engine, Store& store, Progress& progress);
  // Returns the run id. Throws Interrupted after marking the run interrupted, and
  // EnvironmentError (run marked failed) when the daemon stops answering.
  std::int64_t run(const Suite& suite, const RunOptions& options);
  // The engine that pulls the pushed images (pull_seconds); it must not hold them.
  void use_pull_engine(DockerEngine* engine);

 private:
  // Records the run (or reopens a resumed one); `claim_pairs`: the design of its claims'
  // pairs, when it has any.
  std::int64_t begin(const Suite& suite, const RunOptions& options, Side& side, Plan& plan,
                     std::optional<PairDesign>& claim_pairs);
  // The suite's last complete run: how long each kind of task took, and how many
  // repetitions each group needed. Seeds the ETA before this run has seen a task.
  void learn_from_last_run(const Suite& suite, std::int64_t this_run, Plan& plan);

  DockerEngine& engine_;
  Store& store_;
  Progress& progress_;
  Session session_;
  DockerEngine* pull_engine_ = nullptr;
};

struct AbOptions {
  RunOptions run;  // runs: pairs per build group; startup_runs: pairs per start-up mode
  PairOrder order = PairOrder::kAbba;
  double detect = 0;  // relative change to detect (0.05 for 5%); 0: run.runs pairs
  int max_pairs = 30;
  int pilot_pairs = 3;
  std::optional<std::uint32_t> seed;  // drawn from std::random_device when unset
  std::string baseline_revision;      // stored as the label rev=...; "" for folders
  std::string candidate_revision;
  // Labels of one side only, over run.labels (nightly keeps last night's side out of the
  // nightly history with its own kind=).
  std::map<std::string, std::string> baseline_labels, candidate_labels;
};

struct AbResult {
  std::string ab_id;
  std::int64_t baseline_run = 0;
  std::int64_t candidate_run = 0;
  std::size_t pairs = 0;
};

class AbRunner {
 public:
  AbRunner(DockerEngine& engine, Store& store, Progress& progress);
  // Throws like Runner::run; both runs are marked the same way.
  AbResult run(const Suite& baseline, const Suite& candidate, const AbOptions& options);
  void use_pull_engine(DockerEngine* engine);

 private:
  void begin(std::vector<Side>& sides, const Plan& plan, const AbOptions& options,
             const PairDesign& design);

  DockerEngine& engine_;
  Store& store_;
  Progress& progress_;
  Session session_;
  DockerEngine* pull_engine_ = nullptr;
};

}  // namespace bb
