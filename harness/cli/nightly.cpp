// `buildbench nightly`: last night's revision and tonight's measured side by side (one `ab`
// session), judged pair by pair, what changed since last night, a pinned reference, lasting
// shifts over the history, the report.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/gather.hpp"
#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "compare/what_changed.hpp"
#include "docker/cli_engine.hpp"
#include "model/metrics.hpp"
#include "model/testbed.hpp"
#include "report/compare_report.hpp"
#include "scenario/revision.hpp"
#include "session/describe.hpp"
#include "stats/edivisive.hpp"
#include "stats/summary.hpp"
#include "util/error.hpp"
#include "util/git.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

struct NightlyFlags {
  std::string suite_path = default_suite();
  std::string source;
  std::string db_path = default_db();
  std::string out_dir = "reports";
  std::string reference;  // run selector, or ""
  std::string date;       // YYYY-MM-DD, default today (UTC)
  std::string builder;
  bool no_wait = false;
  std::string testbed;  // --testbed; empty: derived from the fingerprint
  bool across_testbeds = false;
  int runs = 16, startup_runs = 30;     // pairs, once there is a last night to pair with
  std::vector<std::string> thresholds;  // for every comparison (paired: build_seconds at 3%)
};

const char* kNightlyFooter = R"(
Tonight against last night, side by side: the suite at the previous nightly's commit (checked
out apart, as 'ab --baseline-rev' does) and the checkout as it is tonight are measured in one
'ab' session, pair by pair in a stored random order, and judged with the paired statistics
(as 'compare' on the two runs). Drift of the machine between the nights cannot pass for a
change, so a regression committed today is flagged tonight. --runs and --startup-runs count
pairs (each side builds that often). --runs defaults to 16 and the paired verdict reads build
times at a 3% threshold (--threshold build_seconds=P for another): on simulated histories at
the noise of the stored main jobs (scripts/nightly-sim) that flags a +5% step within 3 nights
in 96.9% of them, with 0.58 false alarms per 100 series-nights, where 6 pairs at 5% flagged
37.5%. Fewer pairs cost less and catch less; fewer than 6 are refused (their exact signed-rank
test cannot reach p<0.05: the smallest two-sided p of 5 pairs is 2/2^5 = 0.0625), and
--startup-runs 0 skips start-ups. When last night's commit is tonight's, the pairs measure
noise without drift; a base image or package index that changed since last night reaches both
sides alike and shows only in the history and in 'What changed'. The first nightly of a suite
is a plain one-side run. A previous nightly that recorded no commit (a suite outside git) is
compared unpaired, drift included, and said so.

Runs: tonight's is labelled kind=nightly, nightly=DATE, commit=REV (the history: one run a
night); last night's side kind=nightly-baseline, nightly=DATE, commit=REV (out of the history).

What changed since last night: the recorded inputs that differ between last night's run and
tonight's (commit and files, base image digests, package index, engine versions, host); a
paired regression names them as its candidate causes.

--reference SELECTOR (e.g. kind=reference, a release's pinned run) is an unpaired comparison
with a stored run, drift between the runs included; for a paired view of a release run a weekly
'buildbench ab --baseline-rev <release tag>' job.

The long view: change points over the nightly history (E-divisive means over each tracked
series' samples, whole nights permuted), each with its first night, size, interval and p. Then
the report, the history page (history.md, as 'report --history': a chart per series with its
change points and their causes) and nightly-summary.md go to --out (the summary also to
$GITHUB_STEP_SUMMARY when set).
Exit codes: 0 no regression, 1 regression, 2 bad usage (another suite's database, last night's
commit missing from a shallow clone: fetch with git fetch --unshallow or actions/checkout's
fetch-depth: 0; a --reference matching no run; nothing is measured or stored), 3 failed
samples or environment.

Testbeds: last night is the latest complete nightly on tonight's testbed (--testbed NAME, or
derived from the fingerprint: CPU, cores, memory, engine, BuildKit, network profile, stand-in
images); a --reference on another testbed is refused, and the history and its change points
keep to tonight's testbed. --across-testbeds takes the latest nightly on any testbed and
lets the comparisons and the history mix them (the output names the testbeds).

Example (cron, 02:00):  buildbench nightly --db /var/lib/buildbench/nightly.db --out docs/benchmarks)";

