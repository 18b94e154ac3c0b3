// `buildbench run`: build each scenario under each cache state and store the samples.
#include <cstdint>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "session/shard.hpp"
#include "stats/stopping.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

struct RunFlags {
  std::string suite_path = default_suite();
  std::string source;
  std::string db_path = default_db();
  MeasureFlags measure;
  int runs = 3;
  double precision = 0, startup_precision = 5,
         precision_floor_ms = stats::kBuildPrecisionFloorSeconds * 1000, claim_precision = 0;
  int min_runs = RunOptions{}.min_runs, max_runs = RunOptions{}.max_runs, claim_max_runs = 0;
  std::string budget;
  std::int64_t resume_id = 0;
  std::string shard, shard_by;
};

const char* kRunFooter = R"(
Reliability: every sample is committed as it is taken. Ctrl-C (or SIGTERM) stops within
seconds, removes the containers and scratch folders, and marks the run 'interrupted';
'buildbench run --resume ID' then takes only the missing samples. A dead Docker daemon
stops the run (exit 3) with every earlier sample kept. A run that completes with failed
samples (a build error, a timeout, a "rebuild" served from cache) stores them with their
reasons, prints the run id and exits 3, so CI sees them.

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
  ci-registry-deps  ci-registry after a dependency edit (edit.deps) in place of the code edit
A fresh runner's cold build (needs --registry; measured by default for a claim's scenarios
when the run also has --pull-engine, else only with --state):
  cold-pull      cold, with every FROM image pulled from the registry through
                 --network-profile; built on the --pull-engine (emptied of our images and
                 its build cache before and after), else on this engine with the bases
                 removed and put back after (where a sample fails when an image built on a
                 base kept its layers, so its FROM downloaded under half of them)
Edits are made in a scratch copy of the context, never in your files.

Repetitions: --runs N repeats every group N times (the fixed design). --precision PCT
adapts: each group runs at least --min-runs times and stops once the 95% interval of its
median is within +-PCT% (or +-20 ms, --precision-floor, when that is wider) or at
--max-runs (start-ups: at least 8, within +---startup-precision, at most --startup-runs).
It stops on precision, never on significance, so the tests on its samples keep their
meaning. Groups that a suite's claim compares on a time get at least 5 repetitions, so the
claim is decidable; --claim-precision and --claim-max-runs give their build groups a
tighter target than the rest (scripts/bench: +-3% in 5..6 runs for them; the headline's
others 3 runs, marked when not within +-10%). Once a scenario's cold group has stopped, its
warm groups take their remaining repetitions in one visit: later rounds would otherwise
rebuild it in full, after another scenario's prune, only to prime them.

Claims as pairs: a suite's claim on build_seconds in a state (step-4 builds faster than
step-3, cold) is measured pair by pair: in each round its two scenarios build that state back
to back, the order drawn and stored (abba), and the page judges the claim on the per-pair log
ratios with the paired tests `ab` uses, so drift within the run cannot pass for a difference.
--runs N takes N pairs (6 or more; fewer could never be significant, so --runs 5 keeps the
claims unpaired). The adaptive design looks at a claim's pairs from 6 on (at most four
looks, the last at --claim-max-runs, default --max-runs) and stops once they cross a
Lan-DeMets O'Brien-Fleming boundary, which keeps the false verdicts at 5% over all the looks,
and each of its scenarios' groups is within its target; else at the last look. The scenarios'
other states run on their own as before; a scenario in two claims is built in both.

Budget: --budget 30m bounds the measuring time of this invocation (from its start; a resumed
run gets its budget again). Start-ups keep their minimums, the headline's build groups one
value each. Before each visit the run predicts each group's cost (this run's timings, else the
suite's last complete run) and what its target still needs. A claim's pairs get their first
look whole (the cheapest claims first, while they fit) or stay where they are: pairs short of
a look decide nothing. The repetitions past that go, while the predicted total fits, to those
claims up to what their verdicts need, then the headline's other build groups, then start-ups,
the widest spread first (their minimums are reserved while the builds run), and last to the
claims that did not fit. No visit starts once the budget is spent, nor one predicted to end more than one build
past it. The run then ends complete; every group short of its target is stored and listed, and
the page says which claims the budget left undecided. The stopping rule still stops any group
early: the budget only caps, never stops on significance.

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

