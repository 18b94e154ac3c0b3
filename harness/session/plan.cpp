#include "session/plan.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "measure/ci_cache.hpp"
#include "model/metrics.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

std::string claim_group_name(const std::string& claim) {
  return "claim:" + claim;
}

ScratchScenario copy_scenario(const Scenario& scenario, const fs::path& to) {
  ScratchScenario copy;
  copy.context = to;
  fs::copy(scenario.context, copy.context, fs::copy_options::recursive);
  auto relative = scenario.dockerfile.lexically_relative(scenario.context);
  bool inside = !relative.empty() && *relative.begin() != "..";
  copy.dockerfile = inside ? copy.context / relative : scenario.dockerfile;
  return copy;
}

std::vector<const Scenario*> selected_scenarios(const Suite& suite, const RunOptions& options) {
  std::vector<const Scenario*> selected;
  if (options.scenarios.empty()) {
    for (const auto& scenario : suite.scenarios) selected.push_back(&scenario);
    return selected;
  }
  for (const auto& name : options.scenarios) {
    const Scenario* scenario = suite.find(name);
    if (!scenario) {
      throw UsageError(fmt::format("--scenario '{}': no such scenario in {}{}", printable(name),
                                   suite.manifest.string(),
                                   did_you_mean_suffix(name, suite.names())));
    }
    selected.push_back(scenario);
  }
  return selected;
}

namespace {

std::vector<CacheState> selected_states(const RunOptions& options) {
  return in_protocol_order(options.states.empty() ? all_cache_states() : options.states);
}

template <typename T>
void rotate_by_round(std::vector<T>& items, int round) {
  if (!items.empty())
    std::rotate(items.begin(), items.begin() + (round - 1) % items.size(), items.end());
}

bool names_python(const Scenario& scenario) {
  return std::any_of(scenario.startup_modes.begin(), scenario.startup_modes.end(),
                     [](const StartupMode& mode) { return mode.python; });
}

// warm-nochange, warm-code, warm-deps: primed from the cache the scenario's last build left.
bool is_local_warm_state(CacheState state) {
  return state != CacheState::kCold && !is_ci_cache_state(state);
}

// The opt-in states a claim of the suite reads on this scenario (its subject or baseline), and
// those its scenario.toml opts in to, measured by default where the run can produce them
// truly, so the main job judges such a claim in each setting it can: cold-pull needs the
// registry and an engine of its own to build on (--pull-engine; on the run's engine a base's
// layers stay held by images built on it, and a FROM fetched the config alone: 1684 bytes of
// python:3.11 on 2026-12-04); the CI states that export a cache are left to scripts/bench-ci,
// whose engine can. --state names the run's states exactly.
std::vector<CacheState> claimed_opt_in(const Suite& suite, const Scenario& scenario,
                                       const RunOptions& options) {
  std::vector<CacheState> states;
  if (!options.states.empty() || options.registry.empty()) return states;
  auto consider = [&](std::optional<CacheState> state) {
    if (!state || !is_ci_cache_state(*state) || needs_cache_export(*state)) return;
    if (pulls_bases(*state) && options.pull_engine.empty()) return;
    if (std::find(states.begin(), states.end(), *state) == states.end()) states.push_back(*state);
  };
  for (const auto& claim : suite.claims) {
    if (claim.subject == scenario.name || claim.baseline == scenario.name)
      consider(parse_cache_state(claim.state));
  }
  for (auto state : scenario.opt_in) consider(state);
  return states;
}

// The scenario's states in protocol order: the run's, and the opt-in ones its claims read.
std::vector<CacheState> states_of(const Suite& suite, const Scenario& scenario,
                                  const RunOptions& options) {
  std::vector<CacheState> states;
  for (auto state : selected_states(options))
    if (scenario.supports(state)) states.push_back(state);
  for (auto state : claimed_opt_in(suite, scenario, options))
    if (scenario.supports(state) && std::find(states.begin(), states.end(), state) == states.end())
      states.push_back(state);
  return in_protocol_order(states);
}

}  // namespace

