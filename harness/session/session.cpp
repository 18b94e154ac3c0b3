#include "session/session.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <set>

#include <fmt/format.h>

#include "lab/run_network.hpp"
#include "measure/ci_cache.hpp"
#include "measure/registry_metrics.hpp"
#include "net/registry.hpp"
#include "session/budget.hpp"
#include "session/describe.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/scratch_folder.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {
// Carries a failed sample's session out of the loop when the daemon is gone.
struct DaemonGone {};
}  // namespace

void check_session(DockerEngine& engine, bool pull_engine, const RunOptions& options,
                   const std::vector<const Scenario*>& scenarios) {
  network_profile_named(options.network_profile);
  std::vector<std::string> need_registry;
  for (auto state : options.states) {
    if (needs_registry(state)) need_registry.push_back(to_string(state));
  }
  if (!need_registry.empty() && options.registry.empty()) {
    throw UsageError(
        fmt::format("--state {} needs a registry: add --registry 127.0.0.1:5000 "
                    "(scripts/lab-registry starts one)",
                    fmt::join(need_registry, ", ")));
  }
  if (!options.registry.empty())
    net::require_registry(net::parse_registry_address(options.registry));
  if (std::any_of(options.states.begin(), options.states.end(), needs_cache_export)) {
    require_cache_support(engine.fingerprint(), options.states);
  }
  // A resumed run keeps its recorded mode: a missing base then fails at its first pull.
  if (pull_engine && options.pull_onto == "base" && !options.resume)
    check_pull_onto(engine, scenarios);
}

std::optional<fs::path> shared_index(const std::vector<const Suite*>& suites) {
  std::optional<fs::path> index;
  for (const Suite* suite : suites) {
    if (!suite->index) continue;
    if (index && fs::weakly_canonical(*index) != fs::weakly_canonical(*suite->index)) {
      throw UsageError(fmt::format(
          "the two sides name different package indexes ({} and {}); ab serves one for both: "
          "point both suites at the same index folder",
          index->string(), suite->index->string()));
    }
    if (!index) index = suite->index;
  }
  return index;
}

Session::Session(DockerEngine& engine, Store& store, Progress& progress)
    : engine_(engine), store_(store), progress_(progress), measurer_(engine, store, progress) {}

void Session::begin() {
  measurer_.begin_session();
  pairs_ = 0;
  seeded_orders_.clear();
  python_detected_ = false;
  startups_done_ = false;
  in_flight_.clear();
  short_.clear();
}

void Session::seed(const Sample& sample, Side& side, Plan& plan) {
  measurer_.seed(sample, side.options.image_variant);
  plan.seed(sample);
  if (sample.kind == SampleKind::kBuild && sample.status == SampleStatus::kOk &&
      !sample.image_id.empty() && engine_.inspect_image(sample.image_id))
    side.last_image[sample.scenario] = sample.image_id;
}

void Session::seed_pairs(const std::vector<StoredSample>& samples,
                         const std::vector<PairRecord>& pairs, Plan& plan) {
  std::map<std::int64_t, const Sample*> by_id;
  for (const auto& stored : samples) by_id[stored.id] = &stored.sample;
  for (const auto& pair : pairs) {
    auto base = by_id.find(pair.baseline_sample_id);
    auto subject = by_id.find(pair.candidate_sample_id);
    if (base == by_id.end() || subject == by_id.end()) continue;
    const Sample& b = *base->second;
    const Sample& c = *subject->second;
    for (const auto& unit : plan.units()) {
      if (unit.claim.empty() || unit.legs[0].scenario->name != b.scenario ||
          unit.legs[1].scenario->name != c.scenario || to_string(unit.states.front()) != b.state ||
          b.kind != SampleKind::kBuild || b.warmup)
        continue;
      auto x = figure_of(b), y = figure_of(c);
      plan.seed_pair(unit, x && y ? std::optional(std::log(*y / *x)) : std::nullopt);
      seeded_orders_.push_back(
          {{unit.name(), SampleKind::kBuild, b.state}, pair.first == "baseline"});
      break;
    }
  }
}