void add_nightly_options(CLI::App* night, NightlyFlags& flags) {
  night->add_option("--suite", flags.suite_path, "Suite manifest or its folder (in a git checkout)")
      ->capture_default_str();
  night->add_option("--source", flags.source, "Checkout that a published suite describes");
  night
      ->add_option("--runs", flags.runs,
                   "Pairs per scenario and state (last night's and tonight's side each build "
                   "this often); repetitions on the first night")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  night->add_option("--startup-runs", flags.startup_runs, "Start-up pairs per mode")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  night->add_option("--reference", flags.reference,
                    "Also compare, unpaired, with this pinned run (id or KEY=VALUE label)");
  night->add_option("--date", flags.date, "Label the nightly with this date (default today, UTC)");
  night->add_option("--out", flags.out_dir, "Folder for the report and nightly-summary.md")
      ->capture_default_str();
  night->add_option("--builder", flags.builder, "buildx builder to build on");
  night->add_option("--threshold", flags.thresholds,
                    "METRIC=PERCENT or SCENARIO:METRIC=PERCENT for every comparison (as compare; "
                    "without one for build_seconds the paired verdict reads it at 3%)");
  add_testbed_option(night, flags.testbed);
  add_across_testbeds_flag(night, flags.across_testbeds,
                           "Take last night, the reference and the history");
  night->add_flag("--no-wait", flags.no_wait, "Refuse when another run holds the daemon");
  add_db_option(night, flags.db_path);
}

std::string git_commit(const fs::path& dir) {
  auto result = read_git(dir, {"rev-parse", "--short", "HEAD"});
  return result.ok ? result.out : "unknown";
}

fs::path suite_folder(const Suite& suite) {
  return fs::absolute(suite.manifest).parent_path();
}

bool is_kind(const RunRecord& run, const std::string& kind) {
  auto it = run.labels.find("kind");
  return it != run.labels.end() && it->second == kind;
}

// The night a nightly run was labelled with (its start date for a hand-labelled one).
std::string night_of(const RunRecord& run) {
  auto it = run.labels.find("nightly");
  return it != run.labels.end() ? it->second : run.started_at.substr(0, 10);
}

// What the store holds before tonight: the previous complete nightly, the reference's runs.
struct LastNight {
  std::optional<RunRecord> previous;
  std::vector<std::int64_t> reference;
  TestbedFilter testbed;             // tonight's, when kept to (not --across-testbeds)
  std::vector<RunRecord> elsewhere;  // the suite's complete nightlies on other testbeds
};

// One nightly database per suite: tonight's run in another suite's history would be
// compared with nothing of its own and mix two histories.
void refuse_other_suite(const std::vector<RunRecord>& runs, const std::string& suite,
                        const std::string& db_path) {
  std::set<std::string> suites;
  for (const auto& r : runs) {
    if (is_kind(r, "nightly")) suites.insert(r.suite_name);
  }
  if (suites.empty() || suites.count(suite) > 0) return;
  throw UsageError(fmt::format(
      "database '{}' holds the nightlies of suite '{}', not of suite '{}' (--suite); give this "
      "suite a database of its own (--db FILE), or run the nightly of '{}' on it (nothing was "
      "measured or stored)",
      db_path, printable(*suites.begin()), printable(suite), printable(*suites.begin())));
}

std::vector<std::int64_t> reference_runs(Store& store, const std::string& reference,
                                         const std::string& db_path) {
  if (reference.empty()) return {};
  try {
    return store.select_runs(reference);
  } catch (const UsageError& error) {
    throw UsageError(fmt::format(
        "--reference '{}' matches no run in '{}' ({}); pin a run first (e.g. 'buildbench run "
        "--label kind=reference' on the release) or drop --reference (nothing was measured or "
        "stored)",
        printable(reference), db_path, error.what()));
  }
}

RunOptions night_options(const NightlyFlags& flags, const std::string& date,
                         const std::string& command_line);