std::vector<Task> plan_tasks(const Suite& suite, const RunOptions& options) {
  auto selected = selected_scenarios(suite, options);
  std::vector<Task> tasks;
  int total = options.warmup + options.runs;
  for (int repetition = 1; repetition <= total; ++repetition) {
    auto order = selected;
    rotate_by_round(order, repetition);
    for (auto* scenario : order) {
      for (auto state : states_of(suite, *scenario, options)) {
        bool warmup = repetition <= options.warmup;
        tasks.push_back(
            {scenario, state, warmup ? repetition : repetition - options.warmup, warmup});
      }
    }
  }
  return tasks;
}

std::set<GroupTally::Key> claimed_groups(const Suite& suite) {
  // Groups a claim compares on a time metric need enough samples to be decidable.
  return timed_claim_groups(suite.claims);
}

GroupTarget group_target(const RunOptions& o, const GroupTally::Key& key, bool claimed) {
  if (key.kind == SampleKind::kStartup) {
    if (o.startup_precision <= 0) return {o.startup_runs, o.startup_runs, 0};
    int min = std::min(o.startup_min_runs, o.startup_runs);
    if (claimed) min = std::max(min, o.claim_min_runs);
    return {min, std::max(o.startup_runs, min), o.startup_precision, 0, o.student_t};
  }
  if (o.build_precision <= 0) return {o.runs, o.runs, 0};
  if (!claimed) {
    return {o.min_runs, std::max(o.max_runs, o.min_runs), o.build_precision,
            o.build_precision_floor, o.student_t};
  }
  int min = std::max(o.min_runs, o.claim_min_runs);
  int max = o.claim_max_runs > 0 ? o.claim_max_runs : o.max_runs;
  double precision = o.claim_precision > 0 ? o.claim_precision : o.build_precision;
  return {min, std::max(max, min), precision, o.build_precision_floor, o.student_t};
}

std::vector<Unit> single_units(const Suite& suite, const RunOptions& options) {
  std::vector<Unit> units;
  // In the suite's order (the scenarios' places in its vector), each once, whatever order and
  // repeats --scenario gave.
  auto selected = selected_scenarios(suite, options);
  std::sort(selected.begin(), selected.end());
  selected.erase(std::unique(selected.begin(), selected.end()), selected.end());
  for (const Scenario* scenario : selected) {
    Unit unit;
    unit.legs = {{0, scenario, names_python(*scenario)}};
    unit.states = states_of(suite, *scenario, options);
    if (unit.states.empty()) continue;
    unit.modes = scenario->startup_modes;
    unit.startup = scenario->probe.defined() && options.startup_runs > 0;
    units.push_back(std::move(unit));
  }
  return units;
}

namespace {

const Scenario* among(const std::vector<const Scenario*>& selected, const std::string& name) {
  for (const Scenario* scenario : selected)
    if (scenario->name == name) return scenario;
  return nullptr;
}

// The claim's pair unit, when the run measures both its scenarios in its state. Only
// build_seconds: the registry's times are taken once per scenario, never side by side.
std::optional<Unit> claim_unit_of(const Claim& claim, const std::vector<const Scenario*>& selected,
                                  const std::vector<CacheState>& states) {
  auto state = parse_cache_state(claim.state);
  if (claim.metric != kBuildSeconds || !state) return std::nullopt;
  if (std::find(states.begin(), states.end(), *state) == states.end()) return std::nullopt;
  const Scenario* base = among(selected, claim.baseline);
  const Scenario* subject = among(selected, claim.subject);
  if (!base || !subject || base == subject) return std::nullopt;
  if (!base->supports(*state) || !subject->supports(*state)) return std::nullopt;
  Unit unit;
  unit.legs = {{0, base, names_python(*base)}, {0, subject, names_python(*subject)}};
  unit.states = {*state};
  unit.claim = claim_key(claim);
  return unit;
}

bool same_pairs(const Unit& a, const Unit& b) {
  return a.legs[0].scenario == b.legs[0].scenario && a.legs[1].scenario == b.legs[1].scenario &&
         a.states == b.states;
}

}  // namespace