void Session::run(std::vector<Side>& sides, Plan& plan, const std::optional<PairDesign>& pairs,
                  const std::string& label) {
  sides_ = &sides;
  plan_ = &plan;
  design_ = pairs;
  label_ = label;
  started_ = progress_.now();
  if (const auto& budget = plan.options().budget) progress_.end_by(started_ + *budget);
  const auto& units = plan.units();
  bool paired = std::any_of(units.begin(), units.end(), [](const Unit& u) { return u.paired(); });
  // Pairs of one side's scenarios (a claim's two sides) get an order of their own.
  if (paired && !design_)
    design_ = PairDesign{random_hex(12), PairOrder::kAbba, std::random_device{}()};
  if (design_) orderer_.emplace(design_->order, design_->seed);
  for (const auto& [key, baseline_first] : seeded_orders_) orderer_->seed(key, baseline_first);
  ScratchFolder scratch(fs::temp_directory_path() /
                        fmt::format("buildbench-{}-{}", label, getpid()));
  try {
    measure_all(scratch.path());
  } catch (const Interrupted&) {
    finish("interrupted");
    throw;
  } catch (const DaemonGone&) {
    finish("failed");
    daemon_gone();
  } catch (...) {
    finish("failed");
    throw;
  }
  // A budget that ends the run did what was asked: complete, its short groups marked.
  record_short();
  // The pairs are over: a claim its boundary has not stopped takes its last look now.
  plan.end_pairs();
  record_claims();
  finish("complete");
}

void Session::measure_all(const fs::path& scratch) {
  prepare_sides(scratch);
  // One network for every side: the index and the registry behind the run's profile.
  std::vector<const Suite*> suites;
  for (const auto& side : *sides_) suites.push_back(side.suite);
  const RunOptions& options = plan_->options();
  int index_port = 0;
  for (auto it = suites.rbegin(); it != suites.rend(); ++it)  // the first side's, as ab's was
    if ((*it)->index) index_port = (*it)->index_port;
  RunNetwork network(shared_index(suites), index_port, options.network_profile, options.registry,
                     progress_);
  for (auto& side : *sides_) side.index = side.suite->index ? network.index() : nullptr;
  measurer_.use_registry({network.registry(), options.registry, pull_engine_, options.pull_onto});
  if (design_ && sides_->size() == 2) {
    progress_.message(fmt::format(
        "buildbench: A/B session {}: baseline run {}, candidate run {}; pairs in {} order "
        "(seed {})",
        design_->ab_id, (*sides_)[0].run_id, (*sides_)[1].run_id, to_string(design_->order),
        design_->seed));
  }
  progress_.begin();
  tell_progress();
  run_builds();
  run_startups(scratch);
  // Builds held back for the start-ups' reserve get what the budget still has.
  startups_done_ = true;
  if (plan_->options().budget && !budget_spent()) run_builds();
  progress_.end();
}

void Session::prepare_sides(const fs::path& scratch) {
  // Scratch copies: edits never touch the user's files.
  fs::create_directories(scratch);
  for (auto& side : *sides_) {
    fs::path folder = side.name.empty() ? scratch : scratch / side.name;
    fs::create_directories(folder);
    int position = 0;
    for (const auto& unit : plan_->units()) {
      for (const auto& leg : unit.legs) {
        if (&(*sides_)[leg.side] != &side || side.copies.count(leg.scenario->name)) continue;
        side.copies[leg.scenario->name] =
            copy_scenario(*leg.scenario, folder / std::to_string(position++));
      }
    }
  }
}

