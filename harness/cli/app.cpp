#include "cli/app.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cmath>
#include <tuple>
#include "cli/ab.hpp"
#include "cli/commands.hpp"
#include "cli/doctor.hpp"
#include "cli/gather.hpp"
#include "cli/init.hpp"
#include "cli/nightly.hpp"
#include "compare/compare.hpp"
#include "docker/cli_engine.hpp"
#include "measure/run_network.hpp"
#include "measure/runner.hpp"
#include "model/metrics.hpp"
#include "report/benchmark_page.hpp"
#include "report/compare_report.hpp"
#include "report/export.hpp"
#include "scenario/manifest.hpp"
#include "stats/summary.hpp"
#include "store/merge.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "util/file_lock.hpp"
#include "util/interrupt.hpp"
#include "util/process.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

const char* kDefaultSuite = "scenarios/hermetic";

std::string default_suite() {
  if (const char* env = std::getenv("BUILDBENCH_SUITE")) return env;
  return kDefaultSuite;
}

std::string default_db() {
  if (const char* env = std::getenv("BUILDBENCH_DB")) return env;
  return "buildbench.db";
}

std::map<std::string, std::string> parse_labels(const std::vector<std::string>& labels) {
  std::map<std::string, std::string> parsed;
  for (const auto& label : labels) {
    auto eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError(
          fmt::format("--label '{}': write KEY=VALUE, e.g. --label branch=main", printable(label)));
    }
    parsed[label.substr(0, eq)] = label.substr(eq + 1);
  }
  return parsed;
}

std::string command_line(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  args[0] = "buildbench";
  // Secrets never reach the stored command line.
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--secret" && i + 1 < args.size()) args[i + 1] = "<redacted>";
    if (args[i].rfind("--secret=", 0) == 0) args[i] = "--secret=<redacted>";
  }
  return join_argv(args);
}

const char* kExitCodes = R"(
Exit codes:
  0  success (compare: no regression)
  1  compare: a regression was found
  2  bad usage or input (flags, manifests, run ids, database file)
  3  broken environment (no Docker engine, database I/O fault) or failed samples
  130 interrupted (Ctrl-C, SIGTERM); the run is marked 'interrupted')";

}  // namespace

