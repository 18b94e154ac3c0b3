#include "cli/commands.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>

#include "cli/gather.hpp"
#include "docker/cli_engine.hpp"
#include "util/error.hpp"
#include "util/file_lock.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {
void tell_waiting(const std::string& holder) {
  fmt::print(stderr,
             "buildbench: another run holds the Docker daemon ({}); waiting for it (Ctrl-C to "
             "stop, --no-wait to refuse)\n",
             holder);
}
std::size_t failed_samples(const std::vector<StoredSample>& samples) {
  return std::count_if(samples.begin(), samples.end(),
                       [](const StoredSample& s) { return s.sample.status != SampleStatus::kOk; });
}
}  // namespace

namespace {
// The engine that pulls pushed images (--pull-engine), when one is named; it must answer.
std::optional<CliDockerEngine> pull_engine_for(const RunOptions& options) {
  std::optional<CliDockerEngine> engine;
  if (options.pull_engine.empty()) return engine;
  if (options.pull_engine == current_docker_host()) {
    throw UsageError(fmt::format(
        "--pull-engine {} is the engine the run builds on; name a second engine of its own "
        "(scripts/lab-dockerd --engine pull: unix:///var/run/buildbench-pull.sock)",
        options.pull_engine));
  }
  engine.emplace("", options.pull_engine);
  if (!engine->ping()) {
    throw EnvironmentError(fmt::format(
        "--pull-engine {}: no Docker engine answers there; start one (scripts/lab-dockerd "
        "--engine pull)",
        options.pull_engine));
  }
  return engine;
}
}  // namespace

namespace {
// What a measuring command holds while it runs: the daemon (two runs on one daemon spoil
// each other's timings and cache states), the store, the engines and the progress line.
struct Bench {
  Bench(const std::string& db_path, bool no_wait, const std::string& builder,
        const RunOptions& options)
      : lock(locked_daemon(), !no_wait, tell_waiting),
        store(db_path, Store::Mode::kReadWrite),
        engine(builder),
        progress(stderr, Progress::stderr_is_terminal()),
        pull(pull_engine_for(options)) {
    // cold-pull prunes the pull engine and removes our images there: two runs sharing it
    // (scripts/bench and scripts/bench-ci) take turns, as on one daemon.
    if (pull) pull_lock.emplace(daemon_lock_path(options.pull_engine), !no_wait, tell_waiting);
  }
  static std::string locked_daemon() {
    require_engine();
    return daemon_lock_path();
  }
  template <typename Runner>
  Runner runner() {
    Runner runner(engine, store, progress);
    if (pull) runner.use_pull_engine(&*pull);
    return runner;
  }
  FileLock lock;
  std::optional<FileLock> pull_lock;
  Store store;
  CliDockerEngine engine;
  Progress progress;
  std::optional<CliDockerEngine> pull;
};
}  // namespace

RunOutcome execute_run(const Suite& suite, const RunOptions& options, const std::string& db_path,
                       bool no_wait, const std::string& builder) {
  plan_tasks(suite, options);  // validates --scenario before touching docker
  Bench bench(db_path, no_wait, builder, options);
  RunOutcome outcome;
  outcome.run_id = bench.runner<Runner>().run(suite, options);
  auto samples = bench.store.samples({outcome.run_id}, false);
  outcome.samples = samples.size();
  outcome.failed = failed_samples(samples);
  fmt::print(stderr, "buildbench: run {} stored in {} ({} samples, {} failed)\n", outcome.run_id,
             printable_location(db_path), outcome.samples, outcome.failed);
  print_drift(samples);
  return outcome;
}

void print_drift(const std::vector<StoredSample>& samples) {
  for (const auto& drift : find_drift(samples, CompareOptions{})) {
    fmt::print(stderr,
               "buildbench: warning: drift within the run: {}; the machine changed while it "
               "ran (other work, throttling, a filling disk); 'buildbench ab' pairs the sides "
               "so that both see the same drift\n",
               describe_drift(drift));
  }
}

