// `buildbench nightly`: run, compare with the previous nightly (and a pinned reference),
// look for lasting shifts over the history, regenerate the report.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/gather.hpp"
#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "model/metrics.hpp"
#include "report/compare_report.hpp"
#include "stats/edivisive.hpp"
#include "stats/summary.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
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
  int runs = 5, startup_runs = 30;
  std::vector<std::string> thresholds;  // for both comparisons
};

const char* kNightlyFooter = R"(
Labels the run kind=nightly, nightly=DATE, commit=REV; compares it with the previous complete
nightly of the suite (and --reference); looks for lasting shifts (a change-point test over
per-night medians) and names the first night each appeared; writes the report, the history
page (history.md, as 'report --history') and nightly-summary.md (also appended to
$GITHUB_STEP_SUMMARY when set).
Exit codes: 0 no regression, 1 regression, 2 bad usage, 3 failed samples or environment.

Example (cron, 02:00):  buildbench nightly --db /var/lib/buildbench/nightly.db --out docs/benchmarks)";

void add_nightly_options(CLI::App* night, NightlyFlags& flags) {
  night->add_option("--suite", flags.suite_path, "Suite manifest or its folder")
      ->capture_default_str();
  night->add_option("--source", flags.source, "Checkout that a published suite describes");
  night->add_option("--runs", flags.runs, "Measured repetitions per scenario and state")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  night->add_option("--startup-runs", flags.startup_runs, "Start-up repetitions per mode")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  night->add_option("--reference", flags.reference,
                    "Also compare with this pinned run (id or KEY=VALUE label)");
  night->add_option("--date", flags.date, "Label the nightly with this date (default today, UTC)");
  night->add_option("--out", flags.out_dir, "Folder for the report and nightly-summary.md")
      ->capture_default_str();
  night->add_option("--builder", flags.builder, "buildx builder to build on");
  night->add_option("--threshold", flags.thresholds,
                    "METRIC=PERCENT or SCENARIO:METRIC=PERCENT for both comparisons (as compare)");
  night->add_flag("--no-wait", flags.no_wait, "Refuse when another run holds the daemon");
  add_db_option(night, flags.db_path);
}

std::string git_commit(const fs::path& dir) {
  ProcessOptions options;
  options.argv = {"git", "-C", dir.string(), "rev-parse", "--short", "HEAD"};
  options.timeout = std::chrono::seconds(30);
  try {
    auto result = run_process(options);
    return result.ok() ? std::string(trim(result.out)) : "unknown";
  } catch (const EnvironmentError&) {
    return "unknown";
  }
}

// The nightly's own run.
struct NightlyRun {
  std::string date;
  std::string commit;
  std::int64_t id = 0;
};

// Labels the run kind=nightly, nightly=DATE, commit=REV and takes it.
NightlyRun measure_nightly(const NightlyFlags& flags, const Suite& suite,
                           const std::string& command_line) {
  NightlyRun night;
  night.date =
      flags.date.empty() ? iso8601_utc(std::chrono::system_clock::now()).substr(0, 10) : flags.date;
  RunOptions options;
  options.runs = flags.runs;
  options.startup_runs = flags.startup_runs;
  options.command = command_line;
  options.labels["kind"] = "nightly";
  options.labels["nightly"] = night.date;
  night.commit = options.labels["commit"] = git_commit(fs::absolute(suite.manifest).parent_path());
  night.id = execute_run(suite, options, flags.db_path, flags.no_wait, flags.builder).run_id;
  return night;
}

// The suite's complete nightlies and this one, in id order.
std::vector<RunRecord> nightly_history(Store& store, const std::string& suite_name,
                                       std::int64_t run_id) {
  std::vector<RunRecord> nightlies;
  for (const auto& r : store.runs()) {
    auto kind = r.labels.find("kind");
    if (kind != r.labels.end() && kind->second == "nightly" && r.suite_name == suite_name &&
        (r.status == "complete" || r.id == run_id)) {
      nightlies.push_back(r);
    }
  }
  return nightlies;
}

// What the comparisons read from and write to.
struct NightlyComparison {
  Store& store;
  const CompareOptions& options;
  std::int64_t run_id;
  std::ostream& summary;
};