std::vector<Unit> claim_units(const Suite& suite, const RunOptions& options) {
  // Fewer than 6 pairs can never reach p < 0.05 with the exact signed-rank test, where 5
  // against 5 unpaired can (0.008): such a design keeps its claims unpaired, as before.
  if (claim_max_pairs(options) < stats::kFirstLookPairs) return {};
  auto selected = selected_scenarios(suite, options);
  auto states = selected_states(options);
  std::vector<Unit> units;
  for (const auto& claim : suite.claims) {
    auto unit = claim_unit_of(claim, selected, states);
    // A scenario in two claims of one state (B vs A, C vs B) gets a pair unit per claim: each
    // claim's pairs are its own back-to-back design, and the shared scenario's group holds
    // both claims' samples. Two claims of the very same pairs (one text said twice) share one
    // unit: the report matches pairs by their scenarios, so both would read both otherwise.
    if (!unit) continue;
    auto same = [&](const Unit& other) { return same_pairs(other, *unit); };
    if (std::none_of(units.begin(), units.end(), same)) units.push_back(std::move(*unit));
  }
  return units;
}

std::vector<Unit> run_units(const Suite& suite, const RunOptions& options) {
  auto claims = claim_units(suite, options);
  std::vector<Unit> units;
  for (auto& unit : single_units(suite, options)) {
    // A claimed state is measured in its claim's pairs, not a second time on its own.
    auto paired = [&](CacheState state) {
      return std::any_of(claims.begin(), claims.end(), [&](const Unit& claim) {
        return claim.states.front() == state && (claim.legs[0].scenario == unit.legs[0].scenario ||
                                                 claim.legs[1].scenario == unit.legs[0].scenario);
      });
    };
    unit.states.erase(std::remove_if(unit.states.begin(), unit.states.end(), paired),
                      unit.states.end());
    if (!unit.states.empty() || unit.startup) units.push_back(std::move(unit));
  }
  for (auto& unit : claims) units.push_back(std::move(unit));
  return units;
}

int claim_max_pairs(const RunOptions& options) {
  if (options.build_precision <= 0) return options.runs;
  return group_target(options, {"", SampleKind::kBuild, ""}, true).max_runs;
}

std::vector<int> claim_looks(const RunOptions& options) {
  if (options.build_precision <= 0) return {};
  int first = std::max(stats::kFirstLookPairs,
                       group_target(options, {"", SampleKind::kBuild, ""}, true).min_runs);
  return stats::planned_looks(first, claim_max_pairs(options));
}

std::vector<Unit> paired_units(const Suite& baseline, const Suite& candidate,
                               const RunOptions& options, std::vector<std::string>& skipped) {
  std::vector<std::string> names =
      options.scenarios.empty() ? candidate.names() : options.scenarios;
  std::vector<Unit> units;
  for (const auto& name : names) {
    const Scenario* base = baseline.find(name);
    const Scenario* cand = candidate.find(name);
    if (!base && !cand) {
      throw UsageError(fmt::format("--scenario '{}': in neither side's suite{}", printable(name),
                                   did_you_mean_suffix(name, candidate.names())));
    }
    if (!base || !cand) {
      skipped.push_back(name);
      continue;
    }
    Unit unit;
    unit.legs = {{0, base, names_python(*base)}, {1, cand, names_python(*cand)}};
    for (auto state : selected_states(options))
      if (base->supports(state) && cand->supports(state)) unit.states.push_back(state);
    for (const auto& mode : base->startup_modes)
      for (const auto& other : cand->startup_modes)
        if (other.name == mode.name) unit.modes.push_back(mode);
    unit.startup = base->probe.defined() && cand->probe.defined() && options.startup_runs > 0;
    if (!unit.states.empty()) units.push_back(std::move(unit));
  }
  return units;
}