// Tonight's testbed, known before measuring: the --testbed name, or derived from what the
// engine reports now, as the run will record it.
std::string tonight_testbed(const NightlyFlags& flags, const Suite& suite) {
  if (!flags.testbed.empty()) return flags.testbed;
  require_engine();
  CliDockerEngine engine(flags.builder);
  return testbed_of(testbed_record(engine, suite, night_options(flags, "", "")));
}

// Last night on tonight's testbed, and a reference on it, unless --across-testbeds.
void keep_to_testbed(LastNight& last, const std::vector<RunRecord>& runs, Store& store,
                     const NightlyFlags& flags, const Suite& suite) {
  last.previous = previous_nightly(runs, suite.name, std::nullopt);
  if (flags.across_testbeds || (!last.previous && last.reference.empty())) return;
  last.testbed = tonight_testbed(flags, suite);
  last.previous = previous_nightly(runs, suite.name, last.testbed);
  for (const auto& r : runs) {
    if (is_kind(r, "nightly") && r.suite_name == suite.name && r.status == "complete" &&
        !on_testbed(r, last.testbed))
      last.elsewhere.push_back(r);
  }
  std::vector<RunRecord> reference;
  for (auto id : last.reference) reference.push_back(*store.run(id));
  if (testbeds_of(reference).size() > 1 ||
      (!reference.empty() && !on_testbed(reference[0], last.testbed))) {
    throw UsageError(fmt::format(
        "--reference '{}' ran on testbed {}, tonight's nightly runs on testbed {}; pin a "
        "reference run on this testbed (run --testbed {} --label kind=reference), or pass "
        "--across-testbeds to compare with it anyway (nothing was measured or stored)",
        printable(flags.reference), describe_testbeds(reference), *last.testbed, *last.testbed));
  }
}

// Read before anything is measured, so that bad input stores nothing.
LastNight read_last_night(const NightlyFlags& flags, const Suite& suite_loaded) {
  const std::string& suite = suite_loaded.name;
  LastNight last;
  if (!store_exists(flags.db_path)) {
    if (!flags.reference.empty()) {
      throw UsageError(fmt::format(
          "--reference '{}' matches no run: the database '{}' does not exist yet; pin a run "
          "first (e.g. 'buildbench run --label kind=reference --db {}') or drop --reference",
          printable(flags.reference), printable_location(flags.db_path), flags.db_path));
    }
    return last;
  }
  Store store(flags.db_path, Store::Mode::kReadOnly);
  auto runs = store.runs();
  refuse_other_suite(runs, suite, flags.db_path);
  last.reference = reference_runs(store, flags.reference, flags.db_path);
  keep_to_testbed(last, runs, store, flags, suite_loaded);
  return last;
}

// Last night's commit must be in tonight's clone; a shallow checkout lacks it.
void require_in_clone(const fs::path& suite_dir, const RunRecord& previous) {
  auto shallow = run_git(suite_dir, {"rev-parse", "--is-shallow-repository"});
  if (!shallow.ok()) return;  // not in git: RevisionCheckout says so
  if (run_git(suite_dir, {"cat-file", "-e", previous.git_commit + "^{commit}"}).ok()) return;
  throw UsageError(fmt::format(
      "the previous nightly (run {}, {}) measured commit {}, which the clone at {} does not "
      "have{}; fetch the whole history (git fetch --unshallow, or actions/checkout with "
      "fetch-depth: 0) so that last night's revision can be measured beside tonight's "
      "(nothing was measured or stored)",
      previous.id, night_of(previous), previous.git_commit.substr(0, 12), suite_dir.string(),
      trim(shallow.out) == "true" ? " (a shallow checkout)" : ""));
}

// Tonight's nightly run, and last night's side measured beside it (0 when alone).
struct Tonight {
  std::string date;
  std::string commit;
  std::int64_t run = 0;
  std::int64_t baseline_run = 0;
};

RunOptions night_options(const NightlyFlags& flags, const std::string& date,
                         const std::string& command_line) {
  RunOptions options;
  options.runs = flags.runs;
  options.startup_runs = flags.startup_runs;
  options.command = command_line;
  options.labels["nightly"] = date;
  options.testbed = flags.testbed;
  return options;
}