void Session::run_builds() {
  int warmup = plan_->options().warmup;
  for (int round = 1;; ++round) {
    bool ran = false;
    for (const Unit* unit : plan_->order(round)) {
      plan_budget();
      auto visits = plan_->build_visits(*unit, round, false);
      while (!visits.empty()) {
        bool took = false;
        for (const auto& visit : visits) {
          if (!budget_admits(visit)) continue;
          take(visit);
          took = ran = true;
        }
        if (!took) break;
        plan_budget();  // the first visits may have timed what the caps needed
        bool more = round > warmup && plan_->finishes_warm_groups(*unit);
        visits = more ? plan_->build_visits(*unit, round, true) : std::vector<Visit>{};
      }
      if (budget_spent()) return;
    }
    if (!ran && round > warmup) return;
  }
}

void Session::run_startups(const fs::path& scratch) {
  const auto& units = plan_->units();
  if (std::none_of(units.begin(), units.end(), [](const Unit& u) { return u.startup; })) return;
  if (budget_spent()) return;
  for (auto& side : *sides_) {
    fs::path tools = (side.name.empty() ? scratch : scratch / side.name) / "startup-tools";
    write_startup_tools(tools);
    std::string prefix = fmt::format("buildbench-{}{}-{}", label_,
                                     side.name.empty() ? "" : "-" + side.name, getpid());
    side.startup = std::make_unique<StartupMeasurer>(engine_, tools, prefix);
  }
  detect_python();
  for (int round = 1;; ++round) {
    plan_budget();
    auto visits = plan_->startup_visits(round);
    bool took = false;
    for (const auto& visit : visits) {
      // Every build of it held back (a resumed run's budget, say): nothing to start, so no
      // sample; the group is left short, not failed for want of an image.
      if (never_built(*visit.unit) || !budget_admits(visit)) continue;
      take(visit);
      took = true;
      // Their caps were planned at a guessed cost: once a start-up is timed, the ETA's count
      // left must follow the caps it allows, not wait for the next round (a quarter low).
      plan_budget();
    }
    if (!took) return;
  }
}

void Session::detect_python() {
  // Scenarios that name no modes: one unmeasured start asks the probe whether the service is
  // a Python program; only then are the Python modes measured (on every leg, or none).
  for (auto& unit : plan_->units()) {
    if (!unit.startup) continue;
    bool python = true;
    for (const auto& leg : unit.legs) {
      Side& side = (*sides_)[leg.side];
      auto image = side.last_image.find(leg.scenario->name);
      if (!leg.scenario->detect_python || image == side.last_image.end()) {
        python = false;
        break;
      }
      progress_.detail(fmt::format("{}: is the service a Python program? (one start, not measured)",
                                   printable(leg.scenario->name)));
      python =
          side.startup->runs_python(*leg.scenario, image->second, side.options.startup_timeout);
      if (!python) break;
    }
    if (!python) continue;
    for (auto& leg : unit.legs) leg.python = true;
    for (const auto& mode : builtin_startup_modes())
      if (mode.python) unit.modes.push_back(mode);
  }
  python_detected_ = true;
  tell_progress();
}

std::vector<const Leg*> Session::legs_in_order(const Visit& visit) {
  const auto& legs = visit.unit->legs;
  if (!visit.unit->paired()) return {&legs[0]};
  GroupTally::Key key{visit.unit->name(), visit.kind,
                      visit.warmup ? visit.state + " (warm-up)" : visit.state};
  bool baseline_first = orderer_->baseline_first(key);
  return baseline_first ? std::vector<const Leg*>{&legs[0], &legs[1]}
                        : std::vector<const Leg*>{&legs[1], &legs[0]};
}

std::string Session::describe(const Visit& visit, const Leg& leg, const Leg& first) const {
  const std::string& name = visit.unit->name();
  std::string warmup = visit.warmup ? " (warm-up)" : "";
  if (!visit.unit->paired()) {
    if (visit.kind == SampleKind::kStartup)
      return fmt::format("{} start-up {} #{}", printable(name), visit.state, visit.repetition);
    return fmt::format("{} {} #{}{}", printable(name), visit.state, visit.repetition, warmup);
  }
  // Two sides name their legs; two scenarios of one side, the scenarios.
  bool sides = visit.unit->legs[0].side != visit.unit->legs[1].side;
  auto label = [&](const Leg& l) {
    return sides ? (*sides_)[l.side].name : printable(l.scenario->name);
  };
  return fmt::format("{} {} {} pair #{}{} ({} first): {}", printable(name),
                     visit.kind == SampleKind::kBuild ? "build" : "start-up", visit.state,
                     visit.repetition, warmup, label(first), label(leg));
}

