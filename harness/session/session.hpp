#pragma once
// The one session loop of `run` and `ab`: the run's network, registry and pull engine set up
// once for every side, then rounds of visits (a unit's builds, cold first, then its start-ups),
// each visit one sample, or a pair of samples in a recorded order, stored as it is taken.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "docker/engine.hpp"
#include "measure/build_measurer.hpp"
#include "progress/progress.hpp"
#include "session/pairing.hpp"
#include "session/plan.hpp"
#include "store/store.hpp"

namespace bb {

// What makes a session's visits pairs of two sides (`ab`).
struct PairDesign {
  std::string ab_id;
  PairOrder order = PairOrder::kAbba;
  std::uint32_t seed = 0;
  double detect = 0;  // relative change to detect after a pilot; 0: a fixed count
  int max_pairs = 30;
  int pilot_pairs = 3;
};

// Refuses, before any run is recorded, what the session cannot honour: an unknown network
// profile, a state that needs a registry without one or an engine that cannot produce it,
// and with --pull-onto base a scenario whose final base is unknown or missing.
void check_session(DockerEngine& engine, bool pull_engine, const RunOptions& options,
                   const std::vector<const Scenario*>& scenarios);
// The package index both sides' suites name (ab serves one for both); UsageError if two.
std::optional<std::filesystem::path> shared_index(const std::vector<const Suite*>& suites);

class Session {
 public:
  Session(DockerEngine& engine, Store& store, Progress& progress);
  // The engine that pulls the pushed images; it must not hold them.
  void use_pull_engine(DockerEngine* engine) { pull_engine_ = engine; }
  // A new session (before any resumed sample is seeded).
  void begin();
  // A sample a resumed run stored before.
  void seed(const Sample& sample, Side& side, Plan& plan);
  // The claims' pairs a resumed run stored before (after its samples): each pair's log ratio
  // goes to its claim, and its order to the claim's blocks of two.
  void seed_pairs(const std::vector<StoredSample>& samples, const std::vector<PairRecord>& pairs,
                  Plan& plan);
  // Measures the plan on the sides, whose runs are recorded; marks them complete, or
  // interrupted or failed and rethrows (EnvironmentError when the daemon stopped answering).
  void run(std::vector<Side>& sides, Plan& plan, const std::optional<PairDesign>& pairs,
           const std::string& label);
  std::size_t pairs() const { return pairs_; }
  // The groups the last session's budget left short of their target.
  const std::vector<ShortGroup>& short_of_target() const { return short_; }

 private:
  void measure_all(const std::filesystem::path& scratch);
  void prepare_sides(const std::filesystem::path& scratch);
  void run_builds();
  void run_startups(const std::filesystem::path& scratch);
  void detect_python();
  void take(const Visit& visit);
  std::vector<const Leg*> legs_in_order(const Visit& visit);
  std::string describe(const Visit& visit, const Leg& leg, const Leg& first) const;
  Sample measure(const Visit& visit, const Leg& leg);
  Sample measure_startup(const Visit& visit, const Leg& leg, Side& side);
  std::int64_t keep(Side& side, Sample& sample);
  void tally(const Visit& visit, const std::vector<Sample>& samples);
  // Stores the claims' design and looks on the run (options.claim_pairs).
  void record_claims();
  void tell_progress();
  // What the plan still holds, as the ETA counts it: each leg's groups (their targets capped
  // by the budget, or not) and the warm-ups and once-per-scenario work still due. `guess`:
  // count the Python modes of scenarios the probe has not asked yet.
  struct Work {
    std::vector<GroupWork> groups;
    std::map<std::string, int> once;
  };
  Work work(bool capped, bool guess) const;
  // --budget: caps the plan's groups to fit what is left of it; whether a visit may start.
  void plan_budget();
  bool budget_admits(const Visit& visit) const;
  // Predicted seconds of the start-up groups' minimums still due, with the build that makes
  // the image of each start-up unit still without one.
  double startup_reserve() const;
  // How far past the budget a visit may end: one build, the slowest kind planned (NaN when
  // none is timed yet).
  double budget_slack() const;
  // A start-up unit some leg of which has no image yet: its next build serves the start-ups.
  bool awaits_image(const Unit& unit) const;
  // A build unit whose legs make the image some start-up unit still waits for.
  bool serves_startups(const Unit& build_unit) const;
  // No build of the unit's scenarios was tried: its start-ups have nothing to start (left
  // short, not failed).
  bool never_built(const Unit& unit) const;
  bool budget_spent() const;
  // Seconds since the session started, on the progress line's clock (tests fake it).
  double elapsed() const {
    return std::chrono::duration<double>(progress_.now() - started_).count();
  }
  void record_short();
  void finish(const std::string& status);
  [[noreturn]] void daemon_gone();

  DockerEngine& engine_;
  Store& store_;
  Progress& progress_;
  BuildMeasurer measurer_;
  DockerEngine* pull_engine_ = nullptr;
  // The session in flight.
  std::vector<Side>* sides_ = nullptr;
  Plan* plan_ = nullptr;
  std::optional<PairDesign> design_;
  std::optional<PairOrderer> orderer_;
  std::string label_;
  std::size_t pairs_ = 0;
  bool python_detected_ = false;
  bool startups_done_ = false;  // no start-up reserve once they have run
  std::string in_flight_;       // work kind of a pair with one sample stored, for the ETA
  std::chrono::steady_clock::time_point started_;  // the time budget counts from here
  std::vector<ShortGroup> short_;
  std::vector<std::pair<GroupTally::Key, bool>> seeded_orders_;  // resumed pairs: baseline first
};

}  // namespace bb