std::vector<GroupWork> eta_groups(const std::vector<Unit>& units, const RunOptions& options,
                                  const std::set<GroupTally::Key>& claimed,
                                  const std::map<GroupTally::Key, int>& prior) {
  std::vector<GroupWork> groups;
  auto add = [&](const GroupTally::Key& key) {
    auto last = prior.find(key);
    groups.push_back({key, work_kind(key.kind, key.state),
                      group_target(options, key, claimed.count(key) > 0),
                      last == prior.end() ? -1 : last->second});
  };
  for (const auto& unit : units) {
    // A claim's legs as their scenarios' groups: what a replay's stored samples are tallied in.
    for (auto state : unit.states) {
      if (unit.claim.empty()) add({unit.name(), SampleKind::kBuild, to_string(state)});
      for (const auto& leg : unit.claim.empty() ? std::vector<Leg>{} : unit.legs)
        add({leg.scenario->name, SampleKind::kBuild, to_string(state)});
    }
    if (!unit.startup) continue;
    auto modes = unit.modes;
    if (unit.legs.front().scenario->detect_python)
      for (const auto& mode : builtin_startup_modes())
        if (mode.python) modes.push_back(mode);
    for (const auto& mode : modes) add({unit.name(), SampleKind::kStartup, mode.name});
  }
  return groups;
}

Plan::Plan(std::vector<Unit> units, const RunOptions& options, std::set<GroupTally::Key> claimed)
    : units_(std::move(units)), options_(options), claimed_(std::move(claimed)) {}

GroupTarget Plan::target(const GroupTally::Key& key) const {
  GroupTarget target = goal(key);
  auto cap = caps_.find(key);
  if (cap != caps_.end()) {
    // A claim's pairs plan for their most (goal); the budget keeps their first look when it
    // holds it, else one pair (budget_caps). A headline build group keeps one value, a claimed
    // or start-up one its minimum.
    bool headline = key.kind == SampleKind::kBuild && !claimed(key);
    int floor = claim_unit(key) ? std::min(1, target.max_runs)
                : headline      ? std::min(target.min_runs, 1)
                                : target.min_runs;
    target.max_runs = std::max(floor, std::min(target.max_runs, cap->second));
    target.min_runs = std::min(target.min_runs, target.max_runs);
  }
  return target;
}

GroupTarget Plan::goal(const GroupTally::Key& key) const {
  if (const Unit* unit = claim_unit(key)) {
    // Planned for the worst, the most pairs, until the claim is settled.
    int pairs = pair_settled(*unit) ? tally_.attempts(key) : claim_max_pairs(options_);
    return {pairs, pairs, 0};
  }
  if (!paired_) return group_target(options_, key, claimed_.count(key) > 0);
  int pairs = options_.runs;
  if (key.kind == SampleKind::kStartup) {
    pairs = options_.startup_runs;
  } else if (pilot_pairs_) {
    auto chosen = decided_.find(key);
    pairs = chosen != decided_.end() ? chosen->second : *pilot_pairs_;
  }
  return {pairs, pairs, 0};
}

bool Plan::needs_more(const GroupTally::Key& key) const {
  if (const Unit* unit = claim_unit(key))
    return tally_.attempts(key) < target(key).max_runs && !pair_settled(*unit);
  return bb::needs_more(tally_.values(key), tally_.attempts(key), target(key));
}

const Unit* Plan::claim_unit(const GroupTally::Key& key) const {
  if (key.scenario.rfind("claim:", 0) != 0) return nullptr;
  for (const auto& unit : units_)
    if (!unit.claim.empty() && unit.name() == key.scenario) return &unit;
  return nullptr;
}

