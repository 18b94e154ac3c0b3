#include "measure/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "measure/metrics.hpp"
#include "measure/package_index.hpp"
#include "measure/state_contract.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/process.hpp"
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
  std::vector<CacheState> states = options.states.empty() ? all_cache_states() : options.states;
  std::vector<Task> tasks;
  int total = options.warmup + options.runs;
  for (int repetition = 1; repetition <= total; ++repetition) {
    for (auto state : states) {
      std::vector<const Scenario*> order;
      for (auto* scenario : selected) {
        auto supported = scenario->supported_states();
        if (std::find(supported.begin(), supported.end(), state) != supported.end()) {
          order.push_back(scenario);
        }
      }
      if (!order.empty()) {
        std::rotate(order.begin(), order.begin() + (repetition - 1) % order.size(), order.end());
      }
      for (auto* scenario : order) {
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

std::vector<StartupTask> plan_startup(const std::vector<ScenarioModes>& scenarios,
                                      int startup_runs) {
  std::vector<StartupTask> tasks;
  for (int repetition = 1; repetition <= startup_runs; ++repetition) {
    auto order = scenarios;
    if (!order.empty()) {
      std::rotate(order.begin(), order.begin() + (repetition - 1) % order.size(), order.end());
    }
    for (auto& entry : order) {
      auto modes = entry.modes;
      std::rotate(modes.begin(), modes.begin() + (repetition - 1) % modes.size(), modes.end());
      for (const auto& mode : modes) {
        tasks.push_back({entry.scenario, mode, entry.python, repetition});
      }
    }
  }
  return tasks;
}

std::string image_tag(const Scenario& scenario) {
  // Names are free text; the tag is derived, never interpreted, and the same with every
  // toolchain (std::hash is not).
  return fmt::format("buildbench/{}-{:08x}:latest", tag_safe(scenario.name),
                     fnv1a64(scenario.name) & 0xffffffff);
}

Runner::Runner(DockerEngine& engine, Store& store, Progress& progress)
    : engine_(engine), store_(store), progress_(progress), edits_(make_edit_nonce()) {}

void Runner::record_image(Sample& sample, const RunOptions& options) {
  if (!options.image_stats || sample.image_id.empty()) return;
  std::optional<ImageRecord> image = store_.image(sample.image_id);
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
}

Sample Runner::measure_build(const Task& task, const fs::path& scratch_context,
                             const fs::path& dockerfile,
                             const std::map<std::string, std::string>& build_args,
                             const RunOptions& options) {
  const Scenario& scenario = *task.scenario;
  Sample sample;
  sample.scenario = scenario.name;
  sample.kind = "build";
  sample.state = to_string(task.state);
  sample.repetition = task.repetition;
  sample.warmup = task.warmup;

  BuildRequest request;
  request.context = scratch_context;
  request.dockerfile = dockerfile;
  request.target = scenario.target;
  request.tag = image_tag(scenario);
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
    engine_.remove_image(request.tag);
  } else {
    progress_.detail("priming build (not measured)");
    auto prime = engine_.build(request);
    if (prime.interrupted) throw Interrupted();
    if (!prime.ok) {
      sample.status = "failed";
      sample.error = "priming build before the measured one failed: " + prime.error;
      sample.started_at = iso8601_utc(std::chrono::system_clock::now());
      return sample;
    }
    if (task.state == CacheState::kWarmCode) edits_.apply(*scenario.code_edit, scratch_context);
    if (task.state == CacheState::kWarmDeps) edits_.apply(*scenario.deps_edit, scratch_context);
  }

  sample.started_at = iso8601_utc(std::chrono::system_clock::now());
  BuildOutcome outcome = engine_.build(request);
  if (outcome.interrupted) {
    sample.status = "interrupted";
    sample.error = outcome.error;
    return sample;
  }
  sample.steps = outcome.steps;
  sample.image_id = outcome.image_id;
  sample.set(kBuildSeconds, outcome.seconds);
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
  if (!outcome.ok) {
    sample.status = "failed";
    sample.error = outcome.error;
    return sample;
  }
  std::vector<std::string> edited;
  if (task.state == CacheState::kWarmCode) edited = edited_files(*scenario.code_edit);
  if (task.state == CacheState::kWarmDeps) edited = edited_files(*scenario.deps_edit);
  if (auto broken = contract_violation(task.state, edited, outcome.steps); !broken.empty()) {
    // Not a measurement of its state: the numbers stay with it for diagnosis only.
    sample.status = "failed";
    sample.error = broken;
    return sample;
  }
  record_image(sample, options);
  return sample;
}

namespace {

struct ScratchScenario {
  fs::path context;
  fs::path dockerfile;
};

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

nlohmann::json describe(const Scenario& scenario) {
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

}  // namespace

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
  options.labels = run.labels;
  options.command = run.command;
  options.resume = run.id;
  return options;
}

nlohmann::json Runner::base_image_facts(const Suite& suite) {
  // FROM lines name base images; stage names are skipped. Stand-ins carry a label.
  static const std::regex from_line(R"(^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?)",
                                    std::regex::icase);
  nlohmann::json facts = nlohmann::json::object();
  for (const auto& scenario : suite.scenarios) {
    std::ifstream in(scenario.dockerfile);
    std::set<std::string> stages;
    for (std::string line; std::getline(in, line);) {
      std::smatch match;
      if (!std::regex_search(line, match, from_line)) continue;
      std::string ref = match[1];
      if (match[2].matched) stages.insert(match[2]);
      if (stages.count(ref) || facts.contains(ref) || ref == "scratch" ||
          ref.find('$') != std::string::npos) {
        continue;
      }
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

namespace {
Sample unmeasured_startup(const StartupTask& task, std::string status, std::string error) {
  Sample sample;
  sample.scenario = task.scenario->name;
  sample.kind = "startup";
  sample.state = task.mode.name;
  sample.repetition = task.repetition;
  sample.status = std::move(status);
  sample.error = std::move(error);
  sample.started_at = iso8601_utc(std::chrono::system_clock::now());
  return sample;
}
}  // namespace

void Runner::measure_startups(std::int64_t run_id, const fs::path& scratch,
                              std::vector<ScenarioModes> scenarios,
                              const std::map<std::string, std::string>& last_image,
                              const Done& done, const RunOptions& options,
                              std::size_t position_in_plan) {
  // Start-up: the image of each scenario's last successful build in this run.
  write_startup_tools(scratch / "startup-tools");
  StartupMeasurer startup(engine_, scratch / "startup-tools",
                          fmt::format("buildbench-run{}-{}", run_id, getpid()));
  for (auto& entry : scenarios) {
    auto image = last_image.find(entry.scenario->name);
    if (!entry.scenario->detect_python || image == last_image.end()) continue;
    progress_.detail(fmt::format("{}: is the service a Python program? (one start, not measured)",
                                 printable(entry.scenario->name)));
    if (startup.runs_python(*entry.scenario, image->second, options.startup_timeout)) {
      entry.python = true;
      for (const auto& mode : builtin_startup_modes()) {
        if (mode.python) entry.modes.push_back(mode);
      }
    }
  }
  auto tasks = plan_startup(scenarios, options.startup_runs);
  progress_.set_startup_tasks(tasks.size());
  std::erase_if(tasks, [&](const StartupTask& t) {
    return done.count({"startup", t.scenario->name, t.mode.name, t.repetition, false}) > 0;
  });
  for (const auto& task : tasks) {
    interrupt::throw_if_requested();
    progress_.task(++position_in_plan,
                   fmt::format("{} start-up {} #{}", printable(task.scenario->name), task.mode.name,
                               task.repetition));
    Sample sample;
    auto image = last_image.find(task.scenario->name);
    if (image == last_image.end()) {
      sample = unmeasured_startup(task, "failed",
                                  "no image to start: every build of this scenario in the run "
                                  "failed");
    } else {
      try {
        sample = startup.measure(*task.scenario, image->second, task.mode, task.python,
                                 task.repetition, options.startup_timeout);
      } catch (const Interrupted&) {
        store_.add_sample(run_id, unmeasured_startup(task, "interrupted",
                                                     "interrupted before the measurement "
                                                     "finished"));
        throw;
      }
    }
    if (sample.status != "ok") check_daemon(sample);
    store_.add_sample(run_id, sample);
    progress_.done(sample);
  }
}

std::int64_t Runner::run(const Suite& suite, const RunOptions& options) {
  auto tasks = plan_tasks(suite, options);
  if (tasks.empty()) {
    throw UsageError("nothing to run: no selected scenario supports the selected --state");
  }

  RunRecord record;
  record.suite_name = suite.name;
  record.suite_path = fs::absolute(suite.manifest).string();
  record.command = options.command;
  record.labels = options.labels;
  fs::path suite_dir = fs::absolute(suite.manifest).parent_path();
  record.git_commit = git_output(suite_dir, {"rev-parse", "HEAD"});
  record.git_dirty = !git_output(suite_dir, {"status", "--porcelain", "--", "."}).empty();
  progress_.message("buildbench: collecting the host and tool fingerprint");
  record.fingerprint = engine_.fingerprint();
  record.fingerprint["base_images"] = base_image_facts(suite);
  std::vector<std::string> state_names;
  for (auto state : options.states) state_names.push_back(to_string(state));
  record.options = {{"runs", options.runs},
                    {"warmup", options.warmup},
                    {"startup_runs", options.startup_runs},
                    {"scenarios", options.scenarios},
                    {"states", state_names},
                    {"image_stats", options.image_stats},
                    {"build_timeout_ms", options.build_timeout.count()}};
  if (options.startup_timeout)
    record.options["startup_timeout_ms"] = options.startup_timeout->count();
  std::int64_t run_id = 0;
  // What a resumed run already holds: (kind, scenario, state, repetition, warm-up).
  Done done;
  std::map<std::string, std::string> last_image;  // scenario -> image of its last good build
  if (options.resume) {
    run_id = *options.resume;
    auto existing = store_.run(run_id);
    if (!existing) throw UsageError(fmt::format("--resume {}: no such run", run_id));
    if (existing->suite_name != suite.name) {
      throw UsageError(
          fmt::format("--resume {}: that run measured suite '{}', not '{}'; pass its "
                      "--suite",
                      run_id, existing->suite_name, suite.name));
    }
    if (existing->status == "complete") {
      throw UsageError(fmt::format("--resume {}: the run is already complete", run_id));
    }
    store_.reopen_run(run_id);
    for (const auto& stored : store_.samples({run_id}, false)) {
      const Sample& s = stored.sample;
      done.insert({s.kind, s.scenario, s.state, s.repetition, s.warmup});
      if (s.kind == "build" && s.status == "ok" && !s.image_id.empty() &&
          engine_.inspect_image(s.image_id)) {
        last_image[s.scenario] = s.image_id;
      }
    }
    progress_.message(fmt::format("buildbench: resuming run {} ({} samples already stored)", run_id,
                                  done.size()));
  } else {
    run_id = store_.begin_run(record);
  }

  // Scratch copies: edits never touch the user's files.
  fs::path scratch =
      fs::temp_directory_path() / fmt::format("buildbench-run{}-{}", run_id, getpid());
  std::map<std::string, ScratchScenario> copies;
  try {
    fs::create_directories(scratch);
    int position = 0;
    for (const auto& scenario : suite.scenarios) {
      if (!options.resume) store_.add_scenario(run_id, scenario.name, position, describe(scenario));
      ScratchScenario copy;
      copy.context = scratch / std::to_string(position++);
      fs::copy(scenario.context, copy.context, fs::copy_options::recursive);
      auto relative = scenario.dockerfile.lexically_relative(scenario.context);
      bool inside = !relative.empty() && *relative.begin() != "..";
      copy.dockerfile = inside ? copy.context / relative : scenario.dockerfile;
      copies[scenario.name] = copy;
    }

    std::unique_ptr<PackageIndexServer> index;
    if (suite.index) {
      index = std::make_unique<PackageIndexServer>(*suite.index, suite.index_port);
      progress_.message(fmt::format("buildbench: serving the package index {} at {}",
                                    suite.index->string(), index->url()));
    }

    auto startups = startup_scenarios(tasks);
    std::size_t planned_startups = plan_startup(startups, options.startup_runs).size();
    std::erase_if(tasks, [&](const Task& t) {
      return done.count({"build", t.scenario->name, to_string(t.state), t.repetition, t.warmup}) >
             0;
    });
    progress_.begin(tasks.size(), planned_startups);
    std::size_t position_in_plan = 0;
    for (const auto& task : tasks) {
      interrupt::throw_if_requested();
      ++position_in_plan;
      progress_.task(position_in_plan, fmt::format("{} {} #{}{}", printable(task.scenario->name),
                                                   to_string(task.state), task.repetition,
                                                   task.warmup ? " (warm-up)" : ""));
      std::map<std::string, std::string> args;
      for (auto [key, value] : task.scenario->build_args) {
        const std::string token = "{index_url}";
        if (value.find(token) != std::string::npos) {
          if (!index) {
            throw UsageError(
                fmt::format("{}: build arg '{}' uses {{index_url}} but the suite "
                            "names no index; add index = \"DIR\" to the suite",
                            task.scenario->manifest.string(), key));
          }
          for (auto pos = value.find(token); pos != std::string::npos;
               pos = value.find(token, pos)) {
            value.replace(pos, token.size(), index->url());
            pos += index->url().size();
          }
        }
        args[key] = value;
      }
      const auto& copy = copies.at(task.scenario->name);
      Sample sample;
      try {
        sample = measure_build(task, copy.context, copy.dockerfile, args, options);
      } catch (const Interrupted&) {
        sample.scenario = task.scenario->name;
        sample.state = to_string(task.state);
        sample.repetition = task.repetition;
        sample.warmup = task.warmup;
        sample.status = "interrupted";
        sample.error = "interrupted before the measurement finished";
      }
      if (sample.status == "interrupted") {
        sample.started_at = iso8601_utc(std::chrono::system_clock::now());
        store_.add_sample(run_id, sample);
        throw Interrupted();
      }
      if (sample.status != "ok") check_daemon(sample);
      store_.add_sample(run_id, sample);
      progress_.done(sample);
      if (sample.status == "ok" && !sample.image_id.empty()) {
        last_image[sample.scenario] = sample.image_id;
      }
    }

    if (options.startup_runs > 0 && !startups.empty()) {
      measure_startups(run_id, scratch, startups, last_image, done, options, position_in_plan);
    }
    progress_.end();
  } catch (const Interrupted&) {
    progress_.end();
    store_.finish_run(run_id, "interrupted");
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    throw;
  } catch (const DaemonGone& gone) {
    progress_.end();
    store_.add_sample(run_id, gone.sample);
    store_.finish_run(run_id, "failed");
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    throw EnvironmentError(fmt::format(
        "the Docker daemon stopped answering during run {}; the sample in flight is stored as "
        "failed and every earlier sample is kept. Restart the daemon (scripts/lab-dockerd) and "
        "finish the run with 'buildbench run --resume {}'",
        run_id, run_id));
  } catch (...) {
    progress_.end();
    store_.finish_run(run_id, "failed");
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    throw;
  }
  store_.finish_run(run_id, "complete");
  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  return run_id;
}

}  // namespace bb
