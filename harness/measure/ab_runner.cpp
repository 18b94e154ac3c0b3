#include "measure/ab_runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include <fmt/format.h>
#include <boost/math/distributions/normal.hpp>

#include "measure/package_index.hpp"
#include "model/metrics.hpp"
#include "stats/paired.hpp"
#include "stats/summary.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/scratch_folder.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

std::string to_string(PairOrder order) {
  return order == PairOrder::kAbba ? "abba" : "coin";
}

double pairs_formula(double sigma, double delta) {
  constexpr double z_alpha = 1.959963984540054;   // two-sided 5%
  constexpr double z_power = 0.8416212335729143;  // 80% power
  double t_pairs = std::pow((z_alpha + z_power) * sigma / std::log1p(delta), 2);
  return t_pairs / (3 / std::numbers::pi);
}

double paired_standard_error(double sigma, int pairs) {
  return sigma / std::sqrt(pairs * 3 / std::numbers::pi);
}

double threshold_to_flag(double sigma, double delta, int pairs) {
  return std::expm1(std::log1p(delta) - 1.645 * paired_standard_error(sigma, pairs));
}

int pairs_to_detect(double sigma, double delta, int max_pairs) {
  double n = std::ceil(pairs_formula(sigma, delta));
  if (!std::isfinite(n)) return max_pairs;
  return static_cast<int>(std::clamp<double>(n, kFewestPairs, std::max(max_pairs, kFewestPairs)));
}

bool PairOrderer::baseline_first(const GroupTally::Key& group) {
  auto& [taken, block_first] = taken_[group];
  bool first;
  if (order_ == PairOrder::kCoin) {
    first = coin();
  } else {
    // The first pair of each block of two draws; the second takes the other order.
    first = taken % 2 == 0 ? (block_first = coin()) : !block_first;
  }
  ++taken;
  return first;
}

namespace {

// Carries the failed sample's side out of the loop when the daemon is gone.
struct DaemonGone {};

std::string new_ab_id() {
  std::random_device device;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string id;
  for (int i = 0; i < 12; ++i) id += "0123456789abcdef"[hex(device)];
  return id;
}

bool supports(const Scenario& scenario, CacheState state) {
  auto states = scenario.supported_states();
  return std::find(states.begin(), states.end(), state) != states.end();
}

}  // namespace

struct AbRunner::Side {
  std::string name;  // baseline, candidate
  const Suite* suite = nullptr;
  RunOptions options;
  std::int64_t run_id = 0;
  std::map<std::string, ScratchScenario> copies;
  std::map<std::string, std::string> last_image;  // scenario -> image of its last good build
  const PackageIndexServer* index = nullptr;
  std::unique_ptr<StartupMeasurer> startup;

  const Scenario& scenario(const Group& group) const {
    return name == "baseline" ? *group.baseline : *group.candidate;
  }
};

AbRunner::AbRunner(DockerEngine& engine, Store& store, Progress& progress)
    : engine_(engine), store_(store), progress_(progress), runner_(engine, store, progress) {}

std::vector<AbRunner::Group> AbRunner::common_groups(const Suite& baseline, const Suite& candidate,
                                                     const AbOptions& options) const {
  std::vector<std::string> names = options.run.scenarios;
  if (names.empty()) names = candidate.names();
  auto states = options.run.states.empty() ? all_cache_states() : options.run.states;
  std::vector<Group> groups;
  for (const auto& name : names) {
    const Scenario* base = baseline.find(name);
    const Scenario* cand = candidate.find(name);
    if (!base && !cand) {
      throw UsageError(fmt::format("--scenario '{}': in neither side's suite{}", printable(name),
                                   did_you_mean_suffix(name, candidate.names())));
    }
    if (!base || !cand) {
      progress_.message(fmt::format("buildbench: scenario '{}' is only in the {}; not measured",
                                    printable(name), base ? "baseline" : "candidate"));
      continue;
    }
    Group group{base, cand, {}};
    for (auto state : states) {
      if (supports(*base, state) && supports(*cand, state)) group.states.push_back(state);
    }
    if (!group.states.empty()) groups.push_back(group);
  }
  return groups;
}

