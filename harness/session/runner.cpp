#include "session/runner.hpp"

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "model/metrics.hpp"
#include "session/describe.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

std::vector<const Scenario*> scenarios_of(const std::vector<Unit>& units) {
  std::vector<const Scenario*> scenarios;
  for (const auto& unit : units)
    for (const auto& leg : unit.legs) scenarios.push_back(leg.scenario);
  return scenarios;
}

}  // namespace

Runner::Runner(DockerEngine& engine, Store& store, Progress& progress)
    : engine_(engine), store_(store), progress_(progress), session_(engine, store, progress) {}

void Runner::use_pull_engine(DockerEngine* engine) {
  pull_engine_ = engine;
  session_.use_pull_engine(engine);
}

namespace {

// A run resumes with the design it was started with: one recorded before its claims were
// measured as pairs keeps measuring them apart.
bool claims_paired(Store& store, const RunOptions& options) {
  if (!options.resume) return true;
  auto run = store.run(*options.resume);
  return run && run->options.is_object() && run->options.contains("claim_pairs");
}

}  // namespace

std::int64_t Runner::run(const Suite& suite, const RunOptions& options) {
  auto units =
      claims_paired(store_, options) ? run_units(suite, options) : single_units(suite, options);
  if (!options.resume && claim_max_pairs(options) < stats::kFirstLookPairs &&
      std::any_of(suite.claims.begin(), suite.claims.end(),
                  [](const Claim& c) { return c.metric == kBuildSeconds; })) {
    progress_.message(fmt::format(
        "buildbench: claims measured unpaired: {} pairs could never reach p < 0.05; with {} or "
        "more (--runs, or --claim-max-runs) their two scenarios are built as pairs",
        claim_max_pairs(options), stats::kFirstLookPairs));
  }
  if (units.empty()) {
    throw UsageError("nothing to run: no selected scenario supports the selected --state");
  }
  check_session(engine_, pull_engine_ != nullptr, options, scenarios_of(units));
  session_.begin();
  Plan plan(std::move(units), options, claimed_groups(suite));
  std::vector<Side> sides(1);
  sides[0].suite = &suite;
  sides[0].options = options;
  std::optional<PairDesign> claim_pairs;
  sides[0].run_id = begin(suite, options, sides[0], plan, claim_pairs);
  learn_from_last_run(suite, sides[0].run_id, plan);
  session_.run(sides, plan, claim_pairs, fmt::format("run{}", sides[0].run_id));
  return sides[0].run_id;
}

namespace {

bool has_claim_units(const Plan& plan) {
  const auto& units = plan.units();
  return std::any_of(units.begin(), units.end(), [](const Unit& u) { return !u.claim.empty(); });
}

// The claims' pairs keep one id and seed over a resume: those the run recorded.
std::optional<PairDesign> claim_pair_design(const Plan& plan, const nlohmann::json& stored) {
  if (!has_claim_units(plan)) return std::nullopt;
  PairDesign design{random_hex(12), PairOrder::kAbba, std::random_device{}()};
  if (stored.is_object() && stored.contains("pairs_id")) {
    design.ab_id = stored.value("pairs_id", design.ab_id);
    design.seed = stored.value("seed", design.seed);
  }
  return design;
}

}  // namespace

std::int64_t Runner::begin(const Suite& suite, const RunOptions& options, Side& side, Plan& plan,
                           std::optional<PairDesign>& claim_pairs) {
  if (!options.resume) {
    RunRecord record = describe_run(engine_, progress_, suite, options);
    claim_pairs = claim_pair_design(plan, nullptr);
    if (claim_pairs)
      record.options["claim_pairs"] = plan.claim_record(claim_pairs->ab_id, claim_pairs->seed);
    std::int64_t run_id = store_.begin_run(record);
    int position = 0;
    for (const auto& scenario : suite.scenarios)
      store_.add_scenario(run_id, scenario.name, position++, describe_scenario(scenario));
    return run_id;
  }
  std::int64_t run_id = *options.resume;
  auto existing = store_.run(run_id);
  if (!existing) throw UsageError(fmt::format("--resume {}: no such run", run_id));
  if (existing->suite_name != suite.name) {
    throw UsageError(
        fmt::format("--resume {}: that run measured suite '{}', not '{}'; pass its --suite", run_id,
                    existing->suite_name, suite.name));
  }
  if (existing->status == "complete") {
    throw UsageError(fmt::format("--resume {}: the run is already complete", run_id));
  }
  store_.reopen_run(run_id);
  auto stored = store_.samples({run_id}, false);
  for (const auto& entry : stored) session_.seed(entry.sample, side, plan);
  session_.seed_pairs(stored, store_.pairs({run_id}, {run_id}), plan);
  claim_pairs = claim_pair_design(
      plan, existing->options.is_object() ? existing->options.value("claim_pairs", nlohmann::json())
                                          : nlohmann::json());
  progress_.message(fmt::format("buildbench: resuming run {} ({} samples already stored)", run_id,
                                stored.size()));
  return run_id;
}