void Session::take(const Visit& visit) {
  interrupt::throw_if_requested();
  auto legs = legs_in_order(visit);
  std::vector<Sample> samples(visit.unit->legs.size());
  std::vector<std::int64_t> ids(samples.size());
  for (std::size_t i = 0; i < legs.size(); ++i) {
    const Leg& leg = *legs[i];
    progress_.task(describe(visit, leg, *legs[0]));
    std::size_t at = &leg - visit.unit->legs.data();  // the sample's place: the legs' order
    samples[at] = measure(visit, leg);
    ids[at] = keep((*sides_)[leg.side], samples[at]);
    in_flight_ = i + 1 < legs.size() ? work_kind(visit.kind, visit.state) : "";
    if (i + 1 < legs.size()) tell_progress();
  }
  if (visit.unit->paired()) {
    bool baseline_first = legs[0] == &visit.unit->legs[0];
    store_.add_pair({design_->ab_id, ids[0], ids[1], baseline_first ? "baseline" : "candidate"});
    ++pairs_;
  }
  tally(visit, samples);
  tell_progress();
}

void Session::tally(const Visit& visit, const std::vector<Sample>& samples) {
  std::optional<double> figure = figure_of(samples[0]);
  if (samples.size() == 2) {
    auto candidate = figure_of(samples[1]);
    figure = figure && candidate ? std::optional(std::log(*candidate / *figure)) : std::nullopt;
  }
  plan_->taken(visit, figure);
  if (!visit.unit->claim.empty() && !visit.warmup) {
    // A claim's legs are also their scenarios' samples, which the headline reads.
    for (std::size_t i = 0; i < samples.size(); ++i)
      plan_->leg_taken({visit.unit->legs[i].scenario->name, visit.kind, visit.state},
                       figure_of(samples[i]));
    return record_claims();
  }
  if (visit.warmup || !design_ || design_->detect <= 0 || visit.kind != SampleKind::kBuild) return;
  auto key = visit.key();
  if (!plan_->decided(key) && plan_->tally().attempts(key) >= design_->pilot_pairs) {
    plan_->decide(key, decide_pairs(key, plan_->tally().values(key), design_->detect,
                                    design_->max_pairs, progress_));
  }
}

void Session::record_claims() {
  const auto& units = plan_->units();
  if (!design_ || sides_->size() != 1 ||
      std::none_of(units.begin(), units.end(), [](const Unit& u) { return !u.claim.empty(); }))
    return;
  store_.set_run_option((*sides_)[0].run_id, "claim_pairs",
                        plan_->claim_record(design_->ab_id, design_->seed));
}

Sample Session::measure(const Visit& visit, const Leg& leg) {
  Side& side = (*sides_)[leg.side];
  const Scenario& scenario = *leg.scenario;
  try {
    if (visit.kind == SampleKind::kStartup) return measure_startup(visit, leg, side);
    const auto& copy = side.copies.at(scenario.name);
    BuildJob job{&scenario,
                 *parse_cache_state(visit.state),
                 visit.repetition,
                 visit.warmup,
                 copy.context,
                 copy.dockerfile,
                 build_args_for(scenario, side.index),
                 &side.options};
    return measurer_.measure(job);
  } catch (const Interrupted&) {
    return unmeasured(scenario.name, visit.kind, visit.state, visit.repetition, visit.warmup,
                      SampleStatus::kInterrupted, "interrupted before the measurement finished");
  }
}