void AbRunner::begin(Side& baseline, Side& candidate, const AbOptions& options) {
  progress_.message("buildbench: collecting the host and tool fingerprint");
  nlohmann::json host = engine_.fingerprint();  // once: both sides run on the same host
  for (Side* side : {&baseline, &candidate}) {
    side->options = options.run;
    side->options.labels["ab"] = ab_id_;
    side->options.labels["side"] = side->name;
    const std::string& revision =
        side == &baseline ? options.baseline_revision : options.candidate_revision;
    if (!revision.empty()) side->options.labels["rev"] = revision;
    if (side == &candidate) side->options.image_variant = "candidate";
    RunRecord record = runner_.describe_run(*side->suite, side->options, &host);
    record.options["ab"] = {{"id", ab_id_},
                            {"side", side->name},
                            {"order", to_string(options.order)},
                            {"seed", *options.seed},
                            {"detect", options.detect},
                            {"max_pairs", options.max_pairs},
                            {"pilot_pairs", options.pilot_pairs}};
    side->run_id = store_.begin_run(record);
    int position = 0;
    for (const auto& group : groups_) {
      const Scenario& scenario = side->scenario(group);
      store_.add_scenario(side->run_id, scenario.name, position++, describe_scenario(scenario));
    }
  }
}

int AbRunner::target_pairs(const GroupTally::Key& key) const {
  if (key.kind == SampleKind::kStartup) return options_.run.startup_runs;
  if (options_.detect <= 0) return options_.run.runs;
  auto decided = decided_.find(key);
  return decided != decided_.end() ? decided->second : options_.pilot_pairs;
}

void AbRunner::decide_pairs(const GroupTally::Key& key) {
  const auto& ratios = tally_.values(key);
  std::string where = fmt::format("{} {}", printable(key.scenario), key.state);
  if (ratios.size() < 2) {
    decided_[key] = std::max(options_.max_pairs, kFewestPairs);
    progress_.message(fmt::format(
        "buildbench: --detect: {}: fewer than 2 good pilot pairs; taking --max-pairs ({})", where,
        decided_[key]));
    return;
  }
  double sigma = stats::stddev(ratios);
  int n = pairs_to_detect(sigma, options_.detect, options_.max_pairs);
  decided_[key] = n;
  progress_.message(fmt::format(
      "buildbench: --detect {:g}%: {}: log-ratio SD {:.4f} over {} pilot pairs; n = ((1.960 + "
      "0.842) x {:.4f} / ln {:g})^2 / (3/pi) = {:.1f} -> {} pairs (at least {}, at most "
      "--max-pairs {})",
      options_.detect * 100, where, sigma, ratios.size(), sigma, 1 + options_.detect,
      pairs_formula(sigma, options_.detect), n, kFewestPairs, options_.max_pairs));
  // compare calls a regression only when the estimate also passes its threshold (5% for
  // times), so a change the size of the threshold is called about half the time, whatever n.
  double se = paired_standard_error(sigma, n);
  boost::math::normal normal;
  double margin = std::log1p(options_.detect) - std::log(1.05);
  double passes = se > 0 ? boost::math::cdf(normal, margin / se) : (margin >= 0 ? 1.0 : 0.0);
  double flag_at = threshold_to_flag(sigma, options_.detect, n);
  std::string advice;
  if (flag_at < 0.001) {  // below 0.1% no threshold is a usable advice
    advice = "no threshold passes it reliably at these pairs; raise --max-pairs";
  } else if (flag_at < 0.05) {
    // Rounded down: the printed threshold keeps the 95%.
    advice = fmt::format("--threshold {}:build_seconds={:.1f} passes it in 95%",
                         printable(key.scenario), std::floor(flag_at * 1000) / 10);
  }
  progress_.message(fmt::format(
      "buildbench: --detect {:g}%: {}: compare also needs the estimate beyond its threshold "
      "(5% for times), which a {:g}% change passes in about {:.0f}% of sessions{}{}",
      options_.detect * 100, where, options_.detect * 100, passes * 100, advice.empty() ? "" : "; ",
      advice));
}

