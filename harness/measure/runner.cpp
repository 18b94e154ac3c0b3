#include "measure/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "docker/rawjson.hpp"
#include "measure/ci_cache.hpp"
#include "measure/package_index.hpp"
#include "measure/run_network.hpp"
#include "measure/state_contract.hpp"
#include "model/metrics.hpp"
#include "stats/summary.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/process.hpp"
#include "util/scratch_folder.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

std::vector<Task> plan_tasks(const Suite& suite, const RunOptions& options) {
  std::vector<const Scenario*> selected;
  if (options.scenarios.empty()) {
    for (const auto& scenario : suite.scenarios) selected.push_back(&scenario);
  } else {
    for (const auto& name : options.scenarios) {
      const Scenario* scenario = suite.find(name);
      if (!scenario) {
        throw UsageError(fmt::format("--scenario '{}': no such scenario in {}{}", printable(name),
                                     suite.manifest.string(),
                                     did_you_mean_suffix(name, suite.names())));
      }
      selected.push_back(scenario);
    }
  }
  auto states = in_protocol_order(options.states.empty() ? all_cache_states() : options.states);
  std::vector<Task> tasks;
  int total = options.warmup + options.runs;
  // The fixed design in the order run_builds runs it: scenario-major, rotated per repetition.
  for (int repetition = 1; repetition <= total; ++repetition) {
    auto order = selected;
    if (!order.empty()) {
      std::rotate(order.begin(), order.begin() + (repetition - 1) % order.size(), order.end());
    }
    for (auto* scenario : order) {
      for (auto state : states) {
        if (!scenario->supports(state)) continue;
        bool warmup = repetition <= options.warmup;
        tasks.push_back(
            {scenario, state, warmup ? repetition : repetition - options.warmup, warmup});
      }
    }
  }
  return tasks;
}

std::vector<ScenarioModes> startup_scenarios(const std::vector<Task>& builds) {
  std::vector<ScenarioModes> scenarios;
  for (const auto& task : builds) {
    const Scenario* scenario = task.scenario;
    if (!scenario->probe.defined() ||
        std::any_of(scenarios.begin(), scenarios.end(),
                    [&](const ScenarioModes& s) { return s.scenario == scenario; })) {
      continue;
    }
    bool python = std::any_of(scenario->startup_modes.begin(), scenario->startup_modes.end(),
                              [](const StartupMode& mode) { return mode.python; });
    scenarios.push_back({scenario, scenario->startup_modes, python});
  }
  return scenarios;
}

std::string image_tag(const Scenario& scenario, std::string_view variant) {
  // Names are free text; the tag is derived, never interpreted, and the same with every
  // toolchain (std::hash is not).
  return fmt::format("buildbench/{}-{:08x}{}:latest", tag_safe(scenario.name),
                     fnv1a64(scenario.name) & 0xffffffff,
                     variant.empty() ? "" : "-" + tag_safe(std::string(variant)));
}

Runner::Runner(DockerEngine& engine, Store& store, Progress& progress)
    : engine_(engine), store_(store), progress_(progress), edits_(make_edit_nonce()) {}

namespace {
// Whose images a group's are: an A/B's candidate (its own image variant) builds other images
// of the same scenario, with other steps.
std::string owner_of(const std::string& scenario, const RunOptions& options) {
  return options.image_variant.empty() ? scenario : scenario + "@" + options.image_variant;
}

// Whether a new image in this state gets layer statistics: the cold one, or each state's
// when the run builds no cold image (every scenario supports cold: the run's states decide).
bool wants_layers(const std::string& state, const RunOptions& options) {
  if (state == to_string(CacheState::kCold)) return true;
  return !options.states.empty() && std::find(options.states.begin(), options.states.end(),
                                              CacheState::kCold) == options.states.end();
}
}  // namespace

bool Runner::record_image(Sample& sample, const RunOptions& options) {
  if (!options.image_stats || sample.image_id.empty()) return false;
  std::optional<ImageRecord> image = store_.image(sample.image_id);
  // docker save and gzip cost seconds per image and an edit changes a few bytes: layer
  // statistics are taken once per scenario, from its cold image when the run builds one
  // (the page reads sizes there), else once per state; other new images get their size only.
  bool measured =
      !wants_layers(sample.state, options) ||
      !layers_measured_.insert({owner_of(sample.scenario, options), sample.state}).second;
  if (!image && measured) {
    auto info = engine_.inspect_image(sample.image_id);
    if (info) sample.set(kImageBytes, static_cast<double>(info->size_bytes));
    return false;
  }
  bool saved = !image;
  if (!image) {
    progress_.detail("measuring image layers (docker save, gzip)");
    ImageRecord record;
    record.image_id = sample.image_id;
    auto info = engine_.inspect_image(sample.image_id);
    record.size_bytes = info ? info->size_bytes : 0;
    record.layers = engine_.layer_stats(sample.image_id);
    for (const auto& layer : record.layers) {
      record.compressed_bytes += layer.compressed_bytes;
      record.pyc_count += layer.pyc_count;
      record.pyc_bytes += layer.pyc_bytes;
    }
    store_.add_image(record);
    image = record;
  }
  sample.set(kImageBytes, static_cast<double>(image->size_bytes));
  sample.set(kImageCompressedBytes, static_cast<double>(image->compressed_bytes));
  sample.set(kPycCount, static_cast<double>(image->pyc_count));
  sample.set(kPycBytes, static_cast<double>(image->pyc_bytes));
  return saved;
}