// The first nightly, or one whose last night recorded no commit: one side only.
Tonight measure_alone(const NightlyFlags& flags, const Suite& suite, Tonight night,
                      const std::string& command_line) {
  RunOptions options = night_options(flags, night.date, command_line);
  options.labels["kind"] = "nightly";
  options.labels["commit"] = night.commit;
  night.run = execute_run(suite, options, flags.db_path, flags.no_wait, flags.builder).run_id;
  return night;
}

// Last night's commit and tonight's checkout in one `ab` session.
Tonight measure_paired(const NightlyFlags& flags, const Suite& suite, const RunRecord& previous,
                       const ManifestVars& vars, Tonight night, const std::string& command_line) {
  fs::path scratch =
      fs::temp_directory_path() / fmt::format("buildbench-nightly-rev-{}-{}", getpid(),
                                              tag_safe(previous.git_commit.substr(0, 12)));
  RevisionCheckout checkout(flags.suite_path, previous.git_commit, scratch);
  Suite last_night = load_suite(checkout.suite_path(), vars);
  checkout.borrow_untracked(last_night);
  AbOptions options;
  options.run = night_options(flags, night.date, command_line);
  options.baseline_revision = checkout.commit();
  options.baseline_labels = {{"kind", kNightlyBaselineKind},
                             {"commit", previous.git_commit.substr(0, 7)}};
  options.candidate_labels = {{"kind", "nightly"}, {"commit", night.commit}};
  fmt::print(stderr, "buildbench: last night's revision {} (run {}, {}) beside tonight's {}\n",
             checkout.commit().substr(0, 12), previous.id, night_of(previous), night.commit);
  AbResult result =
      execute_ab(last_night, suite, options, flags.db_path, flags.no_wait, flags.builder);
  night.run = result.candidate_run;
  night.baseline_run = result.baseline_run;
  return night;
}

// E-divisive's level for the lasting shifts and the history page. With the paired verdict at
// kNightlyPairedBuildThreshold and 16 pairs it flags 96.9% of +5% steps within 3 nights, 0.58
// false alarms per 100 series-nights, at the stored main jobs' plain-sd noise
// (scripts/nightly-sim, 2026-12-04; reports/README.md).
constexpr double kShiftAlpha = 0.01;

// What the comparisons read from and write to.
struct NightlyComparison {
  Store& store;
  const CompareOptions& options;
  std::int64_t run_id;
  std::ostream& summary;
};

// Prints the comparison with `base`, adds its table to the summary; returns compare's exit
// code.
int compare_with(const NightlyComparison& night, const std::string& what,
                 const std::vector<std::int64_t>& base) {
  Comparison c = compare_selections(night.store, base, {night.run_id}, night.options);
  std::cout << fmt::format("== against {} ==\n", what);
  render_compare_console(std::cout, c, false);
  render_compare_markdown(night.summary, c);
  night.summary << "\n";
  for (const auto& row : c.rows) {
    if (row.verdict == Verdict::kRegression) {
      std::cerr << fmt::format("buildbench: REGRESSION against {}: {} {} {} {:+.1f}%\n", what,
                               printable(row.scenario), row.state, row.metric, row.change_percent);
    }
  }
  return compare_exit_code(c);
}

// A regression outranks failed samples, which outrank no regression.
int worse_exit_code(int so_far, int code) {
  if (code == kExitRegression || (code == kExitEnvironment && so_far == kExitOk)) return code;
  return so_far;
}

// The suite's commit among the changes (a side that recorded none is no change of commit).
bool is_commit(const InputChange& change) {
  return change.input == "commit" && !is_unknown(change);
}

// The changes on one line; "(no commit)" when the suite's commit is not among them.
std::string changes_line(const std::vector<InputChange>& changes) {
  if (changes.empty()) return "nothing recorded changed";
  bool commit = std::any_of(changes.begin(), changes.end(), is_commit);
  return describe_changes(changes) + (commit ? "" : " (no commit)");
}