AbResult execute_ab(const Suite& baseline, const Suite& candidate, const AbOptions& options,
                    const std::string& db_path, bool no_wait, const std::string& builder) {
  Bench bench(db_path, no_wait, builder, options.run);
  AbResult result = bench.runner<AbRunner>().run(baseline, candidate, options);
  auto samples = bench.store.samples({result.baseline_run, result.candidate_run}, false);
  std::size_t failed = failed_samples(samples);
  fmt::print(stderr,
             "buildbench: A/B session {} stored in {}: baseline run {}, candidate run {} ({} "
             "pairs, {} failed samples); compare them with 'buildbench compare --baseline {} "
             "--candidate {}'\n",
             result.ab_id, printable_location(db_path), result.baseline_run, result.candidate_run,
             result.pairs, failed, result.baseline_run, result.candidate_run);
  print_drift(samples);
  return result;
}

Comparison compare_selections(Store& store, const std::vector<std::int64_t>& base_ids,
                              const std::vector<std::int64_t>& cand_ids, CompareOptions options) {
  std::vector<RunRecord> base_runs, cand_runs;
  for (auto id : base_ids) base_runs.push_back(*store.run(id));
  for (auto id : cand_ids) cand_runs.push_back(*store.run(id));
  require_one_testbed(base_runs, cand_runs, options.across_testbeds);
  if (options.scenario_order.empty()) {
    for (const auto& [name, position] : store.scenarios(cand_ids.back())) {
      options.scenario_order.push_back(name);
    }
  }
  if (options.git_dir.empty() && !cand_runs.empty() && !cand_runs.back().suite_path.empty()) {
    // The candidate's suite folder, when it is still there: a changed commit lists its files.
    auto folder = std::filesystem::path(cand_runs.back().suite_path).parent_path();
    std::error_code ec;
    if (std::filesystem::is_directory(folder, ec)) options.git_dir = folder;
  }
  std::vector<PairRecord> pairs;
  if (options.pairing != CompareOptions::Pairing::kUnpaired)
    pairs = store.pairs(base_ids, cand_ids);
  if (options.pairing == CompareOptions::Pairing::kPaired && pairs.empty()) {
    throw UsageError(fmt::format(
        "--paired: no sample of the baseline (run {}) is paired with one of the candidate (run "
        "{}); pairs come from 'buildbench ab', whose two runs are its baseline and candidate",
        fmt::join(base_ids, ", "), fmt::join(cand_ids, ", ")));
  }
  return compare(base_runs, store.samples(base_ids, false), cand_runs,
                 store.samples(cand_ids, false), options, pairs);
}

int compare_exit_code(const Comparison& comparison) {
  if (comparison.count(Verdict::kRegression) > 0) return kExitRegression;
  if (comparison.count(Verdict::kFailed) > 0) return kExitEnvironment;
  for (const auto& row : comparison.rows) {
    if (row.baseline.failures + row.candidate.failures > 0) return kExitEnvironment;
  }
  return kExitOk;
}

void write_history_page(Store& store, const std::vector<RunRecord>& nightlies,
                        const fs::path& git_dir, const fs::path& out_dir,
                        const stats::EDivisiveOptions& detector) {
  HistoryInput input = gather_history(store, nightlies, git_dir, detector);
  std::size_t changes = 0;
  for (const auto& series : input.series) changes += series.changes.size();
  fs::create_directories(out_dir);
  for (const auto& [name, content] : build_history_page(input)) {
    std::ofstream out(out_dir / name, std::ios::binary);
    out << content;
    if (!out) throw EnvironmentError(fmt::format("cannot write '{}'", (out_dir / name).string()));
  }
  fmt::print(stderr,
             "buildbench: history page of {} nightlies written to {} ({} series, {} change "
             "points)\n",
             nightlies.size(), (out_dir / "history.md").string(), input.series.size(), changes);
}

}  // namespace bb