int Plan::pair_minimum() const {
  auto looks = claim_looks(options_);
  return looks.empty() ? claim_max_pairs(options_) : looks.front();
}

bool Plan::pair_settled(const Unit& unit) const {
  // The adaptive design: the claim decided by its boundary, and each leg's own group within
  // its target, so the headline's medians keep their precision rule.
  if (options_.build_precision <= 0) return false;
  GroupTally::Key key{unit.name(), SampleKind::kBuild, to_string(unit.states.front())};
  if (tally_.attempts(key) < pair_minimum()) return false;
  auto looks = sequential_.find(unit.claim);
  if (looks == sequential_.end() || looks->second.decision == stats::SequentialDecision::kContinue)
    return false;
  for (const auto& leg : unit.legs) {
    GroupTally::Key own{leg.scenario->name, SampleKind::kBuild, key.state};
    if (bb::needs_more(tally_.values(own), tally_.attempts(own), target(own))) return false;
  }
  return true;
}

const stats::PairedSequential* Plan::sequential(const std::string& claim) const {
  auto it = sequential_.find(claim);
  return it == sequential_.end() ? nullptr : &it->second;
}

void Plan::look_at(const Unit& unit, bool ended) {
  auto looks = claim_looks(options_);
  if (looks.empty()) return;  // the fixed design: judged once, on its --runs pairs
  auto& result = sequential_[unit.claim];
  // A decision stands: later pairs (for the legs' precision, or a budget's cap raised after
  // a last look) would be a look the boundary did not spend alpha on.
  if (result.decision != stats::SequentialDecision::kContinue) return;
  GroupTally::Key key{unit.name(), SampleKind::kBuild, to_string(unit.states.front())};
  const auto& ratios = tally_.values(key);
  bool at_look =
      std::find(looks.begin(), looks.end(), static_cast<int>(ratios.size())) != looks.end();
  if (at_look || ended) result = stats::paired_sequential(ratios, looks, kClaimAlpha, ended);
}

void Plan::end_pairs() {
  for (const auto& unit : units_)
    if (!unit.claim.empty()) look_at(unit, true);
}

nlohmann::json Plan::claim_record(const std::string& pairs_id, std::uint32_t seed) const {
  auto looks = claim_looks(options_);
  nlohmann::json record = {{"pairs_id", pairs_id},
                           {"order", "abba"},
                           {"seed", seed},
                           {"design", looks.empty() ? "fixed" : "sequential"},
                           {"max_pairs", claim_max_pairs(options_)},
                           {"looks", looks},
                           {"alpha", kClaimAlpha},
                           {"spending", "Lan-DeMets O'Brien-Fleming, alpha/2 a side"},
                           {"claims", nlohmann::json::object()}};
  for (const auto& [claim, result] : sequential_) {
    const char* decision = result.decision == stats::SequentialDecision::kReject ? "crossed"
                           : result.decision == stats::SequentialDecision::kStop ? "final"
                                                                                 : "continue";
    record["claims"][claim] = {{"look", result.look},
                               {"looks", result.looks_planned},
                               {"pairs", result.pairs},
                               {"decision", decision},
                               {"z", result.z},
                               {"boundary", result.boundary},
                               {"p_value", result.p_value}};
  }
  return record;
}

std::vector<const Unit*> Plan::order(int round) const {
  std::vector<const Unit*> order;
  for (const auto& unit : units_) order.push_back(&unit);
  rotate_by_round(order, round);
  return order;
}