void write_what_changed(std::ostream& summary, const std::optional<RunRecord>& previous,
                        const std::vector<InputChange>& changes) {
  summary << "## What changed since last night\n\n";
  if (!previous) {
    summary << "No previous nightly: nothing to compare the recorded inputs with.\n\n";
    return;
  }
  if (changes.empty()) summary << "Nothing recorded changed.\n";
  for (const auto& c : changes) summary << "- " << describe_change(c) << "\n";
  if (!changes.empty() && std::none_of(changes.begin(), changes.end(), is_commit))
    summary << "- no commit: the suite's commit is last night's\n";
  summary << "\n";
}
// What the pairs measured tonight, said before the table.
std::string paired_intro(const RunRecord& previous, const RunRecord& tonight,
                         const Tonight& night) {
  std::string text = fmt::format(
      "Last night's revision {} (nightly of {}, run {}) and tonight's checkout {} were measured "
      "pair by pair in one session (baseline run {}, candidate run {}): drift of the machine "
      "between the nights cannot pass for a change.",
      previous.git_commit.substr(0, 12), night_of(previous), previous.id,
      tonight.git_commit.substr(0, 12) + (tonight.git_dirty ? " (with uncommitted changes)" : ""),
      night.baseline_run, night.run);
  if (previous.git_commit == tonight.git_commit && !tonight.git_dirty) {
    text +=
        " Tonight's commit is last night's: the pairs measure noise without drift; a base image "
        "or package index that changed since last night reaches both sides alike, so it shows "
        "only in the history and in 'What changed'.";
  }
  if (previous.git_dirty) {
    text += " Last night's checkout had uncommitted changes; its commit is measured without them.";
  }
  return text;
}

// Tonight's verdict: pair by pair against last night's revision (or, without one, unpaired
// against the previous nightly's run, or nothing on the first night); returns the exit code.
int judge_tonight(const NightlyComparison& night, const Tonight& tonight,
                  const std::optional<RunRecord>& previous,
                  const std::vector<InputChange>& changes) {
  night.summary << "## Tonight against last night, side by side\n\n";
  if (!previous) {
    night.summary << "First nightly of this suite: a one-side run, nothing to pair with yet.\n\n";
    std::cout << "buildbench: first nightly of this suite; nothing to compare with yet\n";
    return kExitOk;
  }
  int code = kExitOk;
  if (tonight.baseline_run == 0) {
    night.summary << fmt::format(
        "The previous nightly (run {}) recorded no commit, so its revision cannot be measured "
        "beside tonight's: compared unpaired, drift between the nights included.\n\n",
        previous->id);
    code = compare_with(night,
                        fmt::format("the previous nightly (run {}, {}; unpaired)", previous->id,
                                    night_of(*previous)),
                        {previous->id});
  } else {
    night.summary << paired_intro(*previous, *night.store.run(tonight.run), tonight) << "\n\n";
    CompareOptions options = nightly_paired_options(night.options);
    code = compare_with(
        {night.store, options, night.run_id, night.summary},
        fmt::format("last night's revision {} (paired)", previous->git_commit.substr(0, 7)),
        {tonight.baseline_run});
  }
  std::string line = changes_line(changes);
  if (code == kExitRegression) {
    night.summary << "**Caused by** (what changed since last night): " << line << "\n\n";
    std::cout << "buildbench: caused by: " << line << "\n";
  } else {
    std::cout << "buildbench: changed since last night: " << line << "\n";
  }
  return code;
}

// The pinned reference: a stored run, so unpaired; returns the exit code.
int compare_reference(const NightlyComparison& night, const std::string& reference,
                      const std::vector<std::int64_t>& runs) {
  if (reference.empty()) return kExitOk;
  std::string what = fmt::format("the reference ({})", reference);
  night.summary << fmt::format(
      "## Against {}\n\nUnpaired: a stored run, drift between the runs included (a weekly "
      "'buildbench ab --baseline-rev <release tag>' gives the paired view).\n\n",
      what);
  return compare_with(night, what + ", unpaired", runs);
}