// Prints the comparison with `base`, adds it to the summary; returns compare's exit code.
int compare_with(const NightlyComparison& night, const std::string& what,
                 const std::vector<std::int64_t>& base) {
  Comparison c = compare_selections(night.store, base, {night.run_id}, night.options);
  std::cout << fmt::format("== against {} ==\n", what);
  render_compare_console(std::cout, c, false);
  night.summary << fmt::format("## Against {}\n\n", what);
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

// Against the previous nightly, then the pinned reference; returns the exit code.
int compare_nightly(const NightlyComparison& night, const std::vector<RunRecord>& nightlies,
                    const std::string& reference) {
  int exit_code = kExitOk;
  const RunRecord* previous = nullptr;
  for (const auto& r : nightlies) {
    if (r.id < night.run_id) previous = &r;
  }
  if (previous) {
    std::string what = fmt::format("the previous nightly (run {}, {})", previous->id,
                                   previous->labels.at("nightly"));
    exit_code = worse_exit_code(exit_code, compare_with(night, what, {previous->id}));
  } else {
    std::cout << "buildbench: first nightly of this suite; nothing to compare with yet\n";
  }
  if (!reference.empty()) {
    std::string what = fmt::format("the reference ({})", reference);
    exit_code =
        worse_exit_code(exit_code, compare_with(night, what, night.store.select_runs(reference)));
  }
  return exit_code;
}

// Change points in each tracked series over the nightlies (E-divisive means over every
// sample of every night), each with the night it first appeared in, its size and p. Shifts
// under half the metric's threshold are not reported: at alpha 0.05 that floor (2.5% for
// times) is what keeps false alarms under 1 per 100 series-nights (scripts/changepoint-sim);
// one between the floor and the threshold is reported, marked as below the threshold.
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
    for (const auto& point : stats::e_divisive(nights)) {
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
                  std::int64_t run_id, double alpha) {
  auto input = gather_report_input(store, std::to_string(run_id), "", vars);
  input.alpha = alpha;  // the page's claims at the level nightly's comparisons use
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

int run_nightly(const NightlyFlags& flags, const std::string& command_line) {
  ManifestVars vars = manifest_vars(flags.source);
  CompareOptions compare;
  parse_thresholds(flags.thresholds, compare);
  Suite suite = load_suite(flags.suite_path, vars);
  NightlyRun night = measure_nightly(flags, suite, command_line);

  Store store(flags.db_path, Store::Mode::kReadOnly);
  std::vector<RunRecord> nightlies = nightly_history(store, suite.name, night.id);
  fs::create_directories(flags.out_dir);
  fs::path summary_file = fs::path(flags.out_dir) / "nightly-summary.md";
  std::ofstream summary(summary_file);
  summary << fmt::format("# Nightly {} (run {}, commit {})\n\n", night.date, night.id,
                         night.commit);
  int exit_code = compare_nightly({store, compare, night.id, summary}, nightlies, flags.reference);
  write_shifts(summary, lasting_shifts(store, nightlies), nightlies.size());
  write_report(store, flags.out_dir, vars, night.id, compare.alpha);
  write_history_page(store, nightlies, fs::absolute(suite.manifest).parent_path(), flags.out_dir);
  summary.close();
  append_to_step_summary(summary_file);
  std::cout << fmt::format("buildbench: nightly {} done: run {}, report and summary in {}; {}\n",
                           night.date, night.id, flags.out_dir,
                           exit_code == kExitRegression ? "REGRESSION found"
                           : exit_code == kExitOk       ? "no regression"
                                                        : "failed samples");
  return exit_code;
}

}  // namespace

Subcommand add_nightly_command(CLI::App& parent, const std::string& command_line) {
  auto* night = parent.add_subcommand(
      "nightly", "Run, compare with the previous nightly, find lasting shifts, write the report");
  auto flags = std::make_shared<NightlyFlags>();
  add_nightly_options(night, *flags);
  night->footer(kNightlyFooter);
  return {night, [flags, command_line] { return run_nightly(*flags, command_line); }};
}

}  // namespace bb
