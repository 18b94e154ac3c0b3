#pragma once
// What a session measures, built once: its units (one scenario of one side, or a pair of legs
// measured back to back), each unit's build states and start-up modes, and how many
// repetitions each group gets. A visit is a unit's next sample of one group: one leg, or a
// pair whose legs run in a recorded order.
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "lab/package_index.hpp"
#include "measure/run_options.hpp"
#include "model/group_tally.hpp"
#include "progress/eta.hpp"
#include "scenario/scenario.hpp"
#include "startup/startup.hpp"
#include "stats/sequential.hpp"
#include "stats/stopping.hpp"

namespace bb {

// A scenario's scratch copy, where edits are made.
struct ScratchScenario {
  std::filesystem::path context;
  std::filesystem::path dockerfile;
};
// Copies a scenario's context to `to`, where edits are made.
ScratchScenario copy_scenario(const Scenario& scenario, const std::filesystem::path& to);

// One version of the suite in a session, stored as one run.
struct Side {
  std::string name;  // "" in `run`; "baseline" or "candidate" in `ab`
  const Suite* suite = nullptr;
  RunOptions options;
  std::int64_t run_id = 0;
  std::map<std::string, ScratchScenario> copies;  // scenario -> its scratch copy
  std::map<std::string, std::string> last_image;  // scenario -> image of its last good build
  const PackageIndexServer* index = nullptr;      // when its suite names one
  std::unique_ptr<StartupMeasurer> startup;
};

// What a visit measures on one side.
struct Leg {
  std::size_t side = 0;
  const Scenario* scenario = nullptr;
  bool python = false;  // its service is a Python program: samples carry the probe's report
};

// The group a claim's pairs are tallied in (their log ratios): "claim:<claim_key>", which no
// scenario's name can be (a name is [a-z0-9-]).
std::string claim_group_name(const std::string& claim);

struct Unit {
  std::vector<Leg> legs;           // one, or a pair
  std::vector<CacheState> states;  // build states every leg supports, in protocol order
  std::vector<StartupMode> modes;  // start-up modes every leg names, as-built first
  bool startup = false;            // every leg has a probe
  // A claim's pair unit: its claim_key; legs baseline then subject, one state, no start-ups.
  std::string claim;
  std::string name() const {
    return claim.empty() ? legs.front().scenario->name : claim_group_name(claim);
  }
  bool paired() const { return legs.size() > 1; }
};

struct Visit {
  const Unit* unit = nullptr;
  SampleKind kind = SampleKind::kBuild;
  std::string state;  // cache state, or start-up mode
  int repetition = 1;
  bool warmup = false;
  GroupTally::Key key() const { return {unit->name(), kind, state}; }
};

// The fixed design's order (for --scenario validation and tests): repetition, then
// scenarios rotated by repetition, a scenario's states together in protocol order.
struct Task {
  const Scenario* scenario;
  CacheState state;
  int repetition;  // 1-based, counting warm-ups first
  bool warmup;
};
std::vector<Task> plan_tasks(const Suite& suite, const RunOptions& options);
// The scenarios of a suite the options select, in the suite's order; UsageError (with "did
// you mean") for a name it lacks.
std::vector<const Scenario*> selected_scenarios(const Suite& suite, const RunOptions& options);
// The groups (scenario, kind, state) a claim of the suite compares on a time metric.
std::set<GroupTally::Key> claimed_groups(const Suite& suite);
// A group's repetition target under the options: claimed groups get at least claim_min_runs.
GroupTarget group_target(const RunOptions& options, const GroupTally::Key& key, bool claimed);

// Units of a one-side session: each selected scenario that supports a selected state.
std::vector<Unit> single_units(const Suite& suite, const RunOptions& options);
// The claims of a suite that a run measures as pairs: each comparing two selected scenarios'
// build_seconds in a selected state both support (legs baseline, subject). None when the
// claims' most pairs are fewer than stats::kFirstLookPairs (--runs 5: five pairs could never
// be significant).
std::vector<Unit> claim_units(const Suite& suite, const RunOptions& options);
// A run's units: its claims' pair units, and the single units with each claimed state taken
// out of its scenarios (a scenario whose states all went into pairs keeps its start-ups).
std::vector<Unit> run_units(const Suite& suite, const RunOptions& options);
// The most pairs a claim takes: the fixed design's --runs, else its groups' maximum
// (--claim-max-runs, or --max-runs).
int claim_max_pairs(const RunOptions& options);
// The looks of a claim's pairs in the adaptive design (stats::planned_looks from
// stats::kFirstLookPairs, or the claim's minimum when larger); empty in the fixed design.
std::vector<int> claim_looks(const RunOptions& options);
// The significance level of the claims' sequential boundary (the report's default --alpha).
inline constexpr double kClaimAlpha = 0.05;
// Units of a two-side session: each selected scenario on both sides, with the states and
// modes both support; `skipped` gets the names found on one side only.
std::vector<Unit> paired_units(const Suite& baseline, const Suite& candidate,
                               const RunOptions& options, std::vector<std::string>& skipped);

// The groups of a one-side session's units as the ETA sees them, each with the repetitions it
// took in `prior` (the suite's last run, by group). A scenario that names no start-up modes
// counts the Python ones, as a session does until its probe has asked.
std::vector<GroupWork> eta_groups(const std::vector<Unit>& units, const RunOptions& options,
                                  const std::set<GroupTally::Key>& claimed,
                                  const std::map<GroupTally::Key, int>& prior = {});

// How many repetitions each group gets, and what it has so far.
class Plan {
 public:
  Plan(std::vector<Unit> units, const RunOptions& options, std::set<GroupTally::Key> claimed);
  const std::vector<Unit>& units() const { return units_; }
  std::vector<Unit>& units() { return units_; }
  const RunOptions& options() const { return options_; }