// Change points in each tracked series over the nightlies (E-divisive means over every
// sample of every night), each with the night it first appeared in, its size and p. Shifts
// under half the metric's threshold (2.5% for times) are not reported; one between the floor
// and the threshold is reported, marked as below the threshold. At kShiftAlpha, not 0.05: the
// night offsets of the plain-sd noise made 1.7 false points per 100 series-nights at 0.05.
std::vector<std::string> lasting_shifts(Store& store, const std::vector<RunRecord>& nightlies) {
  std::vector<std::int64_t> ids;
  for (const auto& r : nightlies) ids.push_back(r.id);
  std::map<MetricKey, std::map<std::int64_t, std::vector<double>>> values;
  for (const auto& v : store.metric_series_of(ids, tracked_metric_names()))
    values[v.key][v.run_id].push_back(v.value);
  std::vector<std::string> shifts;
  for (const auto& [key, per_run] : values) {
    std::vector<std::vector<double>> nights;
    std::vector<const RunRecord*> runs;
    for (const auto& r : nightlies) {
      auto it = per_run.find(r.id);
      if (it == per_run.end()) continue;
      nights.push_back(it->second);
      runs.push_back(&r);
    }
    // The detector works on ratios (logs): a series with a zero is not one it can read.
    bool positive = std::all_of(nights.begin(), nights.end(), [](const auto& night) {
      return std::all_of(night.begin(), night.end(), [](double v) { return v > 0; });
    });
    if (!positive) continue;
    const MetricInfo* info = find_metric(key.metric);
    double threshold = info ? info->threshold_percent : 0;
    stats::EDivisiveOptions options;
    options.alpha = kShiftAlpha;
    for (const auto& point : stats::e_divisive(nights, options)) {
      const RunRecord& first = *runs[point.first_night];
      double percent = (point.ratio - 1) * 100;
      if (percent < threshold / 2 && percent > -threshold / 2) continue;
      shifts.push_back(fmt::format(
          "{}: shift of {:+.1f}% (95% CI {:+.1f}% to {:+.1f}%; level {:.4g} -> {:.4g}), first "
          "seen in the nightly of {} (run {}), p={:.2g}{}",
          to_string(key), percent, (point.ratio_low - 1) * 100, (point.ratio_high - 1) * 100,
          point.before_level, point.after_level, first.labels.at("nightly"), first.id,
          point.p_value,
          percent < threshold && percent > -threshold
              ? fmt::format(" (below the {}% threshold)", threshold)
              : ""));
    }
  }
  return shifts;
}

void write_shifts(std::ostream& summary, const std::vector<std::string>& shifts,
                  std::size_t nightlies) {
  summary << "## Lasting shifts over the nightly history (E-divisive means)\n\n";
  if (shifts.empty()) summary << "None detected over " << nightlies << " nightlies.\n";
  for (const auto& s : shifts) {
    summary << "- " << s << "\n";
    std::cout << "buildbench: " << s << "\n";
  }
}

// The benchmark page of this run, regenerated into `out_dir`.
void write_report(Store& store, const fs::path& out_dir, const ManifestVars& vars,
                  std::int64_t run_id, const CompareOptions& compare) {
  auto input = gather_report_input(store, std::to_string(run_id), "", vars, kDefaultPool,
                                   compare.across_testbeds);
  input.alpha = compare.alpha;  // the page's claims at the level nightly's comparisons use
  auto files = build_report(input);
  for (const auto& [name, content] : files) {
    std::ofstream out(out_dir / name, std::ios::binary);
    out << content;
  }
}

void append_to_step_summary(const fs::path& summary_file) {
  if (const char* step_summary = std::getenv("GITHUB_STEP_SUMMARY");
      step_summary && *step_summary) {
    std::ifstream in(summary_file);
    std::ofstream out(step_summary, std::ios::app);
    out << in.rdbuf();
  }
}

// A nightly exists to flag a regression (exit 1): pair counts whose paired test can never be
// significant would make it a gate that always passes, so they are refused, not warned about.
void refuse_undecidable_pairs(const NightlyFlags& flags, double alpha) {
  for (auto [flag, pairs] :
       {std::pair{"--runs", flags.runs}, {"--startup-runs", flags.startup_runs}}) {
    if (pairs == 0) continue;  // --startup-runs 0: no start-ups at all
    std::string why = pairs_cannot_decide(flag, pairs, alpha);
    if (!why.empty()) {
      throw UsageError(
          why +
          " (each counts the pairs of tonight's comparison with last night; nothing was "
          "measured or stored)");
    }
  }
}