Sample Session::measure_startup(const Visit& visit, const Leg& leg, Side& side) {
  const Scenario& scenario = *leg.scenario;
  auto image = side.last_image.find(scenario.name);
  if (image == side.last_image.end()) {
    return unmeasured(scenario.name, SampleKind::kStartup, visit.state, visit.repetition, false,
                      SampleStatus::kFailed,
                      "no image to start: every build of this scenario in the run failed");
  }
  const auto& modes = visit.unit->modes;
  auto mode = std::find_if(modes.begin(), modes.end(),
                           [&](const StartupMode& m) { return m.name == visit.state; });
  return side.startup->measure(scenario, image->second, *mode, leg.python, visit.repetition,
                               side.options.startup_timeout);
}

std::int64_t Session::keep(Side& side, Sample& sample) {
  if (sample.status == SampleStatus::kInterrupted) {
    store_.add_sample(side.run_id, sample);
    throw Interrupted();
  }
  bool gone = sample.status != SampleStatus::kOk && !engine_.ping();
  if (gone) sample.error = "the Docker daemon stopped answering: " + sample.error;
  std::int64_t id = store_.add_sample(side.run_id, sample);
  if (gone) throw DaemonGone{};
  // A start-up runs the scenario's last image in the run's engine: not one built elsewhere.
  if (sample.kind == SampleKind::kBuild && sample.status == SampleStatus::kOk &&
      !sample.image_id.empty() && !measurer_.built_elsewhere(sample))
    side.last_image[sample.scenario] = sample.image_id;
  progress_.done(sample, side.name, measurer_.take_one_off());
  return id;
}

Session::Work Session::work(bool capped, bool guess) const {
  Work work;
  for (const auto& unit : plan_->units()) {
    for (const auto& leg : unit.legs) {
      const Side& side = (*sides_)[leg.side];
      std::string owner = owner_of(leg.scenario->name, side.options.image_variant);
      auto add = [&](const GroupTally::Key& key) {
        work.groups.push_back({key, work_kind(key.kind, key.state),
                               capped ? plan_->target(key) : plan_->goal(key),
                               plan_->prior_of(key)});
      };
      for (auto state : unit.states) {
        add({unit.name(), SampleKind::kBuild, to_string(state)});
        for (int round = 1; round <= plan_->options().warmup; ++round)
          work.once[work_kind(SampleKind::kBuild, to_string(state))] +=
              !plan_->warmup_done(unit.name(), to_string(state), round);
        work.once[kImageLayersWork] += measurer_.layers_due(owner, state, side.options);
      }
      bool cold = std::count(unit.states.begin(), unit.states.end(), CacheState::kCold) > 0;
      work.once[kRegistryWork] += cold && measurer_.registry_due(owner);
      if (!unit.startup) continue;
      auto modes = unit.modes;
      // Until the probe has asked, a scenario that names no modes is counted as a Python one:
      // over-counting a few cheap start-ups beats an ETA that jumps when the builds end.
      if (guess && leg.scenario->detect_python && !python_detected_) {
        for (const auto& mode : builtin_startup_modes())
          if (mode.python) modes.push_back(mode);
      }
      for (const auto& mode : modes) add({unit.name(), SampleKind::kStartup, mode.name});
    }
  }
  return work;
}

void Session::tell_progress() {
  auto [groups, once] = work(true, true);
  auto remaining = expected_work(groups, plan_->tally());
  for (const auto& [kind, count] : once) remaining[kind] += count;
  // A pair in flight has one sample stored already.
  if (!in_flight_.empty() && remaining[in_flight_] > 0) --remaining[in_flight_];
  progress_.expect(remaining);
}