std::vector<AbRunner::PairTask> AbRunner::next_round(int round) const {
  // Scenario-major as in `run`: a scenario's states back to back, cold first, so warm states
  // prime on the cache its cold pair just filled. Scenarios rotate by round.
  bool warmup = round <= options_.run.warmup;
  auto states =
      in_protocol_order(options_.run.states.empty() ? all_cache_states() : options_.run.states);
  std::vector<const Group*> order;
  for (const auto& group : groups_) order.push_back(&group);
  if (!order.empty()) {
    std::rotate(order.begin(), order.begin() + (round - 1) % order.size(), order.end());
  }
  std::vector<PairTask> tasks;
  for (const Group* group : order) {
    for (auto state : states) {
      if (std::find(group->states.begin(), group->states.end(), state) == group->states.end())
        continue;
      if (warmup) {
        tasks.push_back({group, SampleKind::kBuild, to_string(state), round, true});
        continue;
      }
      GroupTally::Key key{group->baseline->name, SampleKind::kBuild, to_string(state)};
      int attempts = tally_.attempts(key);
      if (attempts < target_pairs(key))
        tasks.push_back({group, SampleKind::kBuild, to_string(state), attempts + 1, false});
    }
  }
  return tasks;
}

// The start-up modes both sides name (as-built at least): the scenarios' own lists, since an
// A/B session does not run the Python detection that `run` does.
std::vector<StartupMode> AbRunner::common_modes(const Group& group) {
  std::vector<StartupMode> modes;
  for (const auto& mode : group.baseline->startup_modes) {
    for (const auto& other : group.candidate->startup_modes) {
      if (other.name == mode.name) modes.push_back(mode);
    }
  }
  return modes;
}

std::vector<AbRunner::PairTask> AbRunner::next_startup_round(int round) const {
  std::vector<const Group*> order;
  for (const auto& group : groups_) {
    if (group.baseline->probe.defined() && group.candidate->probe.defined())
      order.push_back(&group);
  }
  if (!order.empty()) {
    std::rotate(order.begin(), order.begin() + (round - 1) % order.size(), order.end());
  }
  std::vector<PairTask> tasks;
  for (const Group* group : order) {
    // Modes rotate which goes first, as in `run`.
    auto modes = common_modes(*group);
    std::rotate(modes.begin(), modes.begin() + (round - 1) % modes.size(), modes.end());
    for (const auto& mode : modes) {
      GroupTally::Key key{group->baseline->name, SampleKind::kStartup, mode.name};
      int attempts = tally_.attempts(key);
      if (attempts < target_pairs(key))
        tasks.push_back({group, SampleKind::kStartup, mode.name, attempts + 1, false});
    }
  }
  return tasks;
}

Sample AbRunner::measure(const PairTask& task, Side& side) {
  const Scenario& scenario = side.scenario(*task.group);
  try {
    if (task.kind == SampleKind::kBuild) {
      Task build{&scenario, *parse_cache_state(task.state), task.repetition, task.warmup};
      const auto& copy = side.copies.at(scenario.name);
      return runner_.measure_build(build, copy.context, copy.dockerfile,
                                   build_args_for(scenario, side.index), side.options);
    }
    auto image = side.last_image.find(scenario.name);
    if (image == side.last_image.end()) {
      return unmeasured(scenario.name, SampleKind::kStartup, task.state, task.repetition, false,
                        SampleStatus::kFailed,
                        "no image to start: every build of this scenario in the run failed");
    }
    for (const auto& mode : common_modes(*task.group)) {
      if (mode.name != task.state) continue;
      bool python = std::any_of(scenario.startup_modes.begin(), scenario.startup_modes.end(),
                                [](const StartupMode& m) { return m.python; });
      return side.startup->measure(scenario, image->second, mode, python, task.repetition,
                                   side.options.startup_timeout);
    }
    return unmeasured(scenario.name, SampleKind::kStartup, task.state, task.repetition, false,
                      SampleStatus::kFailed, "start-up mode not named by both sides");
  } catch (const Interrupted&) {
    return unmeasured(scenario.name, task.kind, task.state, task.repetition, task.warmup,
                      SampleStatus::kInterrupted, "interrupted before the measurement finished");
  }
}