// Which nightlies tonight's is judged against, when other testbeds have some.
void say_testbed(const LastNight& last) {
  if (last.elsewhere.empty()) return;
  fmt::print(stderr,
             "buildbench: {} of this suite's nightlies ran on other testbeds than tonight's {} "
             "({}); last night is {} (--across-testbeds takes the latest on any testbed)\n",
             last.elsewhere.size(), *last.testbed, describe_testbeds(last.elsewhere),
             last.previous ? fmt::format("run {} ({})", last.previous->id, night_of(*last.previous))
                           : "none: tonight is the first nightly on this testbed");
}

int run_nightly(const NightlyFlags& flags, const std::string& command_line) {
  ManifestVars vars = manifest_vars(flags.source);
  CompareOptions compare;
  parse_thresholds(flags.thresholds, compare);
  refuse_undecidable_pairs(flags, compare.alpha);
  compare.across_testbeds = flags.across_testbeds;
  Suite suite = load_suite(flags.suite_path, vars);
  checked_testbed(flags.testbed);
  LastNight last = read_last_night(flags, suite);
  say_testbed(last);
  bool paired = last.previous && !last.previous->git_commit.empty();
  if (paired) require_in_clone(suite_folder(suite), *last.previous);

  Tonight night;
  night.date =
      flags.date.empty() ? iso8601_utc(std::chrono::system_clock::now()).substr(0, 10) : flags.date;
  night.commit = git_commit(suite_folder(suite));
  night = paired ? measure_paired(flags, suite, *last.previous, vars, night, command_line)
                 : measure_alone(flags, suite, night, command_line);

  Store store(flags.db_path, Store::Mode::kReadOnly);
  TestbedFilter testbed;
  if (!flags.across_testbeds) testbed = testbed_of(*store.run(night.run));
  std::vector<RunRecord> nightlies = nightlies_up_to(store, suite.name, night.run, testbed);
  std::vector<InputChange> changes;
  if (last.previous)
    changes = what_changed(*last.previous, *store.run(night.run), suite_folder(suite));
  fs::create_directories(flags.out_dir);
  fs::path summary_file = fs::path(flags.out_dir) / "nightly-summary.md";
  std::ofstream summary(summary_file);
  summary << fmt::format("# Nightly {} (run {}, commit {})\n\n", night.date, night.run,
                         night.commit);
  NightlyComparison comparison{store, compare, night.run, summary};
  int exit_code = judge_tonight(comparison, night, last.previous, changes);
  write_what_changed(summary, last.previous, changes);
  exit_code =
      worse_exit_code(exit_code, compare_reference(comparison, flags.reference, last.reference));
  write_shifts(summary, lasting_shifts(store, nightlies), nightlies.size());
  write_report(store, flags.out_dir, vars, night.run, compare);
  stats::EDivisiveOptions detector;
  detector.alpha = kShiftAlpha;
  write_history_page(store, nightlies, fs::absolute(suite.manifest).parent_path(), flags.out_dir,
                     detector);
  summary.close();
  append_to_step_summary(summary_file);
  std::cout << fmt::format("buildbench: nightly {} done: run {}, report and summary in {}; {}\n",
                           night.date, night.run, flags.out_dir,
                           exit_code == kExitRegression ? "REGRESSION found"
                           : exit_code == kExitOk       ? "no regression"
                                                        : "failed samples");
  return exit_code;
}

}  // namespace

Subcommand add_nightly_command(CLI::App& parent, const std::string& command_line) {
  auto* night = parent.add_subcommand(
      "nightly",
      "Measure last night's revision beside tonight's, judge the pairs, say what changed, find "
      "lasting shifts, write the report");
  auto flags = std::make_shared<NightlyFlags>();
  add_nightly_options(night, *flags);
  night->footer(kNightlyFooter);
  return {night, [flags, command_line] { return run_nightly(*flags, command_line); }};
}

}  // namespace bb