void Session::plan_budget() {
  const auto& budget = plan_->options().budget;
  if (!budget) return;
  auto [groups, once] = work(false, true);
  const GroupTally& tally = plan_->tally();
  auto more = expected_by_group(groups, tally);
  // Warm-ups and once-per-scenario work are spent whatever the caps: reserved first.
  double reserved = 0;
  for (const auto& [kind, count] : once) {
    if (count > 0) reserved += count * progress_.planning_seconds(kind);
  }
  std::map<GroupTally::Key, BudgetGroup> by_key;  // a pair's legs: one group, both legs' cost
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto& key = groups[i].key;
    double seconds = progress_.planning_seconds(groups[i].kind);
    // Nothing timed and no last run: the first round runs unplanned, and teaches the costs.
    if (!std::isfinite(seconds) || !std::isfinite(reserved)) return;
    auto [at, added] = by_key.try_emplace(key);
    BudgetGroup& group = at->second;
    group.seconds += seconds;
    if (!added) continue;
    group.key = key;
    group.priority = plan_->claimed(key)              ? BudgetPriority::kClaimed
                     : key.kind == SampleKind::kBuild ? BudgetPriority::kBuild
                                                      : BudgetPriority::kStartup;
    group.taken = tally.attempts(key);
    group.min_runs = groups[i].target.min_runs;
    // A claim's pairs plan for their most; what the budget keeps is the first look.
    if (plan_->claim_unit(key)) {
      group.min_runs = std::min(group.min_runs, plan_->pair_minimum());
      // Until a pair is timed its cost is a guess: the claim keeps its minimum till then.
      group.whole = group.taken > 0;
    }
    group.wanted = group.taken + more[i];
    if (key.kind == SampleKind::kStartup) group.spread = median_unit_spread(tally.values(key));
  }
  std::vector<BudgetGroup> planned;
  for (auto& [key, group] : by_key) planned.push_back(group);
  double left = std::chrono::duration<double>(*budget).count() - elapsed() - reserved;
  double slack = budget_slack();
  plan_->cap(budget_caps(planned, left, std::isfinite(slack) ? slack : 0));
  tell_progress();
}

bool Session::budget_admits(const Visit& visit) const {
  const auto& budget = plan_->options().budget;
  if (!budget) return true;
  double slack = budget_slack();
  double seconds =
      visit.unit->legs.size() * progress_.task_seconds(work_kind(visit.kind, visit.state));
  // Builds come first and would spend it all on a slow machine: they leave the start-ups
  // their minimums (the builds' own minimums are what gives way, marked short). The build
  // that makes a start-up unit's image is part of that reserve, so it never waits for it.
  if (visit.kind == SampleKind::kBuild && !startups_done_ && !serves_startups(*visit.unit))
    seconds += startup_reserve();
  return bb::budget_admits(elapsed(), std::chrono::duration<double>(*budget).count(), seconds,
                           slack);
}

double Session::budget_slack() const {
  // One build: the slowest kind the plan builds, as the ETA predicts it.
  double slack = std::nan("");
  for (const auto& unit : plan_->units()) {
    for (auto state : unit.states) {
      double seconds = progress_.task_seconds(work_kind(SampleKind::kBuild, to_string(state)));
      if (std::isfinite(seconds)) slack = std::isfinite(slack) ? std::max(slack, seconds) : seconds;
    }
  }
  return slack;
}

double Session::startup_reserve() const {
  auto [groups, once] = work(false, true);
  double seconds = 0;
  for (const auto& group : groups) {
    if (group.key.kind != SampleKind::kStartup) continue;
    int due = group.target.min_runs - plan_->tally().attempts(group.key);
    if (due > 0) seconds += due * progress_.planning_seconds(group.kind);
  }
  for (const auto& unit : plan_->units()) {
    if (!awaits_image(unit) || unit.states.empty()) continue;
    double build =
        progress_.planning_seconds(work_kind(SampleKind::kBuild, to_string(unit.states.front())));
    if (std::isfinite(build)) seconds += unit.legs.size() * build;
  }
  return seconds;
}

bool Session::awaits_image(const Unit& unit) const {
  if (!unit.startup) return false;
  return std::any_of(unit.legs.begin(), unit.legs.end(), [&](const Leg& leg) {
    return !(*sides_)[leg.side].last_image.count(leg.scenario->name);
  });
}