Shards: --shard K/N measures the K-th of N parts of the selected scenarios, so N runners
(a CI matrix) measure a suite once between them into one database (a shared PostgreSQL).
Every runner computes the same split from the database: balanced on each scenario's cost
(the seconds its samples took, builds and start-ups) in the suite's newest complete run
whose labels differ from this one's (this fleet's own finished shards never count; when
that run was itself a shard, with its sibling shards), greedy longest first into the least
loaded shard, ties in the suite's order; by count (round robin) without such a run. Once
one shard of the fleet (same suite, labels and N) is stored, the others take its basis, so
a shard that starts after another finished still gets the same split. --shard-by SEL pins
the basis (a run id or the label of an earlier fleet). A claim's two scenarios stay in one
shard. --shard needs a --label naming the fleet (the shards find each other by it, and
'buildbench report --run KEY=VALUE' renders them as one page). The shard (K, N, its
scenarios, the basis) is stored with the run; --resume continues a shard with its own.
'buildbench list --shard K/N' shows the split without measuring.

Examples:
  buildbench run                                   # default suite, all states, 3 runs
  buildbench run --scenario final --state cold --runs 5 --warmup 1
  buildbench run --precision 3 --max-runs 8         # adaptive: medians within +-3%
  buildbench run --precision 10 --max-runs 4 --claim-precision 3 --claim-max-runs 6
  buildbench run --precision 10 --claim-precision 3 --claim-max-runs 6 --budget 30m
  buildbench run --label branch=main --label commit=$(git rev-parse --short HEAD)
  # a CI matrix of 4 runners (shard: [1, 2, 3, 4]), one database, then one page:
  buildbench run --shard ${{ matrix.shard }}/4 --label nightly=$(date +%F) \
      --db postgresql://bench@db.example:5432/buildbench
  buildbench report --run nightly=$(date +%F) --db postgresql://bench@db.example:5432/buildbench
Prints the run id on stdout; progress goes to stderr.)";