  // Pairs: a fixed count per group (--pairs), or for builds, with a pilot, one chosen after it.
  void use_pair_targets(std::optional<int> pilot_pairs) {
    paired_ = true;
    pilot_pairs_ = pilot_pairs;
  }
  void decide(const GroupTally::Key& key, int pairs) { decided_[key] = pairs; }
  bool decided(const GroupTally::Key& key) const { return decided_.count(key) > 0; }
  // A group's target under the time budget's cap (its maximum brought down to the cap, never
  // below its minimum), and without it (goal): what the stopping rule alone would take.
  GroupTarget target(const GroupTally::Key& key) const;
  GroupTarget goal(const GroupTally::Key& key) const;
  bool needs_more(const GroupTally::Key& key) const;
  // The time budget's caps (session/budget), replacing the last ones.
  void cap(std::map<GroupTally::Key, int> caps) { caps_ = std::move(caps); }
  // A group a claim compares, or a claim's pairs.
  bool claimed(const GroupTally::Key& key) const {
    return claimed_.count(key) > 0 || claim_unit(key) != nullptr;
  }

  // The units in this round's order: rotated by round, so drift spreads over all.
  std::vector<const Unit*> order(int round) const;
  std::vector<Visit> build_visits(const Unit& unit, int round, bool warm_only) const;
  // Whether a visit keeps the unit's warm groups going until they stop (see plan.cpp).
  bool finishes_warm_groups(const Unit& unit) const;
  std::vector<Visit> startup_visits(int round) const;

  // A visit's samples were stored: `figure` is its value, a pair's log ratio, or nothing.
  // A claim's pair also updates its sequential looks (adaptive design).
  void taken(const Visit& visit, std::optional<double> figure);
  // A claim's leg: its sample's value in its scenario's own group, which the headline reads.
  void leg_taken(const GroupTally::Key& key, std::optional<double> figure);
  // A claim's pair a resumed run stored before: each leg's value is seeded as a sample; this
  // is the pair's log ratio, or nothing when a leg failed.
  void seed_pair(const Unit& unit, std::optional<double> ratio);
  // The claim unit of a claim group (claim_group_name), or null.
  const Unit* claim_unit(const GroupTally::Key& key) const;
  // A claim's sequential looks so far (adaptive design), or null.
  const stats::PairedSequential* sequential(const std::string& claim) const;
  // The fewest pairs the budget keeps of a claim group: its first look (fixed: its count).
  int pair_minimum() const;
  // The claims' design and where each stopped, as the run stores it (options.claim_pairs).
  nlohmann::json claim_record(const std::string& pairs_id, std::uint32_t seed) const;
  // Looks once more at every claim as if its pairs had ended (the session is over).
  void end_pairs();
  void warmup_taken(const std::string& unit, const std::string& state, int round);
  bool warmup_done(const std::string& unit, const std::string& state, int round) const {
    return warmups_done_.count({unit, state, round}) > 0;
  }
  // A sample a resumed run stored before.
  void seed(const Sample& sample);
  const GroupTally& tally() const { return tally_; }
  void prior(const GroupTally::Key& key) { ++prior_[key]; }
  int prior_of(const GroupTally::Key& key) const;

 private:
  std::vector<Unit> units_;
  RunOptions options_;
  std::set<GroupTally::Key> claimed_;
  GroupTally tally_;
  std::set<std::tuple<std::string, std::string, int>> warmups_done_;  // unit, state, round
  std::map<GroupTally::Key, int> prior_;  // repetitions in the suite's last run
  bool paired_ = false;
  std::optional<int> pilot_pairs_;  // --detect: builds take these, then what decide() chose
  std::map<GroupTally::Key, int> decided_;
  std::map<GroupTally::Key, int> caps_;                        // --budget
  std::map<std::string, stats::PairedSequential> sequential_;  // claim -> its looks so far

  bool pair_settled(const Unit& unit) const;
  void look_at(const Unit& unit, bool ended);
};

}  // namespace bb