std::vector<Visit> Plan::build_visits(const Unit& unit, int round, bool warm_only) const {
  // A unit's states run back to back (cold first), so its warm states prime on the cache its
  // cold build just filled instead of rebuilding everything after another scenario's prune.
  bool warmup = round <= options_.warmup;
  std::vector<Visit> visits;
  for (auto state : unit.states) {
    if (warm_only && !is_local_warm_state(state)) continue;
    std::string name = to_string(state);
    if (warmup) {
      if (!warmups_done_.count({unit.name(), name, round}))
        visits.push_back({&unit, SampleKind::kBuild, name, round, true});
      continue;
    }
    Visit visit{&unit, SampleKind::kBuild, name, 0, false};
    if (needs_more(visit.key())) {
      visit.repetition = tally_.attempts(visit.key()) + 1;
      visits.push_back(visit);
    }
  }
  return visits;
}

bool Plan::finishes_warm_groups(const Unit& unit) const {
  // Once a scenario's cold group has stopped, every later visit would first rebuild it in
  // full (another scenario's cold prune emptied the cache) only to prime its warm groups:
  // the adaptive design spends that rebuild once, taking the warm groups' remaining
  // repetitions in the visit that has the cache warm.
  if (options_.build_precision <= 0) return false;
  bool prunes = false;  // cold builds, and CI states that start from an emptied builder
  for (const auto& other : units_) {
    for (auto state : other.states) prunes |= empties_builder(state);
  }
  if (!prunes) return false;
  if (std::find(unit.states.begin(), unit.states.end(), CacheState::kCold) == unit.states.end())
    return true;
  return !needs_more({unit.name(), SampleKind::kBuild, to_string(CacheState::kCold)});
}

std::vector<Visit> Plan::startup_visits(int round) const {
  std::vector<const Unit*> order;
  for (const auto& unit : units_)
    if (unit.startup && !unit.modes.empty()) order.push_back(&unit);
  rotate_by_round(order, round);
  std::vector<Visit> visits;
  for (const Unit* unit : order) {
    // A unit's modes back to back, their order rotating (A B, B A): drift hits all alike.
    auto modes = unit->modes;
    rotate_by_round(modes, round);
    for (const auto& mode : modes) {
      Visit visit{unit, SampleKind::kStartup, mode.name, 0, false};
      if (needs_more(visit.key())) {
        visit.repetition = tally_.attempts(visit.key()) + 1;
        visits.push_back(visit);
      }
    }
  }
  return visits;
}

void Plan::taken(const Visit& visit, std::optional<double> figure) {
  if (visit.warmup) return warmup_taken(visit.unit->name(), visit.state, visit.repetition);
  tally_.add(visit.key(), figure.has_value(), figure.value_or(0));
  if (!visit.unit->claim.empty())
    look_at(*visit.unit, tally_.attempts(visit.key()) >= target(visit.key()).max_runs);
}

void Plan::leg_taken(const GroupTally::Key& key, std::optional<double> figure) {
  tally_.add(key, figure.has_value(), figure.value_or(0));
}

void Plan::seed_pair(const Unit& unit, std::optional<double> ratio) {
  GroupTally::Key key{unit.name(), SampleKind::kBuild, to_string(unit.states.front())};
  tally_.add(key, ratio.has_value(), ratio.value_or(0));
  look_at(unit, false);
}

void Plan::warmup_taken(const std::string& unit, const std::string& state, int round) {
  warmups_done_.insert({unit, state, round});
}

void Plan::seed(const Sample& sample) {
  if (sample.warmup) {
    // A claim's warm-up pair counts as that unit's warm-up.
    for (const auto& unit : units_)
      for (const auto& leg : unit.claim.empty() ? std::vector<Leg>{} : unit.legs)
        if (leg.scenario->name == sample.scenario && to_string(unit.states.front()) == sample.state)
          warmup_taken(unit.name(), sample.state, sample.repetition);
    return warmup_taken(sample.scenario, sample.state, sample.repetition);
  }
  auto figure = figure_of(sample);
  tally_.add(GroupKey::of(sample), figure.has_value(), figure.value_or(0));
}

int Plan::prior_of(const GroupTally::Key& key) const {
  auto it = prior_.find(key);
  return it == prior_.end() ? -1 : it->second;
}

}  // namespace bb