Sample Runner::measure_build(const Task& task, const fs::path& scratch_context,
                             const fs::path& dockerfile,
                             const std::map<std::string, std::string>& build_args,
                             const RunOptions& options) {
  const Scenario& scenario = *task.scenario;
  Sample sample;
  sample.scenario = scenario.name;
  sample.kind = SampleKind::kBuild;
  sample.state = to_string(task.state);
  sample.repetition = task.repetition;
  sample.warmup = task.warmup;

  BuildRequest request;
  request.context = scratch_context;
  request.dockerfile = dockerfile;
  request.target = scenario.target;
  request.tag = image_tag(scenario, options.image_variant);
  // Builds are hermetic unless the manifest asks: "default" passes no --network at all.
  request.network = scenario.network.empty()        ? "none"
                    : scenario.network == "default" ? ""
                                                    : scenario.network;
  request.build_args = build_args;
  request.secrets = options.secrets;
  request.timeout = options.build_timeout;
  request.on_progress = [this](const RawJsonParser& parser) {
    progress_.detail(parser.current_step());
  };

  // Bring the cache into the state under test. Warm states rebuild the current
  // content first (unmeasured), so the state does not depend on what ran before.
  if (task.state == CacheState::kCold) {
    progress_.detail("pruning build cache");
    engine_.prune_build_cache();
    ++prunes_;
    engine_.remove_image(request.tag);
    images_.erase(request.tag);
  } else if (is_ci_cache_state(task.state)) {
    if (!prepare_ci_state(task, request, scratch_context, sample)) return sample;
  } else {
    const FileEdit* edit = task.state == CacheState::kWarmCode   ? &*scenario.code_edit
                           : task.state == CacheState::kWarmDeps ? &*scenario.deps_edit
                                                                 : nullptr;
    std::pair<std::string, std::string> swap_key{scenario.name, sample.state};
    if (edit && edit->is_swap()) {
      // A swap alternates two contents: twice in one cache lifetime, the content it swaps to
      // is cached already (a multi-stage export makes the same output of it whatever the
      // edit's token) and the sample would time a cache hit. Empty the builder first, as
      // another scenario's cold build between two visits does.
      // Not swapped yet in this run: the builder may hold both sides from before it, unless
      // it was emptied since the run began.
      auto last = swapped_at_.find(swap_key);
      bool other_side_cached =
          last == swapped_at_.end() ? prunes_ == run_start_prunes_ : last->second == prunes_;
      if (other_side_cached) {
        progress_.detail("pruning build cache (a swap edit's other side is cached)");
        engine_.prune_build_cache();
        ++prunes_;
      }
      swapped_at_[swap_key] = prunes_;
    }
    progress_.detail("priming build (not measured)");
    // The tag may name an image from an earlier run: the prime moves it, and it is ours to
    // remove like any other superseded one.
    if (!images_.count(request.tag))
      if (auto before = engine_.inspect_image(request.tag)) images_[request.tag] = before->id;
    auto prime = engine_.build(request);
    if (prime.interrupted) throw Interrupted();
    if (!prime.ok) {
      sample.status = SampleStatus::kFailed;
      sample.error = "priming build before the measured one failed: " + prime.error;
      sample.started_at = iso8601_utc(std::chrono::system_clock::now());
      return sample;
    }
    replace_image(request.tag, prime.image_id);
    if (task.state == CacheState::kWarmCode) edits_.apply(*scenario.code_edit, scratch_context);
    if (task.state == CacheState::kWarmDeps) edits_.apply(*scenario.deps_edit, scratch_context);
  }

  sample.started_at = iso8601_utc(std::chrono::system_clock::now());
  BuildOutcome outcome = engine_.build(request);
  if (outcome.interrupted) {
    sample.status = SampleStatus::kInterrupted;
    sample.error = outcome.error;
    return sample;
  }
  sample.steps = outcome.steps;
  sample.image_id = outcome.image_id;
  sample.set(kBuildSeconds, outcome.seconds);
  for (const auto& [name, value] : outcome.metrics) sample.set(name, value);
  int cached = 0, total = 0;
  for (const auto& step : outcome.steps) {
    if (!step.is_instruction()) continue;
    ++total;
    if (step.cached) ++cached;
  }
  sample.set(kStepsCached, cached);
  sample.set(kStepsTotal, total);
  // Builders other than the docker driver hand the image over (--load): reported apart.
  double load = 0;
  bool loaded = false;
  for (const auto& step : outcome.steps) {
    if (step.name.find("sending tarball") != std::string::npos ||
        step.name.rfind("importing to docker", 0) == 0 ||
        step.name.rfind("loading layer", 0) == 0) {
      load += step.seconds();
      loaded = true;
    }
  }
  if (loaded) sample.set(kLoadSeconds, load);
  if (reports_cache_export(outcome.steps))
    sample.set(kCacheExportSeconds, cache_export_seconds(outcome.steps));
  if (reports_cache_import(outcome.steps))
    sample.set(kCacheImportSeconds, cache_import_seconds(outcome.steps));
  if (!outcome.ok) {
    sample.status = SampleStatus::kFailed;
    sample.error = outcome.error;
    return sample;
  }
  std::vector<std::string> edited;
  if (task.state == CacheState::kWarmCode || is_ci_cache_state(task.state))
    edited = edited_files(*scenario.code_edit);
  if (task.state == CacheState::kWarmDeps) edited = edited_files(*scenario.deps_edit);
  if (auto broken = contract_violation(task.state, edited, outcome.steps); !broken.empty()) {
    // Not a measurement of its state: the numbers stay with it for diagnosis only.
    sample.status = SampleStatus::kFailed;
    sample.error = broken;
    return sample;
  }
  if (!task.warmup &&
      (task.state == CacheState::kWarmCode || task.state == CacheState::kWarmDeps)) {
    // The same edit of the same Dockerfile reruns the same steps: more of them from cache
    // than in the group's other samples means an earlier build of the same content served
    // part of this rebuild (what a multi-stage export of a swapped-back file does).
    std::pair<std::string, std::string> key{owner_of(scenario.name, options), sample.state};
    auto fewest = cached_steps_.find(key);
    if (fewest != cached_steps_.end() && cached > fewest->second) {
      sample.status = SampleStatus::kFailed;
      sample.error = fmt::format(
          "{} step(s) from cache, {} in this group's other samples: part of the rebuild was "
          "served by an earlier build of the same content, so it did not measure {}",
          cached, fewest->second, sample.state);
      return sample;
    }
    if (fewest == cached_steps_.end() || cached < fewest->second) cached_steps_[key] = cached;
  }
  auto timed = [this](const char* kind, auto&& work) {
    auto start = std::chrono::steady_clock::now();
    bool did = work();
    if (did)
      one_off_[kind] =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  timed(kImageLayersWork, [&] { return record_image(sample, options); });
  timed(kRegistryWork, [&] { return record_registry(task, sample); });
  replace_image(request.tag, sample.image_id);
  remove_superseded();
  return sample;
}

void Runner::replace_image(const std::string& tag, const std::string& image_id) {
  // Each edited rebuild moves the tag to a new image and leaves the old one dangling: a
  // nightly job would pile up thousands (1108 on the lab engine after two days). They cost
  // disk, not time: builds measured the same before and after removing them.
  if (image_id.empty()) return;
  auto [it, added] = images_.try_emplace(tag, image_id);
  if (added || it->second == image_id) return;
  superseded_.push_back(it->second);
  it->second = image_id;
}

void Runner::remove_superseded() {
  // After the measured build: the daemon's clean-up must not overlap a measurement.
  for (const auto& id : superseded_) engine_.remove_if_unused(id);
  superseded_.clear();
}

namespace {

std::string git_output(const fs::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {"git", "-C", dir.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions options;
  options.argv = argv;
  options.timeout = std::chrono::seconds(30);
  try {
    auto result = run_process(options);
    return result.ok() ? std::string(trim(result.out)) : "";
  } catch (const EnvironmentError&) {
    return "";  // no git: the run simply records no commit
  }
}

}  // namespace

nlohmann::json describe_scenario(const Scenario& scenario) {
  nlohmann::json json;
  json["name"] = scenario.name;
  json["description"] = scenario.description;
  json["differs"] = scenario.differs;
  json["manifest"] = scenario.manifest.string();
  json["context"] = scenario.context.string();
  json["dockerfile"] = scenario.dockerfile.string();
  json["target"] = scenario.target;
  json["network"] = scenario.network;
  // Build-arg names only: values may be secrets.
  nlohmann::json args = nlohmann::json::array();
  for (const auto& [key, value] : scenario.build_args) args.push_back(key);
  json["build_arg_names"] = args;
  return json;
}

namespace {
// Carries the failed sample out of the loop when the daemon is gone.
struct DaemonGone {
  Sample sample;
};
}  // namespace

void Runner::check_daemon(Sample& sample) {
  if (engine_.ping()) return;
  sample.error = "the Docker daemon stopped answering: " + sample.error;
  throw DaemonGone{sample};
}

RunOptions Runner::resumed_options(const RunRecord& run, const RunOptions& given) {
  const RunOptions defaults;
  RunOptions options;
  const auto& o = run.options;
  options.runs = o.value("runs", defaults.runs);
  options.warmup = o.value("warmup", defaults.warmup);
  options.startup_runs = o.value("startup_runs", defaults.startup_runs);
  options.image_stats = o.value("image_stats", defaults.image_stats);
  options.build_precision = o.value("build_precision", defaults.build_precision);
  options.startup_precision = o.value("startup_precision", defaults.startup_precision);
  options.build_precision_floor = o.value("build_precision_floor", defaults.build_precision_floor);
  // A run recorded before the t stand-in resumes under the rule that stopped its groups.
  options.student_t = o.contains("stand_in");
  options.min_runs = o.value("min_runs", defaults.min_runs);
  options.max_runs = o.value("max_runs", defaults.max_runs);
  options.claim_precision = o.value("claim_precision", defaults.claim_precision);
  options.claim_max_runs = o.value("claim_max_runs", defaults.claim_max_runs);
  options.secrets = given.secrets;  // never stored: the resuming command passes them again
  options.scenarios = o.value("scenarios", std::vector<std::string>{});
  for (const auto& name : o.value("states", std::vector<std::string>{})) {
    if (auto state = parse_cache_state(name)) options.states.push_back(*state);
  }
  options.build_timeout = std::chrono::milliseconds(
      o.value("build_timeout_ms", static_cast<long long>(defaults.build_timeout.count())));
  if (o.contains("startup_timeout_ms")) {
    options.startup_timeout = std::chrono::milliseconds(o["startup_timeout_ms"].get<long long>());
  }
  options.registry = o.value("registry", given.registry);
  options.pull_engine = o.value("pull_engine", given.pull_engine);
  // Runs before --pull-onto pulled into an empty engine.
  options.pull_onto = o.value("pull_onto", std::string("empty"));
  options.network_profile = o.value("network_profile", given.network_profile);
  options.labels = run.labels;
  options.command = run.command;
  options.resume = run.id;
  return options;
}

BaseImages base_images_of(const Scenario& scenario) {
  std::ifstream in(scenario.dockerfile);
  std::stringstream text;
  text << in.rdbuf();
  return read_base_images(text.str(), scenario.build_args);
}

nlohmann::json Runner::base_image_facts(const Suite& suite) {
  // Stand-ins carry a label.
  nlohmann::json facts = nlohmann::json::object();
  for (const auto& scenario : suite.scenarios) {
    for (const auto& ref : base_images_of(scenario).all) {
      if (facts.contains(ref)) continue;
      auto info = engine_.inspect_image(ref);
      nlohmann::json fact;
      fact["present"] = info.has_value();
      if (info) {
        fact["id"] = info->id;
        auto label = info->labels.find("org.buildbench.stand-in");
        fact["stand_in"] = label != info->labels.end() && label->second == "true";
        if (fact["stand_in"]) {
          fact["stand_in_source"] = info->labels["org.buildbench.stand-in.source"];
          fact["stand_in_recipe"] = info->labels["org.buildbench.stand-in.recipe"];
        }
      }
      facts[ref] = fact;
    }
  }
  return facts;
}

Sample unmeasured(const std::string& scenario, SampleKind kind, const std::string& state,
                  int repetition, bool warmup, SampleStatus status, const std::string& error) {
  Sample sample;
  sample.scenario = scenario;
  sample.kind = kind;
  sample.state = state;
  sample.repetition = repetition;
  sample.warmup = warmup;
  sample.status = status;
  sample.error = error;
  sample.started_at = iso8601_utc(std::chrono::system_clock::now());
  return sample;
}

namespace {

// warm-nochange, warm-code, warm-deps: primed from the cache the scenario's last build left.
bool is_local_warm_state(CacheState state) {
  return state != CacheState::kCold && !is_ci_cache_state(state);
}

GroupTally::Key key_of(const Sample& s) {
  return {s.scenario, s.kind, s.state};
}

}  // namespace

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

GroupTarget Runner::target_for(const RunPlan& plan, const GroupTally::Key& key) const {
  return group_target(plan.options, key, plan.claimed.count(key) > 0);
}

std::set<GroupTally::Key> claimed_groups(const Suite& suite) {
  // Groups a claim compares on a time metric need enough samples to be decidable.
  std::set<GroupTally::Key> groups;
  for (const auto& key : timed_claim_groups(suite.claims)) groups.insert(key);
  return groups;
}

void Runner::tell_progress(const RunPlan& plan) {
  std::vector<GroupWork> groups;
  auto add = [&](const GroupTally::Key& key, const std::string& kind) {
    groups.push_back({key, kind, target_for(plan, key), prior_.count(key) ? prior_.at(key) : -1});
  };
  for (const auto& [scenario, states] : plan.build_groups) {
    for (auto state : states)
      add({scenario->name, SampleKind::kBuild, to_string(state)},
          work_kind(SampleKind::kBuild, to_string(state)));
  }
  for (const auto& entry : plan.startup_scenarios) {
    auto modes = entry.modes;
    // Until the probe has asked, a scenario that names no modes is counted as a Python one:
    // over-counting a few cheap start-ups beats an ETA that jumps when the builds end.
    if (entry.scenario->detect_python && !python_detected_) {
      for (const auto& mode : builtin_startup_modes())
        if (mode.python) modes.push_back(mode);
    }
    for (const auto& mode : modes)
      add({entry.scenario->name, SampleKind::kStartup, mode.name}, "startup");
  }
  auto remaining = expected_work(groups, tally_);
  for (const auto& [scenario, states] : plan.build_groups) {
    for (auto state : states) {
      for (int round = 1; round <= plan.options.warmup; ++round) {
        if (!warmups_done_.count({scenario->name, to_string(state), round}))
          ++remaining[work_kind(SampleKind::kBuild, to_string(state))];
      }
      if (plan.options.image_stats && wants_layers(to_string(state), plan.options) &&
          !layers_measured_.count({scenario->name, to_string(state)}))
        ++remaining[kImageLayersWork];
    }
    bool cold = std::find(states.begin(), states.end(), CacheState::kCold) != states.end();
    if (!registry_.empty() && cold && !registry_measured_.count(scenario->name))
      ++remaining[kRegistryWork];
  }
  progress_.expect(remaining);
}

void Runner::learn_from_last_run(const Suite& suite, std::int64_t this_run) {
  // The suite's last complete run: how long each kind of task took, and how many
  // repetitions each group needed. Seeds the ETA before this run has seen a task.
  std::optional<RunRecord> last;
  for (const auto& run : store_.runs()) {
    if (run.suite_name == suite.name && run.status == "complete" && run.id != this_run) last = run;
  }
  if (!last) return;
  auto samples = store_.samples({last->id}, false);
  progress_.prior(mean_task_seconds(samples));
  for (const auto& stored : samples) {
    if (!stored.sample.warmup) ++prior_[key_of(stored.sample)];
  }
}

RunOptions Runner::plan_options(const Suite& suite, const RunOptions& options, std::int64_t run_id,
                                RunPlan& plan) {
  plan.options = options;
  plan.claimed = claimed_groups(suite);
  auto tasks = plan_tasks(suite, options);
  for (const auto& task : tasks) {
    auto& states = plan.build_groups[task.scenario];
    if (std::find(states.begin(), states.end(), task.state) == states.end())
      states.push_back(task.state);
  }
  if (options.startup_runs > 0) plan.startup_scenarios = startup_scenarios(tasks);
  plan.states = in_protocol_order(options.states.empty() ? all_cache_states() : options.states);
  learn_from_last_run(suite, run_id);
  return options;
}

RunRecord Runner::describe_run(const Suite& suite, const RunOptions& options,
                               const nlohmann::json* host) {
  RunRecord record;
  record.suite_name = suite.name;
  record.suite_path = fs::absolute(suite.manifest).string();
  record.command = options.command;
  record.labels = options.labels;
  fs::path suite_dir = fs::absolute(suite.manifest).parent_path();
  record.git_commit = git_output(suite_dir, {"rev-parse", "HEAD"});
  record.git_dirty = !git_output(suite_dir, {"status", "--porcelain", "--", "."}).empty();
  if (host) {
    record.fingerprint = *host;
  } else {
    progress_.message("buildbench: collecting the host and tool fingerprint");
    record.fingerprint = engine_.fingerprint();
  }
  record.fingerprint["base_images"] = base_image_facts(suite);
  record.fingerprint["network"] = network_facts(options);
  record.options = stored_form(options);
  return record;
}

std::int64_t Runner::begin(const Suite& suite, const RunOptions& options) {
  if (!options.resume) {
    RunRecord record = describe_run(suite, options);
    return store_.begin_run(record);
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
  for (const auto& entry : stored) record_taken(entry.sample);
  progress_.message(fmt::format("buildbench: resuming run {} ({} samples already stored)", run_id,
                                stored.size()));
  return run_id;
}

nlohmann::json Runner::stored_form(const RunOptions& options) {
  std::vector<std::string> state_names;
  for (auto state : options.states) state_names.push_back(to_string(state));
  nlohmann::json json = {{"runs", options.runs},
                         {"warmup", options.warmup},
                         {"startup_runs", options.startup_runs},
                         {"scenarios", options.scenarios},
                         {"states", state_names},
                         {"image_stats", options.image_stats},
                         {"build_timeout_ms", options.build_timeout.count()},
                         {"build_precision", options.build_precision},
                         {"startup_precision", options.startup_precision},
                         {"build_precision_floor", options.build_precision_floor},
                         {"min_runs", options.min_runs},
                         {"max_runs", options.max_runs},
                         {"registry", options.registry},
                         {"pull_engine", options.pull_engine},
                         {"pull_onto", options.pull_onto},
                         {"network_profile", options.network_profile}};
  if (options.startup_timeout) json["startup_timeout_ms"] = options.startup_timeout->count();
  if (!options.image_variant.empty()) json["image_variant"] = options.image_variant;
  if (options.student_t) json["stand_in"] = "student-t";  // the stopping rule below six values
  if (options.claim_precision > 0) json["claim_precision"] = options.claim_precision;
  if (options.claim_max_runs > 0) json["claim_max_runs"] = options.claim_max_runs;
  return json;
}

void Runner::record_taken(const Sample& sample) {
  // What the schedule counts: attempts (failed ones included) and good values per group.
  if (sample.get(kImageCompressedBytes)) layers_measured_.insert({sample.scenario, sample.state});
  if (sample.get(kPushSeconds)) registry_measured_.insert(sample.scenario);
  if (sample.warmup) {
    warmups_done_.insert({sample.scenario, sample.state, sample.repetition});
    return;
  }
  auto figure = figure_of(sample);
  tally_.add(key_of(sample), figure.has_value(), figure.value_or(0));
  // A resumed run's own samples (never an A/B's, whose candidate has a variant).
  const double* cached = sample.get(kStepsCached);
  if (cached && sample.status == SampleStatus::kOk &&
      (sample.state == to_string(CacheState::kWarmCode) ||
       sample.state == to_string(CacheState::kWarmDeps))) {
    auto [fewest, inserted] =
        cached_steps_.try_emplace({sample.scenario, sample.state}, static_cast<int>(*cached));
    if (!inserted) fewest->second = std::min(fewest->second, static_cast<int>(*cached));
  }
  if (sample.kind == SampleKind::kBuild && sample.status == SampleStatus::kOk &&
      !sample.image_id.empty() && (!options_resumed_ || engine_.inspect_image(sample.image_id))) {
    last_image_[sample.scenario] = sample.image_id;
  }
}

void Runner::store_sample(std::int64_t run_id, Sample& sample, const RunPlan& plan) {
  if (sample.status == SampleStatus::kInterrupted) {
    store_.add_sample(run_id, sample);
    throw Interrupted();
  }
  if (sample.status != SampleStatus::kOk) check_daemon(sample);
  store_.add_sample(run_id, sample);
  record_taken(sample);
  progress_.done(sample, "", one_off_);
  one_off_.clear();
  tell_progress(plan);
}

std::map<std::string, std::string> build_args_for(const Scenario& scenario,
                                                  const PackageIndexServer* index) {
  const std::string token = "{index_url}";
  std::map<std::string, std::string> args;
  for (auto [key, value] : scenario.build_args) {
    if (value.find(token) != std::string::npos && !index) {
      throw UsageError(
          fmt::format("{}: build arg '{}' uses {{index_url}} but the suite names no "
                      "index; add index = \"DIR\" to the suite",
                      scenario.manifest.string(), key));
    }
    for (auto pos = value.find(token); pos != std::string::npos; pos = value.find(token, pos)) {
      value.replace(pos, token.size(), index->url());
      pos += index->url().size();
    }
    args[key] = value;
  }
  return args;
}

std::vector<const Scenario*> Runner::visit_order(const RunPlan& plan, int round) const {
  // The scenario order rotates per round: drift hits all alike.
  std::vector<const Scenario*> order;
  for (const auto& [scenario, states] : plan.build_groups) order.push_back(scenario);
  std::sort(order.begin(), order.end(), [&](const Scenario* a, const Scenario* b) {
    return plan.position.at(a) < plan.position.at(b);
  });
  if (!order.empty()) {
    std::rotate(order.begin(), order.begin() + (round - 1) % order.size(), order.end());
  }
  return order;
}

std::vector<Task> Runner::visit(const RunPlan& plan, const Scenario* scenario, int round,
                                bool warm_only) const {
  // A scenario's states run back to back (cold first), so its warm states prime on the cache
  // its cold build just filled instead of rebuilding everything after another scenario's prune.
  bool warmup = round <= plan.options.warmup;
  const auto& states = plan.build_groups.at(scenario);
  std::vector<Task> tasks;
  for (auto state : plan.states) {
    if (std::find(states.begin(), states.end(), state) == states.end()) continue;
    if (warm_only && !is_local_warm_state(state)) continue;
    if (warmup) {
      if (!warmups_done_.count({scenario->name, to_string(state), round}))
        tasks.push_back({scenario, state, round, true});
      continue;
    }
    GroupTally::Key key{scenario->name, SampleKind::kBuild, to_string(state)};
    if (needs_more(tally_.values(key), tally_.attempts(key), target_for(plan, key)))
      tasks.push_back({scenario, state, tally_.attempts(key) + 1, false});
  }
  return tasks;
}

bool Runner::finishes_warm_groups(const RunPlan& plan, const Scenario* scenario) const {
  // Once a scenario's cold group has stopped, every later visit would first rebuild it in
  // full (another scenario's cold prune emptied the cache) only to prime its warm groups:
  // the adaptive design spends that rebuild once, taking the warm groups' remaining
  // repetitions in the visit that has the cache warm.
  if (plan.options.build_precision <= 0) return false;
  bool prunes = false;  // cold builds, and CI states that start from an emptied builder
  for (const auto& [other, states] : plan.build_groups) {
    for (auto state : states)
      prunes |= state == CacheState::kCold || (is_ci_cache_state(state) && imports_cache(state));
  }
  if (!prunes) return false;
  const auto& states = plan.build_groups.at(scenario);
  if (std::find(states.begin(), states.end(), CacheState::kCold) == states.end()) return true;
  GroupTally::Key cold{scenario->name, SampleKind::kBuild, to_string(CacheState::kCold)};
  return !needs_more(tally_.values(cold), tally_.attempts(cold), target_for(plan, cold));
}

void Runner::run_build(std::int64_t run_id, const RunPlan& plan, const Task& task,
                       const std::map<std::string, ScratchScenario>& copies,
                       const PackageIndexServer* index) {
  interrupt::throw_if_requested();
  progress_.task(fmt::format("{} {} #{}{}", printable(task.scenario->name), to_string(task.state),
                             task.repetition, task.warmup ? " (warm-up)" : ""));
  auto args = build_args_for(*task.scenario, index);
  const auto& copy = copies.at(task.scenario->name);
  Sample sample;
  try {
    sample = measure_build(task, copy.context, copy.dockerfile, args, plan.options);
  } catch (const Interrupted&) {
    sample = unmeasured(task.scenario->name, SampleKind::kBuild, to_string(task.state),
                        task.repetition, task.warmup, SampleStatus::kInterrupted,
                        "interrupted before the measurement finished");
  }
  store_sample(run_id, sample, plan);
}

void Runner::run_builds(std::int64_t run_id, const RunPlan& plan,
                        const std::map<std::string, ScratchScenario>& copies,
                        const PackageIndexServer* index) {
  for (int round = 1;; ++round) {
    bool ran = false;
    for (const Scenario* scenario : visit_order(plan, round)) {
      auto tasks = visit(plan, scenario, round, false);
      while (!tasks.empty()) {
        ran = true;
        for (const auto& task : tasks) run_build(run_id, plan, task, copies, index);
        bool more = round > plan.options.warmup && finishes_warm_groups(plan, scenario);
        tasks = more ? visit(plan, scenario, round, true) : std::vector<Task>{};
      }
    }
    if (!ran && round > plan.options.warmup) return;
  }
}

std::vector<StartupTask> Runner::next_startup_round(const RunPlan& plan, int round) const {
  auto order = plan.startup_scenarios;
  if (!order.empty()) {
    std::rotate(order.begin(), order.begin() + (round - 1) % order.size(), order.end());
  }
  std::vector<StartupTask> tasks;
  for (auto& entry : order) {
    // A scenario's modes back to back, their order rotating (A B, B A): drift hits all alike.
    auto modes = entry.modes;
    std::rotate(modes.begin(), modes.begin() + (round - 1) % modes.size(), modes.end());
    for (const auto& mode : modes) {
      GroupTally::Key key{entry.scenario->name, SampleKind::kStartup, mode.name};
      if (needs_more(tally_.values(key), tally_.attempts(key), target_for(plan, key)))
        tasks.push_back({entry.scenario, mode, entry.python, tally_.attempts(key) + 1});
    }
  }
  return tasks;
}

void Runner::detect_python(RunPlan& plan, StartupMeasurer& startup) {
  // Scenarios that name no modes: one unmeasured start asks the probe whether the service is
  // a Python program; only then are the Python modes measured.
  for (auto& entry : plan.startup_scenarios) {
    auto image = last_image_.find(entry.scenario->name);
    if (!entry.scenario->detect_python || image == last_image_.end()) continue;
    progress_.detail(fmt::format("{}: is the service a Python program? (one start, not measured)",
                                 printable(entry.scenario->name)));
    if (startup.runs_python(*entry.scenario, image->second, plan.options.startup_timeout)) {
      entry.python = true;
      for (const auto& mode : builtin_startup_modes()) {
        if (mode.python) entry.modes.push_back(mode);
      }
    }
  }
  python_detected_ = true;
  tell_progress(plan);
}

void Runner::run_startups(std::int64_t run_id, RunPlan& plan, const fs::path& scratch) {
  if (plan.startup_scenarios.empty()) return;
  write_startup_tools(scratch / "startup-tools");
  StartupMeasurer startup(engine_, scratch / "startup-tools",
                          fmt::format("buildbench-run{}-{}", run_id, getpid()));
  detect_python(plan, startup);
  for (int round = 1;; ++round) {
    auto tasks = next_startup_round(plan, round);
    if (tasks.empty()) return;
    for (const auto& task : tasks) {
      interrupt::throw_if_requested();
      progress_.task(fmt::format("{} start-up {} #{}", printable(task.scenario->name),
                                 task.mode.name, task.repetition));
      auto image = last_image_.find(task.scenario->name);
      Sample sample;
      if (image == last_image_.end()) {
        sample = unmeasured(task.scenario->name, SampleKind::kStartup, task.mode.name,
                            task.repetition, false, SampleStatus::kFailed,
                            "no image to start: every build of this scenario in the run failed");
      } else {
        try {
          sample = startup.measure(*task.scenario, image->second, task.mode, task.python,
                                   task.repetition, plan.options.startup_timeout);
        } catch (const Interrupted&) {
          sample = unmeasured(task.scenario->name, SampleKind::kStartup, task.mode.name,
                              task.repetition, false, SampleStatus::kInterrupted,
                              "interrupted before the measurement finished");
        }
      }
      store_sample(run_id, sample, plan);
    }
  }
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

std::map<std::string, ScratchScenario> Runner::make_copies(const Suite& suite, std::int64_t run_id,
                                                           bool resumed, const fs::path& scratch) {
  // Scratch copies: edits never touch the user's files.
  std::map<std::string, ScratchScenario> copies;
  int position = 0;
  for (const auto& scenario : suite.scenarios) {
    if (!resumed) store_.add_scenario(run_id, scenario.name, position, describe_scenario(scenario));
    copies[scenario.name] = copy_scenario(scenario, scratch / std::to_string(position++));
  }
  return copies;
}

std::int64_t Runner::run(const Suite& suite, const RunOptions& options) {
  if (plan_tasks(suite, options).empty()) {
    throw UsageError("nothing to run: no selected scenario supports the selected --state");
  }
  check_ci_setup(options);
  check_pull_onto(suite, options);
  tally_ = {};
  layers_measured_.clear();
  swapped_at_.clear();
  cached_steps_.clear();
  run_start_prunes_ = prunes_;
  registry_measured_.clear();
  bases_in_pull_engine_.clear();
  warmups_done_.clear();
  last_image_.clear();
  prior_.clear();
  python_detected_ = false;
  options_resumed_ = options.resume.has_value();
  std::int64_t run_id = begin(suite, options);
  RunPlan plan;
  plan_options(suite, options, run_id, plan);
  int position = 0;
  for (const auto& scenario : suite.scenarios) plan.position[&scenario] = position++;

  ScratchFolder scratch(fs::temp_directory_path() /
                        fmt::format("buildbench-run{}-{}", run_id, getpid()));
  try {
    fs::create_directories(scratch.path());
    auto copies = make_copies(suite, run_id, options_resumed_, scratch.path());
    RunNetwork network(suite, options, progress_);
    registry_ = network.registry();
    registry_direct_ = options.registry;
    pull_onto_ = plan.options.pull_onto;
    progress_.begin();
    tell_progress(plan);
    run_builds(run_id, plan, copies, network.index());
    run_startups(run_id, plan, scratch.path());
    progress_.end();
  } catch (const Interrupted&) {
    progress_.end();
    store_.finish_run(run_id, "interrupted");
    throw;
  } catch (const DaemonGone& gone) {
    progress_.end();
    store_.add_sample(run_id, gone.sample);
    store_.finish_run(run_id, "failed");
    throw EnvironmentError(fmt::format(
        "the Docker daemon stopped answering during run {}; the sample in flight is stored as "
        "failed and every earlier sample is kept. Restart the daemon (scripts/lab-dockerd) and "
        "finish the run with 'buildbench run --resume {}'",
        run_id, run_id));
  } catch (...) {
    progress_.end();
    store_.finish_run(run_id, "failed");
    throw;
  }
  store_.finish_run(run_id, "complete");
  return run_id;
}

}  // namespace bb