bool Session::serves_startups(const Unit& build_unit) const {
  // Its own start-ups, or those of a scenario it builds as a claim's leg.
  for (const auto& unit : plan_->units()) {
    if (!awaits_image(unit)) continue;
    for (const auto& leg : unit.legs)
      for (const auto& built : build_unit.legs)
        if (built.side == leg.side && built.scenario == leg.scenario) return true;
  }
  return false;
}

bool Session::never_built(const Unit& unit) const {
  if (!awaits_image(unit)) return false;
  // Any build of its scenarios tried, in their own units or as a claim's legs.
  for (const auto& other : plan_->units()) {
    for (const auto& built : other.legs) {
      bool same = std::any_of(unit.legs.begin(), unit.legs.end(), [&](const Leg& leg) {
        return leg.side == built.side && leg.scenario == built.scenario;
      });
      if (!same) continue;
      for (auto state : other.states) {
        GroupTally::Key key{built.scenario->name, SampleKind::kBuild, to_string(state)};
        if (plan_->tally().attempts(key) > 0) return false;
      }
    }
  }
  return true;
}

bool Session::budget_spent() const {
  const auto& budget = plan_->options().budget;
  return budget && elapsed() >= std::chrono::duration<double>(*budget).count();
}

void Session::record_short() {
  short_.clear();
  if (!plan_->options().budget) return;
  // Only the modes the session knows of: a Python mode of a service never asked is no group.
  auto [groups, once] = work(false, false);
  const GroupTally& tally = plan_->tally();
  auto more = expected_by_group(groups, tally);
  std::set<GroupTally::Key> seen;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto& key = groups[i].key;
    if (!seen.insert(key).second) continue;
    int runs = tally.attempts(key);
    if (!bb::needs_more(tally.values(key), runs, groups[i].target)) continue;
    int wanted = std::max(runs + more[i], runs + 1);
    if (const Unit* unit = plan_->claim_unit(key)) {
      // A claim's pairs cut short: its two scenarios' groups, as the page reads them.
      for (const auto& leg : unit->legs) {
        GroupTally::Key own{leg.scenario->name, key.kind, key.state};
        if (!seen.insert(own).second) continue;  // a scenario in two claims
        short_.push_back({own, tally.attempts(own), tally.attempts(own) + wanted - runs});
      }
      continue;
    }
    short_.push_back({key, runs, wanted});
  }
  double budget = std::chrono::duration<double>(*plan_->options().budget).count();
  if (short_.empty()) {
    progress_.message(fmt::format("buildbench: budget: no group cut short ({} of {})",
                                  format_seconds(elapsed()), format_seconds(budget)));
    return;
  }
  for (const auto& side : *sides_) store_.mark_short(side.run_id, short_);
  progress_.message(fmt::format("buildbench: budget spent: {} group{} short of target ({} of {})",
                                short_.size(), short_.size() == 1 ? "" : "s",
                                format_seconds(elapsed()), format_seconds(budget)));
  for (const auto& group : short_) {
    progress_.message(fmt::format("  {}: {} of {} runs", printable(to_string(group.group)),
                                  group.runs, group.wanted));
  }
}

void Session::finish(const std::string& status) {
  progress_.end();
  for (const auto& side : *sides_) store_.finish_run(side.run_id, status);
}

void Session::daemon_gone() {
  const auto& sides = *sides_;
  if (sides.size() == 2) {
    throw EnvironmentError(fmt::format(
        "the Docker daemon stopped answering during A/B session {} (runs {} and {}); the sample "
        "in flight is stored as failed and every earlier sample is kept. Restart the daemon "
        "(scripts/lab-dockerd) and run 'buildbench ab' again",
        design_->ab_id, sides[0].run_id, sides[1].run_id));
  }
  throw EnvironmentError(fmt::format(
      "the Docker daemon stopped answering during run {}; the sample in flight is stored as "
      "failed and every earlier sample is kept. Restart the daemon (scripts/lab-dockerd) and "
      "finish the run with 'buildbench run --resume {}'",
      sides[0].run_id, sides[0].run_id));
}

}  // namespace bb
