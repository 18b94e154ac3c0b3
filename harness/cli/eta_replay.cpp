// `buildbench eta-replay` (hidden from --help; scripts/eta-replay runs it): a stored run's
// samples fed through the ETA as its session fed them, and how far the ETA was from the run's
// real end at 10, 25, 50 and 75% of it. For checking the ETA on real main jobs.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "measure/run_options.hpp"
#include "progress/eta.hpp"
#include "scenario/manifest.hpp"
#include "session/plan.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace bb {

namespace {
namespace fs = std::filesystem;

struct EtaReplayFlags {
  std::int64_t run = 0;
  std::string suite;
  std::string source;
  std::string db_path = default_db();
};

std::string clock(double seconds) {
  auto total = static_cast<long long>(std::llround(seconds));
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

std::string percent(double error) {
  return std::isnan(error) ? "no guess" : fmt::format("{:+.1f}%", 100 * error);
}

// What the suite's last complete run before `run` tells a session that resumes none: each
// group's repetitions and each kind's mean task time (as Runner::learn_from_last_run).
struct LastRun {
  std::int64_t id = 0;
  std::map<GroupTally::Key, int> repetitions;
  std::map<std::string, double> task_seconds;
};

LastRun last_run_before(Store& store, const RunRecord& run) {
  LastRun last;
  for (const auto& earlier : store.runs())
    if (earlier.suite_name == run.suite_name && earlier.status == "complete" && earlier.id < run.id)
      last.id = earlier.id;
  if (last.id == 0) return last;
  auto samples = store.samples({last.id}, false);
  last.task_seconds = mean_task_seconds(samples);
  for (const auto& stored : samples)
    if (!stored.sample.warmup) ++last.repetitions[GroupKey::of(stored.sample)];
  return last;
}

int replay_run(const EtaReplayFlags& flags) {
  Store store(flags.db_path, Store::Mode::kReadOnly);
  auto run = store.run(flags.run);
  if (!run) {
    throw UsageError(
        fmt::format("--run {}: no such run in '{}'; list runs with 'buildbench export'", flags.run,
                    flags.db_path));
  }
  if (run->labels.count("ab")) {
    throw UsageError(fmt::format(
        "--run {}: a side of A/B session {}; eta-replay replays the ETA of a 'run' session only",
        flags.run, run->labels.at("ab")));
  }
  std::string suite_file = flags.suite.empty() ? run->suite_path : flags.suite;
  if (suite_file.empty() || !fs::exists(suite_file)) {
    throw UsageError(
        fmt::format("run {}'s suite '{}' is not on this machine; pass its manifest "
                    "with --suite",
                    flags.run, suite_file));
  }
  Suite suite = load_suite(suite_file, manifest_vars(flags.source));
  RunOptions options = read_stored_form(run->options);
  std::vector<Sample> samples;
  for (auto& stored : store.samples({run->id}, false)) samples.push_back(std::move(stored.sample));
  if (samples.size() < 2) {
    throw UsageError(fmt::format("--run {}: {} sample(s) stored; a replay needs two", flags.run,
                                 samples.size()));
  }
  LastRun last = last_run_before(store, *run);
  auto groups =
      eta_groups(single_units(suite, options), options, claimed_groups(suite), last.repetitions);
  std::optional<double> budget;
  if (options.budget) budget = std::chrono::duration<double>(*options.budget).count();
  EtaReplay replay = replay_eta(samples, groups, last.task_seconds, budget);

  fmt::print("eta-replay: run {} ({}, {}), {} samples over {} of measuring{}; {}\n", run->id,
             run->suite_name, run->status, replay.tasks, clock(replay.total),
             budget ? fmt::format(" (budget {}, which caps the ETA)", clock(*budget)) : "",
             last.id ? fmt::format("the last run before it: {}", last.id)
                     : std::string("no earlier complete run of the suite"));
  fmt::print("  {:>4}  {:>8}  {:>14}  {:>9}  {:>15}\n", "at", "elapsed", "ETA: run ends", "error",
             "tasks predicted");
  for (double fraction : {0.10, 0.25, 0.50, 0.75}) {
    const EtaPoint* at = nullptr;
    for (const auto& point : replay.points)
      if (point.elapsed <= fraction * replay.total) at = &point;
    if (!at) {
      fmt::print("  {:>3.0f}%  (no sample finished by then)\n", 100 * fraction);
      continue;
    }
    fmt::print("  {:>3.0f}%  {:>8}  {:>14}  {:>9}  {:>15}\n", 100 * fraction, clock(at->elapsed),
               std::isnan(at->predicted_end) ? "--:--" : clock(at->predicted_end),
               percent(replay.error_at(fraction)), at->predicted_tasks);
  }
  fmt::print("  real end {}, {} tasks; largest ETA error after 10%: {}\n", clock(replay.total),
             replay.tasks, percent(replay.largest_error_after(0.10)));
  return kExitOk;
}

}  // namespace

Subcommand add_eta_replay_command(CLI::App& parent) {
  auto* command = parent.add_subcommand(
      "eta-replay", "Replay a stored run through the ETA: its error at 10, 25, 50 and 75%");
  command->group("");  // a check of the ETA for its developers: hidden from --help
  auto flags = std::make_shared<EtaReplayFlags>();
  command->add_option("--run", flags->run, "Id of a stored 'run' session")->required();
  command->add_option("--suite", flags->suite,
                      "Suite manifest the run measured (default: the path it stored)");
  command->add_option("--source", flags->source, "Checkout that a published suite describes");
  add_db_option(command, flags->db_path);
  command->footer(R"(
The run's samples are fed through the ETA in the order they were taken, with the groups its
options and suite plan, and the suite's last complete run before it as the prior, as a run
session sees them. The error is (predicted end - real end) / real end, where the real end is
the last sample's start; warm-ups still due are not counted.

Example:
  buildbench eta-replay --db buildbench.db --run 12)");
  return {command, [flags] { return replay_run(*flags); }};
}

}  // namespace bb