namespace {

// METRIC=PERCENT or SCENARIO:METRIC=PERCENT, for compare and nightly.
void parse_thresholds(const std::vector<std::string>& thresholds, CompareOptions& options) {
  for (const auto& t : thresholds) {
    auto eq = t.rfind('=');
    double value = 0;
    bool ok = eq != std::string::npos && eq > 0;
    if (ok) {
      try {
        std::size_t used = 0;
        value = std::stod(t.substr(eq + 1), &used);
        ok = used == t.size() - eq - 1 && value >= 0;
      } catch (const std::exception&) {
        ok = false;
      }
    }
    std::string metric = ok ? t.substr(0, eq) : "";
    if (auto colon = metric.find(':'); colon != std::string::npos)
      metric = metric.substr(colon + 1);
    if (ok && !find_metric(metric)) {
      throw UsageError(fmt::format("--threshold '{}': unknown metric '{}'{}", printable(t),
                                   printable(metric), did_you_mean_suffix(metric, metric_names())));
    }
    if (!ok) {
      throw UsageError(
          fmt::format("--threshold '{}': write METRIC=PERCENT or "
                      "SCENARIO:METRIC=PERCENT, e.g. build_seconds=5",
                      printable(t)));
    }
    options.thresholds[t.substr(0, eq)] = value;
  }
}

// Flags that `run` and `ab` share.
struct MeasureFlags {
  std::vector<std::string> scenarios, states, labels, secrets;
  int warmup = 0;
  std::string build_timeout = "30m";
  bool no_image_stats = false;
  int startup_runs = RunOptions{}.startup_runs;
  std::string startup_timeout;
  std::string builder;
  bool no_wait = false;
  std::string registry, pull_engine, network_profile = "loopback";
};

void add_measure_flags(CLI::App* command, MeasureFlags& flags, std::string& db_path,
                       const std::string& startup_help) {
  command->add_option("--scenario", flags.scenarios, "Scenario to run (repeatable; default: all)");
  command->add_option("--state", flags.states,
                      "Cache state (repeatable; default: cold, warm-nochange, warm-code, "
                      "warm-deps); opt-in CI states: ci-registry, ci-local, ci-inline, "
                      "export-min, export-max, export-local, export-inline");
  command
      ->add_option("--warmup", flags.warmup, "Unrecorded-in-statistics warm-up repetitions first")
      ->capture_default_str()
      ->check(CLI::Range(0, 100));
  command->add_option("--label", flags.labels,
                      "KEY=VALUE stored with the run (repeatable), e.g. branch=main");
  command->add_option("--secret", flags.secrets,
                      "Passed to buildx as --secret (id=...,src=...); never stored or printed");
  command
      ->add_option("--build-timeout", flags.build_timeout,
                   "Kill a build after this long and store it as failed (e.g. 90s, 30m)")
      ->capture_default_str();
  command->add_option("--startup-runs", flags.startup_runs, startup_help + " (0: no start-up)")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  command->add_option("--startup-timeout", flags.startup_timeout,
                      "Kill a container not ready after this long (default: each probe's timeout)");
  command->add_option("--builder", flags.builder,
                      "buildx builder to build on (any driver: docker, docker-container, remote, "
                      "kubernetes); every buildx call, prune included, targets it");
  command->add_option("--registry", flags.registry,
                      "Loopback registry (e.g. 127.0.0.1:5000): push/pull time and stored bytes "
                      "of each scenario's cold image, and the registry CI cache states");
  command->add_option("--pull-engine", flags.pull_engine,
                      "DOCKER_HOST of a second engine that pulls the pushed images "
                      "(pull_seconds), e.g. unix:///var/run/buildbench-pull.sock");
  command
      ->add_option("--network-profile", flags.network_profile,
                   "loopback, ci or home: the package index and registry traffic go through a "
                   "shaping proxy with this bandwidth and round trip")
      ->capture_default_str();
  command->add_flag("--no-wait", flags.no_wait,
                    "Refuse, instead of waiting, when another run holds the Docker daemon");
  command->add_flag("--no-image-stats", flags.no_image_stats,
                    "Skip per-layer sizes, gzip sizes and .pyc counts (docker save)");
  command->add_option("--db", db_path, "SQLite database file")->capture_default_str();
}

std::chrono::milliseconds positive_duration(const std::string& flag, const std::string& text,
                                            const char* example) {
  auto parsed = parse_duration(text);
  if (!parsed || parsed->count() <= 0) {
    throw UsageError(
        fmt::format("{} '{}' is not a duration; write e.g. {}", flag, printable(text), example));
  }
  return *parsed;
}

RunOptions measure_options(const MeasureFlags& flags) {
  RunOptions options;
  options.scenarios = flags.scenarios;
  for (const auto& name : flags.states) {
    auto state = parse_cache_state(name);
    if (!state) {
      throw UsageError(fmt::format("--state '{}' is not a cache state{}; use one of {}",
                                   printable(name), did_you_mean_suffix(name, cache_state_names()),
                                   fmt::join(cache_state_names(), ", ")));
    }
    options.states.push_back(*state);
  }
  options.warmup = flags.warmup;
  options.labels = parse_labels(flags.labels);
  options.secrets = flags.secrets;
  options.build_timeout = positive_duration("--build-timeout", flags.build_timeout, "30m");
  options.image_stats = !flags.no_image_stats;
  options.startup_runs = flags.startup_runs;
  if (!flags.startup_timeout.empty()) {
    options.startup_timeout = positive_duration("--startup-timeout", flags.startup_timeout, "60s");
  }
  options.registry = flags.registry;
  options.pull_engine = flags.pull_engine;
  options.network_profile = network_profile_named(flags.network_profile).name;
  if (!flags.pull_engine.empty() && flags.registry.empty()) {
    throw UsageError("--pull-engine pulls what --registry pushed: add --registry 127.0.0.1:5000");
  }
  return options;
}

// "5", "5%" or "0.5%" -> 0.05, 0.005.
double parse_percent(const std::string& flag, std::string text) {
  if (!text.empty() && text.back() == '%') text.pop_back();
  try {
    std::size_t used = 0;
    double value = std::stod(text, &used);
    if (used == text.size() && value > 0 && value < 100) return value / 100;
  } catch (const std::exception&) {
  }
  throw UsageError(fmt::format("{} '{}': write a percentage, e.g. 5%", flag, printable(text)));
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{
      "buildbench: measure Dockerfile variants (build time under cold and warm caches, image "
      "size, start-up) and keep every sample in SQLite."};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("buildbench ") + BUILDBENCH_VERSION);