std::int64_t AbRunner::keep(Side& side, Sample& sample) {
  if (sample.status == SampleStatus::kInterrupted) {
    store_.add_sample(side.run_id, sample);
    throw Interrupted();
  }
  bool gone = sample.status != SampleStatus::kOk && !engine_.ping();
  if (gone) sample.error = "the Docker daemon stopped answering: " + sample.error;
  std::int64_t id = store_.add_sample(side.run_id, sample);
  if (gone) throw DaemonGone{};
  if (sample.kind == SampleKind::kBuild && sample.status == SampleStatus::kOk &&
      !sample.image_id.empty())
    side.last_image[sample.scenario] = sample.image_id;
  progress_.done(sample, side.name);
  return id;
}

void AbRunner::run_pair(const PairTask& task, Side& baseline, Side& candidate) {
  interrupt::throw_if_requested();
  const std::string& name = task.group->baseline->name;
  GroupTally::Key key{name, task.kind, task.warmup ? task.state + " (warm-up)" : task.state};
  bool baseline_first = orderer_->baseline_first(key);
  Side& first = baseline_first ? baseline : candidate;
  Side& second = baseline_first ? candidate : baseline;
  std::string what = fmt::format("{} {} {} pair #{}{}", printable(name),
                                 task.kind == SampleKind::kBuild ? "build" : "start-up", task.state,
                                 task.repetition, task.warmup ? " (warm-up)" : "");
  progress_.task(fmt::format("{} ({} first): {}", what, first.name, first.name));
  Sample first_sample = measure(task, first);
  std::int64_t first_id = keep(first, first_sample);
  in_flight_ = work_kind(task.kind, task.state);
  tell_progress();
  progress_.task(fmt::format("{} ({} first): {}", what, first.name, second.name));
  Sample second_sample = measure(task, second);
  std::int64_t second_id = keep(second, second_sample);
  in_flight_.clear();
  store_.add_pair({ab_id_, baseline_first ? first_id : second_id,
                   baseline_first ? second_id : first_id,
                   baseline_first ? "baseline" : "candidate"});
  ++pairs_;
  if (task.warmup) return;
  const Sample& base = baseline_first ? first_sample : second_sample;
  const Sample& cand = baseline_first ? second_sample : first_sample;
  auto b = figure_of(base), c = figure_of(cand);
  tally_.add(key, b && c, b && c ? std::log(*c / *b) : 0);
  if (options_.detect > 0 && task.kind == SampleKind::kBuild && !decided_.count(key) &&
      tally_.attempts(key) >= options_.pilot_pairs) {
    decide_pairs(key);
  }
  tell_progress();
}

void AbRunner::tell_progress() const {
  std::map<std::string, int> remaining;
  for (const auto& group : groups_) {
    for (auto state : group.states) {
      GroupTally::Key key{group.baseline->name, SampleKind::kBuild, to_string(state)};
      int more = std::max(0, target_pairs(key) - tally_.attempts(key));
      remaining[work_kind(SampleKind::kBuild, to_string(state))] += 2 * more;
    }
    if (!group.baseline->probe.defined() || !group.candidate->probe.defined()) continue;
    for (const auto& mode : common_modes(group)) {
      GroupTally::Key key{group.baseline->name, SampleKind::kStartup, mode.name};
      remaining["startup"] += 2 * std::max(0, target_pairs(key) - tally_.attempts(key));
    }
  }
  // The pair in flight has one sample stored already.
  if (!in_flight_.empty() && remaining[in_flight_] > 0) --remaining[in_flight_];
  progress_.expect(remaining);
}

