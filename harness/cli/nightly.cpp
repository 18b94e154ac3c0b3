#include "cli/nightly.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/gather.hpp"
#include "model/metrics.hpp"
#include "report/compare_report.hpp"
#include "stats/changepoint.hpp"
#include "stats/summary.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

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

}  // namespace

int run_nightly(const NightlyArgs& args) {
  Suite suite = load_suite(args.suite_path, args.vars);
  std::string date =
      args.date.empty() ? iso8601_utc(std::chrono::system_clock::now()).substr(0, 10) : args.date;
  RunOptions options = args.run;
  options.labels["kind"] = "nightly";
  options.labels["nightly"] = date;
  options.labels["commit"] = git_commit(fs::absolute(suite.manifest).parent_path());
  std::int64_t run_id = execute_run(suite, options, args.db_path, args.no_wait, args.builder);

  Store store(args.db_path, Store::Mode::kReadOnly);
  std::vector<RunRecord> nightlies;
  for (const auto& r : store.runs()) {
    auto kind = r.labels.find("kind");
    if (kind != r.labels.end() && kind->second == "nightly" && r.suite_name == suite.name &&
        (r.status == "complete" || r.id == run_id)) {
      nightlies.push_back(r);
    }
  }
  fs::create_directories(args.out_dir);
  std::ofstream summary(fs::path(args.out_dir) / "nightly-summary.md");
  summary << fmt::format("# Nightly {} (run {}, commit {})\n\n", date, run_id,
                         options.labels["commit"]);
  int exit_code = kExitOk;
  auto compare_with = [&](const std::string& what, const std::vector<std::int64_t>& base) {
    Comparison c = compare_selections(store, base, {run_id}, args.compare);
    std::cout << fmt::format("== against {} ==\n", what);
    render_compare_console(std::cout, c, false);
    summary << fmt::format("## Against {}\n\n", what);
    render_compare_markdown(summary, c);
    summary << "\n";
    for (const auto& row : c.rows) {
      if (row.verdict == Verdict::kRegression) {
        std::cerr << fmt::format("buildbench: REGRESSION against {}: {} {} {} {:+.1f}%\n", what,
                                 printable(row.scenario), row.state, row.metric,
                                 row.change_percent);
      }
    }
    int code = compare_exit_code(c);
    if (code == kExitRegression || (code == kExitEnvironment && exit_code == kExitOk))
      exit_code = code;
  };
  const RunRecord* previous = nullptr;
  for (const auto& r : nightlies) {
    if (r.id < run_id) previous = &r;
  }
  if (previous) {
    compare_with(fmt::format("the previous nightly (run {}, {})", previous->id,
                             previous->labels.at("nightly")),
                 {previous->id});
  } else {
    std::cout << "buildbench: first nightly of this suite; nothing to compare with yet\n";
  }
  if (!args.reference.empty()) {
    compare_with(fmt::format("the reference ({})", args.reference),
                 store.select_runs(args.reference));
  }

  // Lasting shifts over the nightly history.
  std::vector<std::int64_t> ids;
  for (const auto& r : nightlies) ids.push_back(r.id);
  std::map<std::string, std::map<std::int64_t, std::vector<double>>> values;
  for (const auto& v : store.metric_series_of(ids, tracked_metric_names())) {
    values[v.scenario + " " + v.state + " " + v.metric][v.run_id].push_back(v.value);
  }
  std::vector<std::string> shifts;
  for (const auto& [key, per_run] : values) {
    std::vector<double> medians;
    std::vector<std::int64_t> runs;
    for (auto id : ids) {
      if (auto it = per_run.find(id); it != per_run.end()) {
        medians.push_back(stats::median(it->second));
        runs.push_back(id);
      }
    }
    if (auto shift = stats::detect_shift(medians)) {
      const auto& first =
          *std::find_if(nightlies.begin(), nightlies.end(),
                        [&](const RunRecord& r) { return r.id == runs[shift->index]; });
      shifts.push_back(
          fmt::format("{}: lasting shift of {:+.1f}% (median {} -> {}), first seen in "
                      "the nightly of {} (run {}), p={:.2g}",
                      key, shift->change_percent, shift->before_median, shift->after_median,
                      first.labels.at("nightly"), first.id, shift->p_value));
    }
  }
  summary << "## Lasting shifts over the nightly history\n\n";
  if (shifts.empty()) summary << "None detected over " << ids.size() << " nightlies.\n";
  for (const auto& s : shifts) {
    summary << "- " << s << "\n";
    std::cout << "buildbench: " << s << "\n";
  }

  // The report, regenerated.
  auto input = gather_report_input(store, std::to_string(run_id), "", args.vars);
  input.alpha = args.compare.alpha;
  auto files = build_report(input);
  for (const auto& [name, content] : files) {
    std::ofstream out(fs::path(args.out_dir) / name, std::ios::binary);
    out << content;
  }
  summary.close();
  if (const char* step_summary = std::getenv("GITHUB_STEP_SUMMARY");
      step_summary && *step_summary) {
    std::ifstream in(fs::path(args.out_dir) / "nightly-summary.md");
    std::ofstream out(step_summary, std::ios::app);
    out << in.rdbuf();
  }
  std::cout << fmt::format("buildbench: nightly {} done: run {}, report and summary in {}; {}\n",
                           date, run_id, args.out_dir,
                           exit_code == kExitRegression ? "REGRESSION found"
                           : exit_code == kExitOk       ? "no regression"
                                                        : "failed samples");
  return exit_code;
}

}  // namespace bb