  std::string db_path = default_db();
  std::string suite_path = default_suite();
  std::string source;

  // run
  auto* run =
      app.add_subcommand("run", "Build each scenario under each cache state; store samples");
  MeasureFlags measure;
  int runs = 3;
  double precision = 0, startup_precision = 5;
  const RunOptions run_defaults;
  int min_runs = run_defaults.min_runs, max_runs = run_defaults.max_runs;
  run->add_option("--suite", suite_path, "Suite manifest (suite.toml) or its folder")
      ->capture_default_str();
  run->add_option("--source", source, "Checkout that a published suite describes ({source})");
  run->add_option("--runs", runs, "Measured repetitions per scenario and state")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  run->add_option("--precision", precision,
                  "Adaptive design: repeat each build group until its median's 95% interval is "
                  "within +-PCT percent (between --min-runs and --max-runs); replaces --runs")
      ->check(CLI::Range(0.1, 100.0));
  run->add_option("--startup-precision", startup_precision,
                  "Adaptive design: the same for start-up groups (up to --startup-runs)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 100.0));
  run->add_option("--min-runs", min_runs, "Adaptive design: fewest repetitions of a build group")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  run->add_option("--max-runs", max_runs, "Adaptive design: most repetitions of a build group")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  add_measure_flags(run, measure, db_path, "Start-up repetitions per scenario and bytecode mode");
  std::int64_t resume_id = 0;
  run->add_option("--resume", resume_id,
                  "Complete the missing samples of an interrupted or failed run (its own options)");
  run->footer(R"(
Reliability: every sample is committed as it is taken. Ctrl-C (or SIGTERM) stops within
seconds, removes the containers and scratch folders, and marks the run 'interrupted';
'buildbench run --resume ID' then takes only the missing samples. A dead Docker daemon
stops the run (exit 3) with every earlier sample kept.

Cache states:
  cold           docker buildx prune -af and removal of the scenario's image before each sample
  warm-nochange  rebuild with nothing changed
  warm-code      rebuild after an edit to application code (edit.code in the manifest)
  warm-deps      rebuild after an edit to the dependency list (edit.deps)
CI cache states (only with --state; ci-registry, ci-inline and export-min/max need --registry;
all but the inline ones need the containerd image store on the docker driver):
  ci-registry    previous build exported its cache (mode=max); builder emptied (prune -af);
                 code edit; measured build imports it (--cache-from type=registry)
  ci-local       the same through a local folder (type=local)
  ci-inline      the same through the previous image, pushed with inline cache metadata
  export-min     warm-code's build with --cache-to type=registry,mode=min
  export-max     the same with mode=max;  export-local, export-inline: type=local, type=inline
Edits are made in a scratch copy of the context, never in your files.

Repetitions: --runs N repeats every group N times (the fixed design). --precision PCT
adapts: each group runs at least --min-runs times and stops once the 95% interval of its
median is within +-PCT% or at --max-runs (start-ups: at least 8, within
+---startup-precision, at most --startup-runs). It stops on precision, never on
significance, so the tests on its samples keep their meaning. Groups that a suite's claim
compares on a time get at least 5 repetitions, so the claim is decidable.

Start-up (after the builds, for each scenario with a [probe]): the image of its last good
build is started --startup-runs times in each of the scenario's start-up modes, interleaved:
  as-built     the image as built (always)
  no-bytecode  Python only: PYTHONPYCACHEPREFIX=<empty> PYTHONDONTWRITEBYTECODE=1
  NAME         a suite's own [mode.NAME]: environment variables and read-only mounts
A scenario names its modes with [startup] modes = [...]; without that, one unmeasured start
asks the in-container Python probe whether the service is a Python program, and only then are
the Python modes added. Each sample times, from the container's own process start (a stamp it
prints before running the image's entrypoint) to the ready line (ready_seconds), docker start
to the ready line (startup_seconds), docker create apart; the container is then killed at once
(SIGKILL). For Python services the probe adds the interpreter's own start to ready and how many
modules came from .pyc and how many were compiled.

Examples:
  buildbench run                                   # default suite, all states, 3 runs
  buildbench run --scenario final --state cold --runs 5 --warmup 1
  buildbench run --precision 3 --max-runs 8         # adaptive: medians within +-3%
  buildbench run --label branch=main --label commit=$(git rev-parse --short HEAD)
Prints the run id on stdout; progress goes to stderr.)");

  // ab
  auto* ab = app.add_subcommand(
      "ab", "Measure a baseline and a candidate version side by side, pair by pair");
  AbArgs ab_args;
  MeasureFlags ab_measure;
  ab_measure.startup_runs = 20;
  int pairs = 10, max_pairs = AbOptions{}.max_pairs;
  std::string detect, order = "abba";
  std::uint32_t seed = 0;
  ab->add_option("--baseline", ab_args.baseline_dir, "The baseline's suite (folder or suite.toml)");
  ab->add_option("--candidate", ab_args.candidate_dir,
                 "The candidate's suite (default: --suite as it is)");
  ab->add_option("--baseline-rev", ab_args.baseline_rev,
                 "The baseline is this revision of the repository holding --suite (e.g. main)");
  ab->add_option("--candidate-rev", ab_args.candidate_rev,
                 "The candidate is this revision (e.g. HEAD); checked out apart, never in place");
  ab->add_option("--suite", suite_path, "The suite in your checkout (for revisions and default)")
      ->capture_default_str();
  ab->add_option("--source", source, "Checkout that a published suite describes ({source})");
  ab->add_option("--pairs", pairs, "Pairs per scenario and state")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  ab->add_option("--detect", detect,
                 "Choose the pairs from a 3-pair pilot: enough to detect this change (e.g. 5%) "
                 "with 80% power; replaces --pairs");
  ab->add_option("--max-pairs", max_pairs, "Most pairs per group with --detect")
      ->capture_default_str()
      ->check(CLI::Range(kFewestPairs, 1000));
  ab->add_option("--order", order, "Order within pairs: abba (balanced blocks) or coin")
      ->capture_default_str()
      ->check(CLI::IsMember({"abba", "coin"}));
  ab->add_option("--seed", seed, "Seed of the order (default: drawn, stored with the runs)");
  add_measure_flags(ab, ab_measure, db_path, "Start-up pairs per scenario and bytecode mode");
  ab->footer(R"(
Both versions run in one session: for each scenario, cache state and repetition, the baseline
and the candidate build back to back under the same cache-state protocol as 'run', in an
order drawn per pair and stored (abba: blocks of two pairs, AB-BA or BA-AB by a coin;
coin: a coin per pair). Start-ups are paired the same way. The two sides get their own image
tags, so they never share an image. Each side is stored as a run (labels ab=ID, side=...,
rev=...), and each pair with its order: 'buildbench compare' on the two runs then uses
paired statistics (Wilcoxon signed-rank on per-pair log ratios). Drift of the machine
between runs cannot pass for a change, and drift within the session hits both sides alike.

Sample size: --pairs N (default 10), or --detect 5% picks, per build group, the pairs a
two-sided 5% test needs for 80% power from a 3-pair pilot's spread of log ratios
(the pilot pairs count), within [6, --max-pairs]; fewer than 6 pairs can never reach p<0.05.

Prints "BASELINE_RUN CANDIDATE_RUN" on stdout.

Examples:
  buildbench ab --baseline-rev main --candidate-rev HEAD --state cold --state warm-code
  buildbench ab --baseline-rev origin/main --scenario final --detect 5%   # candidate: checkout
  buildbench ab --baseline old-suite/ --candidate new-suite/ --pairs 12 --startup-runs 0
  buildbench compare --baseline 12 --candidate 13                          # the two runs)");

  // list
  auto* list =
      app.add_subcommand("list", "List a suite's scenarios and the cache states each supports");
  list->add_option("--suite", suite_path, "Suite manifest or its folder")->capture_default_str();
  list->add_option("--source", source, "Checkout that a published suite describes");

  // export
  auto* exp = app.add_subcommand("export", "Print every stored sample as JSON or CSV");
  std::string run_selector = "latest";
  std::string format = "json";
  exp->add_option("--run", run_selector, "Run id, 'latest', 'all' or a label KEY=VALUE")
      ->capture_default_str();
  exp->add_option("--format", format,
                  "json, csv, gbench (Google Benchmark JSON, for its compare.py and Bencher) or "
                  "hyperfine (hyperfine's --export-json shape)")
      ->capture_default_str()
      ->check(CLI::IsMember({"json", "csv", "gbench", "hyperfine"}));
  exp->add_option("--db", db_path, "SQLite database file")->capture_default_str();
  exp->footer(R"(
Examples:
  buildbench export --format csv > samples.csv
  buildbench export --run branch=main | jq '.samples[] | select(.status != "ok")')");

  // compare
  auto* cmp = app.add_subcommand("compare",
                                 "Compare a candidate against a baseline; exit 1 on a regression");
  std::string baseline_sel, candidate_sel = "latest", cmp_format = "console", summary_file;
  double alpha = 0.05;
  std::vector<std::string> thresholds;
  bool strict = false;
  cmp->add_option("--baseline", baseline_sel, "Run id, 'latest' or a label KEY=VALUE (runs pool)")
      ->required();
  cmp->add_option("--candidate", candidate_sel, "Run id, 'latest' or a label KEY=VALUE")
      ->capture_default_str();
  cmp->add_option("--format", cmp_format, "console, markdown or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"console", "markdown", "json"}));
  cmp->add_option(
         "--alpha", alpha,
         "Significance level of the test (Mann-Whitney U; Wilcoxon signed-rank when paired)")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 0.5));
  cmp->add_option("--threshold", thresholds,
                  "METRIC=PERCENT or SCENARIO:METRIC=PERCENT (repeatable); defaults 5 for times, "
                  "1 for sizes, 0 for counts");
  cmp->add_flag("--strict", strict, "Refuse to compare runs from different hosts or tool versions");
  bool paired_flag = false, unpaired_flag = false;
  auto* paired_option =
      cmp->add_flag("--paired", paired_flag,
                    "Require pairs (the two runs of one 'buildbench ab'); the default pairs them "
                    "whenever they are");
  cmp->add_flag("--unpaired", unpaired_flag,
                "Ignore pairs: compare as two independent groups (Mann-Whitney U)")
      ->excludes(paired_option);
  cmp->add_option("--output", summary_file, "Also write the markdown summary to this file");
  cmp->add_option("--db", db_path, "SQLite database file")->capture_default_str();
  cmp->footer(R"(
A regression needs both significance (p < alpha, two-sided Mann-Whitney U, exact for small
samples without ties) and a change beyond the metric's threshold. The two runs of one
'buildbench ab' are compared pair by pair instead: the change is the Hodges-Lehmann estimate
over the Walsh averages of the per-pair log ratios, with its distribution-free interval, and
p comes from the Wilcoxon signed-rank test; verdicts and thresholds are the same. A group
whose values trend over the order they were taken in (Mann-Kendall) is named in a warning. Deterministic metrics (image
sizes, cached steps) are compared exactly. Verdicts: regression, improvement, no change,
inconclusive (not significant and the interval reaches beyond the threshold), failed.

Exit codes: 0 no regression, 1 regression, 2 bad usage or input,
            3 failed samples, or --strict and the two sides ran on different hosts/tools.

Examples:
  buildbench compare --baseline branch=main --candidate branch=my-change
  buildbench compare --baseline 12 --candidate latest --format markdown --output summary.md
  buildbench compare --baseline branch=main --threshold build_seconds=10 --threshold final:image_bytes=0.5)");

  // nightly
  auto* night = app.add_subcommand(
      "nightly", "Run, compare with the previous nightly, find lasting shifts, write the report");
  NightlyArgs nightly_args;
  nightly_args.out_dir = "reports";
  int nightly_runs = 5, nightly_startup = 30;
  night->add_option("--suite", suite_path, "Suite manifest or its folder")->capture_default_str();
  night->add_option("--source", source, "Checkout that a published suite describes");
  night->add_option("--runs", nightly_runs, "Measured repetitions per scenario and state")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  night->add_option("--startup-runs", nightly_startup, "Start-up repetitions per mode")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  night->add_option("--reference", nightly_args.reference,
                    "Also compare with this pinned run (id or KEY=VALUE label)");
  night->add_option("--date", nightly_args.date,
                    "Label the nightly with this date (default today, UTC)");
  night->add_option("--out", nightly_args.out_dir, "Folder for the report and nightly-summary.md")
      ->capture_default_str();
  night->add_option("--builder", nightly_args.builder, "buildx builder to build on");
  std::vector<std::string> nightly_thresholds;
  night->add_option("--threshold", nightly_thresholds,
                    "METRIC=PERCENT or SCENARIO:METRIC=PERCENT for both comparisons (as compare)");
  night->add_flag("--no-wait", nightly_args.no_wait, "Refuse when another run holds the daemon");
  night->add_option("--db", db_path, "SQLite database file")->capture_default_str();
  night->footer(R"(
Labels the run kind=nightly, nightly=DATE, commit=REV; compares it with the previous complete
nightly of the suite (and --reference); looks for lasting shifts (a change-point test over
per-night medians) and names the first night each appeared; writes the report and
nightly-summary.md (also appended to $GITHUB_STEP_SUMMARY when set).
Exit codes: 0 no regression, 1 regression, 2 bad usage, 3 failed samples or environment.

Example (cron, 02:00):  buildbench nightly --db /var/lib/buildbench/nightly.db --out docs/benchmarks)");

  // report
  auto* rep = app.add_subcommand(
      "report", "Write the benchmark page (markdown, HTML, SVG charts, JSON, CSV)");
  std::string report_run = "latest-complete", out_dir = "reports";
  std::string report_suite;
  rep->add_option("--run", report_run,
                  "Run id, 'latest', 'latest-complete' or a label KEY=VALUE (runs pool)")
      ->capture_default_str();
  rep->add_option("--suite", report_suite,
                  "Suite manifest for scenario order and claims (default: the run's own)");
  rep->add_option("--source", source, "Checkout that a published suite describes");
  rep->add_option("--out", out_dir, "Folder to write into")->capture_default_str();
  double report_alpha = 0.05;
  rep->add_option("--alpha", report_alpha,
                  "Significance level for claims, step-to-step marks and drift (as compare's)")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 0.5));
  rep->add_option("--db", db_path, "SQLite database file")->capture_default_str();
  rep->footer(R"(
Writes benchmark.md (and benchmark.html, the same page for a browser), build-time.svg,
startup.svg, image-size.svg, trend-*.svg when the database holds earlier runs of the suite,
and data.json / data.csv. The same database gives byte-identical files.

Examples:
  buildbench report                              # latest complete run -> reports/
  buildbench report --run nightly=2026-11-24 --out docs/benchmarks)");

  // merge
  auto* mrg =
      app.add_subcommand("merge", "Import runs from other buildbench databases (one per machine)");
  std::vector<std::string> merge_from;
  mrg->add_option("--from", merge_from, "Database to import from (repeatable)")->required();
  mrg->add_option("--db", db_path, "Database to import into")->capture_default_str();
  mrg->footer(
      "\nRuns keep their fingerprints; runs already present are skipped, so merging twice "
      "changes nothing.\nExample: buildbench merge --from ci-amd64.db --from ci-arm64.db --db "
      "all.db");

  // prune-history
  auto* prune =
      app.add_subcommand("prune-history", "Thin old raw samples, keeping per-group summaries");
  int keep = 30;
  prune->add_option("--keep", keep, "Keep the raw samples of this many newest runs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  prune->add_option("--db", db_path, "SQLite database file")->capture_default_str();
  prune->footer(
      "\nOlder runs keep, per scenario, state and metric: count, failures, median and "
      "its CI, mean, stddev, MAD, min, max;\ntrends and nightly change-point "
      "detection read them. Example: buildbench prune-history --keep 60");

  InitCommand init = add_init_command(app);

  // doctor
  auto* doctor = app.add_subcommand("doctor", "Check the engine, buildx, base images and database");
  doctor->add_option("--suite", suite_path, "Suite whose base images to check")
      ->capture_default_str();
  doctor->add_option("--db", db_path, "SQLite database file")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    throw UsageError(fmt::format("{}; see 'buildbench --help'", e.what()));
  }

  ManifestVars vars;
  if (!source.empty()) vars.source = fs::absolute(source);

  if (*run) {
    RunOptions options = measure_options(measure);
    options.runs = runs;
    if (run->count("--precision") > 0) {
      if (run->count("--runs") > 0) {
        throw UsageError("--runs fixes the count and --precision adapts it: give one of them");
      }
      if (min_runs > max_runs) {
        throw UsageError(fmt::format("--min-runs {} exceeds --max-runs {}", min_runs, max_runs));
      }
      options.build_precision = precision / 100;
      options.startup_precision = startup_precision / 100;
      options.min_runs = min_runs;
      options.max_runs = max_runs;
    }
    options.command = command_line(argc, argv);
    if (resume_id != 0) {
      Store store(db_path, Store::Mode::kReadWrite);
      auto stored = store.run(resume_id);
      if (!stored) {
        throw UsageError(fmt::format("--resume {}: no such run in '{}'", resume_id, db_path));
      }
      options = Runner::resumed_options(*stored, options);
      if (run->count("--suite") == 0) suite_path = stored->suite_path;
    }
    Suite suite = load_suite(suite_path, vars);
    std::int64_t run_id = execute_run(suite, options, db_path, measure.no_wait, measure.builder);
    fmt::print("{}\n", run_id);
    return kExitOk;
  }
  if (*ab) {
    ab_args.suite_path = suite_path;
    ab_args.vars = vars;
    ab_args.db_path = db_path;
    ab_args.builder = ab_measure.builder;
    ab_args.no_wait = ab_measure.no_wait;
    AbOptions& options = ab_args.options;
    options.run = measure_options(ab_measure);
    options.run.runs = pairs;
    options.run.command = command_line(argc, argv);
    options.order = order == "coin" ? PairOrder::kCoin : PairOrder::kAbba;
    options.max_pairs = max_pairs;
    if (!detect.empty()) {
      if (ab->count("--pairs") > 0) {
        throw UsageError("--pairs fixes the count and --detect chooses it: give one of them");
      }
      options.detect = parse_percent("--detect", detect);
    }
    if (ab->count("--seed") > 0) options.seed = seed;
    return run_ab(ab_args);
  }
  if (*list) {
    Suite suite = load_suite(suite_path, vars);
    fmt::print("suite {} ({})\n", suite.name, suite.manifest.string());
    for (const auto& scenario : suite.scenarios) {
      std::vector<std::string> names;
      for (auto state : scenario.supported_states()) names.push_back(to_string(state));
      fmt::print("  {:<34} {}\n", printable(scenario.name), fmt::join(names, " "));
    }
    return kExitOk;
  }
  if (*exp) {
    Store store(db_path, Store::Mode::kReadOnly);
    std::vector<std::int64_t> ids;
    if (run_selector == "all") {
      for (const auto& r : store.runs()) ids.push_back(r.id);
    } else {
      ids = store.select_runs(run_selector);
    }
    std::vector<RunRecord> runs_found;
    for (auto id : ids) runs_found.push_back(*store.run(id));
    auto samples = store.samples(ids);
    if (format == "csv") {
      export_csv(std::cout, samples);
    } else if (format == "gbench") {
      export_gbench(std::cout, runs_found, samples);
    } else if (format == "hyperfine") {
      export_hyperfine(std::cout, samples);
    } else {
      export_json(std::cout, runs_found, samples);
    }
    return kExitOk;
  }
  if (*cmp) {
    CompareOptions options;
    options.alpha = alpha;
    if (paired_flag) options.pairing = CompareOptions::Pairing::kPaired;
    if (unpaired_flag) options.pairing = CompareOptions::Pairing::kUnpaired;
    parse_thresholds(thresholds, options);
    Store store(db_path, Store::Mode::kReadOnly);
    auto base_ids = store.select_runs(baseline_sel);
    auto cand_ids = store.select_runs(candidate_sel);
    Comparison comparison = compare_selections(store, base_ids, cand_ids, options);
    if (strict && !comparison.fingerprint_differences.empty()) {
      std::string keys;
      for (const auto& d : comparison.fingerprint_differences)
        keys += (keys.empty() ? "" : ", ") + d.key;
      fmt::print(stderr,
                 "buildbench: error: --strict: the two sides differ in {}; compare runs "
                 "from the same host and tools\n",
                 keys);
      return kExitEnvironment;
    }
    if (cmp_format == "json") {
      render_compare_json(std::cout, comparison);
    } else if (cmp_format == "markdown") {
      render_compare_markdown(std::cout, comparison);
    } else {
      render_compare_console(std::cout, comparison, isatty(STDOUT_FILENO) != 0);
    }
    if (!summary_file.empty()) {
      std::ofstream out(summary_file);
      render_compare_markdown(out, comparison);
      if (!out) throw EnvironmentError(fmt::format("cannot write --output '{}'", summary_file));
    }
    if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
      std::ofstream out(summary, std::ios::app);
      render_compare_markdown(out, comparison);
    }
    return compare_exit_code(comparison);
  }
  if (*night) {
    nightly_args.suite_path = suite_path;
    nightly_args.vars = vars;
    nightly_args.db_path = db_path;
    nightly_args.run.runs = nightly_runs;
    nightly_args.run.startup_runs = nightly_startup;
    nightly_args.run.command = command_line(argc, argv);
    parse_thresholds(nightly_thresholds, nightly_args.compare);
    return run_nightly(nightly_args);
  }
  if (*rep) {
    Store store(db_path, Store::Mode::kReadOnly);
    ReportInput input = gather_report_input(store, report_run, report_suite, vars);
    input.alpha = report_alpha;
    std::vector<std::int64_t> ids;
    for (const auto& r : input.runs) ids.push_back(r.id);
    auto files = build_report(input);
    fs::create_directories(out_dir);
    for (const auto& [name, content] : files) {
      std::ofstream out(fs::path(out_dir) / name, std::ios::binary);
      out << content;
      if (!out)
        throw EnvironmentError(
            fmt::format("cannot write '{}'", (fs::path(out_dir) / name).string()));
    }
    fmt::print(stderr, "buildbench: report for run {} written to {}/benchmark.md ({} files)\n",
               fmt::join(ids, ", "), out_dir, files.size());
    return kExitOk;
  }
  if (*mrg) {
    Store store(db_path, Store::Mode::kReadWrite);
    for (const auto& from : merge_from) {
      auto result = merge_database(store, from);
      fmt::print("merged {}: {} run(s) imported ({} samples), {} already present\n", from,
                 result.imported, result.samples, result.skipped);
    }
    return kExitOk;
  }
  if (*prune) {
    Store store(db_path, Store::Mode::kReadWrite);
    auto runs = store.runs();
    std::size_t pruned = 0, removed = 0;
    for (std::size_t i = 0; i + keep < runs.size(); ++i) {
      const auto& run = runs[i];
      if (run.pruned || run.status == "running") continue;
      std::map<std::tuple<std::string, std::string, std::string, std::string>, std::vector<double>>
          values;
      std::map<std::tuple<std::string, std::string, std::string>, std::size_t> failures;
      for (const auto& stored : store.samples({run.id}, false)) {
        const Sample& s = stored.sample;
        if (s.warmup) continue;
        if (s.status != "ok") ++failures[{s.scenario, s.kind, s.state}];
        for (const auto& m : s.metrics)
          values[{s.scenario, s.kind, s.state, m.name}].push_back(m.value);
      }
      std::vector<Store::SummaryRow> rows;
      for (const auto& [key, v] : values) {
        auto s = stats::summarize(v);
        Store::SummaryRow r;
        r.run_id = run.id;
        std::tie(r.scenario, r.kind, r.state, r.metric) = key;
        r.count = s.count;
        r.failures = failures[{r.scenario, r.kind, r.state}];
        r.median = s.median;
        r.mean = s.mean;
        r.stddev = s.stddev;
        r.mad = s.mad;
        r.min = s.min;
        r.max = s.max;
        r.ci_low = s.median_ci.available ? s.median_ci.low : NAN;
        r.ci_high = s.median_ci.available ? s.median_ci.high : NAN;
        rows.push_back(r);
      }
      removed += store.prune_run(run.id, rows);
      ++pruned;
    }
    store.vacuum();
    fmt::print(
        "pruned {} run(s): {} raw samples replaced by summaries; the newest {} runs are "
        "untouched\n",
        pruned, removed, keep);
    return kExitOk;
  }
  if (*doctor) {
    return run_doctor(suite_path, db_path);
  }
  if (*init.app) return run_init(init);
  return kExitUsage;
}

}  // namespace bb