void Runner::learn_from_last_run(const Suite& suite, std::int64_t this_run, Plan& plan) {
  std::optional<RunRecord> last;
  for (const auto& run : store_.runs()) {
    if (run.suite_name == suite.name && run.status == "complete" && run.id != this_run) last = run;
  }
  if (!last) return;
  auto samples = store_.samples({last->id}, false);
  progress_.prior(mean_task_seconds(samples));
  for (const auto& stored : samples) {
    const Sample& s = stored.sample;
    if (!s.warmup) plan.prior(GroupKey::of(s));
  }
}

AbRunner::AbRunner(DockerEngine& engine, Store& store, Progress& progress)
    : engine_(engine), store_(store), progress_(progress), session_(engine, store, progress) {}

void AbRunner::use_pull_engine(DockerEngine* engine) {
  pull_engine_ = engine;
  session_.use_pull_engine(engine);
}

AbResult AbRunner::run(const Suite& baseline, const Suite& candidate, const AbOptions& options) {
  std::vector<std::string> one_sided;
  auto units = paired_units(baseline, candidate, options.run, one_sided);
  for (const auto& name : one_sided) {
    progress_.message(fmt::format("buildbench: scenario '{}' is only in the {}; not measured",
                                  printable(name), baseline.find(name) ? "baseline" : "candidate"));
  }
  if (units.empty()) {
    throw UsageError(
        "nothing to run: no selected scenario is on both sides with a --state both support");
  }
  check_session(engine_, pull_engine_ != nullptr, options.run, scenarios_of(units));
  shared_index({&baseline, &candidate});
  PairDesign design{
      random_hex(12), options.order,     options.seed.value_or(std::random_device{}()),
      options.detect, options.max_pairs, options.pilot_pairs};
  session_.begin();
  Plan plan(std::move(units), options.run, {});
  plan.use_pair_targets(options.detect > 0 ? std::optional(options.pilot_pairs) : std::nullopt);
  std::vector<Side> sides(2);
  sides[0].name = "baseline";
  sides[0].suite = &baseline;
  sides[1].name = "candidate";
  sides[1].suite = &candidate;
  begin(sides, plan, options, design);
  session_.run(sides, plan, design, "ab-" + design.ab_id);
  return {design.ab_id, sides[0].run_id, sides[1].run_id, session_.pairs()};
}

void AbRunner::begin(std::vector<Side>& sides, const Plan& plan, const AbOptions& options,
                     const PairDesign& design) {
  progress_.message("buildbench: collecting the host and tool fingerprint");
  nlohmann::json host = engine_.fingerprint();  // once: both sides run on the same host
  for (std::size_t i = 0; i < sides.size(); ++i) {
    Side& side = sides[i];
    side.options = options.run;
    side.options.labels["ab"] = design.ab_id;
    side.options.labels["side"] = side.name;
    const std::string& revision = i == 0 ? options.baseline_revision : options.candidate_revision;
    if (!revision.empty()) side.options.labels["rev"] = revision;
    for (const auto& [key, value] : i == 0 ? options.baseline_labels : options.candidate_labels)
      side.options.labels[key] = value;
    if (i == 1) side.options.image_variant = "candidate";
    RunRecord record = describe_run(engine_, progress_, *side.suite, side.options, &host);
    record.options["ab"] = {{"id", design.ab_id},
                            {"side", side.name},
                            {"order", to_string(design.order)},
                            {"seed", design.seed},
                            {"detect", design.detect},
                            {"max_pairs", design.max_pairs},
                            {"pilot_pairs", design.pilot_pairs}};
    side.run_id = store_.begin_run(record);
    int position = 0;
    for (const auto& unit : plan.units()) {
      const Scenario& scenario = *unit.legs[i].scenario;
      store_.add_scenario(side.run_id, scenario.name, position++, describe_scenario(scenario));
    }
  }
}

}  // namespace bb