void AbRunner::run_rounds(Side& baseline, Side& candidate) {
  for (int round = 1;; ++round) {
    auto tasks = next_round(round);
    if (tasks.empty() && round > options_.run.warmup) break;
    for (const auto& task : tasks) run_pair(task, baseline, candidate);
  }
  if (options_.run.startup_runs <= 0) return;
  for (int round = 1;; ++round) {
    auto tasks = next_startup_round(round);
    if (tasks.empty()) break;
    for (const auto& task : tasks) run_pair(task, baseline, candidate);
  }
}

void AbRunner::prepare(Side& side, const fs::path& scratch) {
  fs::path folder = scratch / side.name;
  fs::create_directories(folder);
  int position = 0;
  for (const auto& group : groups_) {
    const Scenario& scenario = side.scenario(group);
    side.copies[scenario.name] = copy_scenario(scenario, folder / std::to_string(position++));
  }
  write_startup_tools(folder / "startup-tools");
  side.startup = std::make_unique<StartupMeasurer>(
      engine_, folder / "startup-tools",
      fmt::format("buildbench-ab{}-{}-{}", ab_id_, side.name, getpid()));
}

std::unique_ptr<PackageIndexServer> AbRunner::serve_index(Side& baseline, Side& candidate) {
  const auto& base = baseline.suite->index;
  const auto& cand = candidate.suite->index;
  if (!base && !cand) return nullptr;
  if (base && cand && fs::weakly_canonical(*base) != fs::weakly_canonical(*cand)) {
    throw UsageError(fmt::format(
        "the two sides name different package indexes ({} and {}); ab serves one for both: "
        "point both suites at the same index folder",
        base->string(), cand->string()));
  }
  const Suite& suite = base ? *baseline.suite : *candidate.suite;
  auto index = std::make_unique<PackageIndexServer>(*suite.index, suite.index_port);
  progress_.message(fmt::format("buildbench: serving the package index {} at {}",
                                suite.index->string(), index->url()));
  if (base) baseline.index = index.get();
  if (cand) candidate.index = index.get();
  return index;
}

void AbRunner::finish(const Side& baseline, const Side& candidate, const std::string& status) {
  progress_.end();
  store_.finish_run(baseline.run_id, status);
  store_.finish_run(candidate.run_id, status);
}

AbResult AbRunner::run(const Suite& baseline, const Suite& candidate, const AbOptions& options) {
  options_ = options;
  groups_ = common_groups(baseline, candidate, options);
  if (groups_.empty()) {
    throw UsageError(
        "nothing to run: no selected scenario is on both sides with a --state both support");
  }
  if (!options_.seed) options_.seed = std::random_device{}();
  orderer_.emplace(options_.order, *options_.seed);
  tally_ = {};
  decided_.clear();
  pairs_ = 0;
  ab_id_ = new_ab_id();
  Side base, cand;
  base.name = "baseline";
  base.suite = &baseline;
  cand.name = "candidate";
  cand.suite = &candidate;
  begin(base, cand, options_);
  ScratchFolder scratch(fs::temp_directory_path() /
                        fmt::format("buildbench-ab-{}-{}", ab_id_, getpid()));
  try {
    prepare(base, scratch.path());
    prepare(cand, scratch.path());
    auto index = serve_index(base, cand);
    progress_.message(fmt::format(
        "buildbench: A/B session {}: baseline run {}, candidate run {}; pairs in {} order "
        "(seed {})",
        ab_id_, base.run_id, cand.run_id, to_string(options_.order), *options_.seed));
    progress_.begin();
    tell_progress();
    run_rounds(base, cand);
  } catch (const Interrupted&) {
    finish(base, cand, "interrupted");
    throw;
  } catch (const DaemonGone&) {
    finish(base, cand, "failed");
    throw EnvironmentError(fmt::format(
        "the Docker daemon stopped answering during A/B session {} (runs {} and {}); the sample "
        "in flight is stored as failed and every earlier sample is kept. Restart the daemon "
        "(scripts/lab-dockerd) and run 'buildbench ab' again",
        ab_id_, base.run_id, cand.run_id));
  } catch (...) {
    finish(base, cand, "failed");
    throw;
  }
  finish(base, cand, "complete");
  return {ab_id_, base.run_id, cand.run_id, pairs_};
}

}  // namespace bb