// The fixed design (--runs) or the adaptive one (--precision and its bounds).
void add_design_options(CLI::App* run, RunFlags& flags) {
  run->add_option("--runs", flags.runs, "Measured repetitions per scenario and state")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  run->add_option("--precision", flags.precision,
                  "Adaptive design: repeat each build group until its median's 95% interval is "
                  "within +-PCT percent (between --min-runs and --max-runs); replaces --runs")
      ->check(CLI::Range(0.1, 100.0));
  run->add_option("--precision-floor", flags.precision_floor_ms,
                  "Adaptive design: a build group whose median is within +-MS milliseconds is "
                  "precise enough, whatever percentage that is (a ~150 ms cached rebuild "
                  "jitters by more than 3% from the docker CLI's start alone)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 60000.0));
  run->add_option("--startup-precision", flags.startup_precision,
                  "Adaptive design: the same for start-up groups (up to --startup-runs)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 100.0));
  run->add_option("--min-runs", flags.min_runs,
                  "Adaptive design: fewest repetitions of a build group")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  run->add_option("--max-runs", flags.max_runs,
                  "Adaptive design: most repetitions of a build group")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  run->add_option("--claim-precision", flags.claim_precision,
                  "Adaptive design: the target of build groups a suite's claim compares "
                  "(default: --precision); a verdict needs a narrower interval than a headline")
      ->check(CLI::Range(0.1, 100.0));
  run->add_option("--claim-max-runs", flags.claim_max_runs,
                  "Adaptive design: most repetitions of a build group a claim compares, and "
                  "the most pairs of a claim (its last look; default: --max-runs)")
      ->check(CLI::Range(1, 1000));
  run->add_option("--budget", flags.budget,
                  "Adaptive design: measure for at most this long (30m, 1h, 90s, 1h30m), ending "
                  "within it plus one build; repetitions past the minimums go to claimed groups "
                  "first (see Budget below)");
}

// --budget: a duration above zero.
std::chrono::milliseconds budget_of(const std::string& text) {
  auto budget = parse_duration(text);
  if (!budget || budget->count() <= 0) {
    throw UsageError(
        fmt::format("--budget '{}' is not a time to measure for; write e.g. --budget 30m, 1h, "
                    "90s or 1h30m",
                    printable(text)));
  }
  return *budget;
}

RunOptions design_options(const CLI::App& run, const RunFlags& flags) {
  RunOptions options = measure_options(flags.measure);
  options.runs = flags.runs;
  if (run.count("--precision") > 0) {
    if (run.count("--runs") > 0) {
      throw UsageError("--runs fixes the count and --precision adapts it: give one of them");
    }
    if (flags.min_runs > flags.max_runs) {
      throw UsageError(
          fmt::format("--min-runs {} exceeds --max-runs {}", flags.min_runs, flags.max_runs));
    }
    int claim_min = std::max(flags.min_runs, RunOptions{}.claim_min_runs);
    if (flags.claim_max_runs > 0 && claim_min > flags.claim_max_runs) {
      throw UsageError(fmt::format(
          "--claim-max-runs {} is below the {} runs a claim's groups take at least (5 against 5 "
          "is the fewest an exact U test decides at p < 0.05 with room; --min-runs {}): give "
          "--claim-max-runs {} or more",
          flags.claim_max_runs, claim_min, flags.min_runs, claim_min));
    }
    options.build_precision = flags.precision / 100;
    options.startup_precision = flags.startup_precision / 100;
    options.build_precision_floor = flags.precision_floor_ms / 1000;
    options.min_runs = flags.min_runs;
    options.max_runs = flags.max_runs;
    options.claim_precision = flags.claim_precision / 100;
    options.claim_max_runs = flags.claim_max_runs;
    if (run.count("--budget") > 0) options.budget = budget_of(flags.budget);
  } else if (run.count("--budget") > 0) {
    throw UsageError(run.count("--runs") > 0
                         ? "--budget plans the adaptive design's repetitions, and --runs fixes "
                           "them: drop --runs and give --precision PCT (e.g. --precision 10 "
                           "--budget 30m)"
                         : "--budget plans the adaptive design's repetitions: add --precision "
                           "PCT (e.g. --precision 10 --budget 30m)");
  } else if (run.count("--claim-precision") > 0 || run.count("--claim-max-runs") > 0) {
    throw UsageError(
        "--claim-precision and --claim-max-runs refine the adaptive design: add "
        "--precision PCT");
  }
  return options;
}

// --shard on a resumed run: only the shard it already is.
void check_resumed_shard(const RunFlags& flags, const RunOptions& resumed) {
  if (flags.shard.empty()) return;
  if (!flags.shard_by.empty()) {
    throw UsageError(fmt::format(
        "--resume {} --shard-by {}: a resumed shard keeps the split it started with; drop "
        "--shard-by",
        flags.resume_id, flags.shard_by));
  }
  auto spec = parse_shard(flags.shard);
  if (!resumed.shard) {
    throw UsageError(fmt::format(
        "--resume {} --shard {}: run {} measured the whole selection, not a shard; resume it "
        "without --shard",
        flags.resume_id, flags.shard, flags.resume_id));
  }
  if (resumed.shard->index != spec.index || resumed.shard->count != spec.count) {
    throw UsageError(fmt::format(
        "--resume {} --shard {}: run {} is shard {}/{}; resume it with --shard {}/{} or "
        "without --shard, or start shard {} as a run of its own",
        flags.resume_id, flags.shard, flags.resume_id, resumed.shard->index, resumed.shard->count,
        resumed.shard->index, resumed.shard->count, flags.shard));
  }
}

// --shard K/N: the run's scenarios become its shard's, stored with the run.
void take_shard(const RunFlags& flags, const Suite& suite, RunOptions& options) {
  auto spec = parse_shard(flags.shard);
  if (options.labels.empty()) {
    throw UsageError(fmt::format(
        "--shard {} needs a --label naming this fleet's runs (e.g. --label nightly=$(date "
        "+%F), or the CI run's id): the shards find each other by it, and 'buildbench report "
        "--run KEY=VALUE' renders them as one page",
        flags.shard));
  }
  Store store(flags.db_path, Store::Mode::kReadWrite);
  auto partition = plan_partition(&store, suite, options, spec.count, flags.shard_by);
  options.shard = shard_of(partition, spec);
  options.scenarios = options.shard->scenarios;
  std::size_t total = 0;
  for (const auto& shard : partition.shards) total += shard.size();
  double all = 0;
  for (double load : partition.load) all += load;
  std::string basis =
      partition.balanced_by == "cost"
          ? fmt::format("balanced on the seconds of run {} (this shard {:.0f} s of {:.0f} s)",
                        fmt::join(partition.basis_runs, ", "), partition.load[spec.index - 1], all)
          : "by count (no basis run holds samples of these scenarios to balance on)";
  fmt::print(stderr, "buildbench: shard {}/{}: {} of {} scenarios ({}), {}\n", spec.index,
             spec.count, options.shard->scenarios.size(), total,
             fmt::join(options.shard->scenarios, ", "), basis);
}

int measure_suite(const CLI::App& run, RunFlags flags, const std::string& command_line) {
  ManifestVars vars = manifest_vars(flags.source);
  RunOptions options = design_options(run, flags);
  options.command = command_line;
  if (flags.resume_id != 0) {
    Store store(flags.db_path, Store::Mode::kReadWrite);
    auto stored = store.run(flags.resume_id);
    if (!stored) {
      throw UsageError(
          fmt::format("--resume {}: no such run in '{}'", flags.resume_id, flags.db_path));
    }
    options = resumed_options(*stored, options);
    check_resumed_shard(flags, options);
    if (run.count("--suite") == 0) flags.suite_path = stored->suite_path;
  }
  Suite suite = load_suite(flags.suite_path, vars);
  if (flags.resume_id == 0 && !flags.shard.empty()) take_shard(flags, suite, options);
  RunOutcome outcome =
      execute_run(suite, options, flags.db_path, flags.measure.no_wait, flags.measure.builder);
  fmt::print("{}\n", outcome.run_id);
  // A job that checks only the status still learns that samples failed; they are stored.
  return outcome.failed > 0 ? kExitEnvironment : kExitOk;
}

}  // namespace

Subcommand add_run_command(CLI::App& parent, const std::string& command_line) {
  auto* run =
      parent.add_subcommand("run", "Build each scenario under each cache state; store samples");
  auto flags = std::make_shared<RunFlags>();
  run->add_option("--suite", flags->suite_path, "Suite manifest (suite.toml) or its folder")
      ->capture_default_str();
  run->add_option("--source", flags->source,
                  "Checkout that a published suite describes ({source})");
  add_design_options(run, *flags);
  add_measure_flags(run, flags->measure, flags->db_path,
                    "Start-up repetitions per scenario and bytecode mode");
  run->add_option("--resume", flags->resume_id,
                  "Complete the missing samples of an interrupted or failed run (its own options)");
  auto* shard = run->add_option(
      "--shard", flags->shard,
      "K/N: measure the K-th of N parts of the selected scenarios (N runners, one database; "
      "see Shards below)");
  run->add_option("--shard-by", flags->shard_by,
                  "With --shard: balance the split on these runs (an id or KEY=VALUE) instead "
                  "of the suite's newest complete run of another label")
      ->needs(shard);
  run->footer(kRunFooter);
  return {run, [run, flags, command_line] { return measure_suite(*run, *flags, command_line); }};
}

}  // namespace bb
