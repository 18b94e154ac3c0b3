// `buildbench report`: the benchmark page (markdown, HTML, SVG charts, JSON, CSV).
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/gather.hpp"
#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "model/testbed.hpp"
#include "report/benchmark_page.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

struct ReportFlags {
  std::string run = "latest-complete", out_dir = "reports";
  std::string suite;
  std::string source;
  std::string db_path = default_db();
  std::string git_dir;  // --history: where the causes' commits are looked up
  double alpha = 0.05;
  std::size_t pool = kDefaultPool;
  bool history = false;
  bool across_testbeds = false;
};

bool is_nightly(const RunRecord& run) {
  auto kind = run.labels.find("kind");
  return kind != run.labels.end() && kind->second == "nightly";
}

// --history: the nightly the page ends at; by default the latest complete one.
RunRecord last_nightly(Store& store, const std::string& selector) {
  if (selector == "latest-complete") {
    std::optional<RunRecord> last;
    for (const auto& r : store.runs()) {
      if (is_nightly(r) && r.status == "complete") last = r;
    }
    if (!last) {
      throw UsageError(fmt::format(
          "no complete nightly run in '{}' (runs labelled kind=nightly); 'buildbench nightly' "
          "records them, or pass --run to pick one",
          store.path().string()));
    }
    return *last;
  }
  auto ids = store.select_runs(selector);
  RunRecord run = *store.run(ids.back());
  if (!is_nightly(run)) {
    throw UsageError(fmt::format(
        "--run {}: run {} is not a nightly (it has no label kind=nightly); pick one with --run "
        "nightly=YYYY-MM-DD",
        selector, run.id));
  }
  return run;
}

int write_history(const ReportFlags& flags) {
  Store store(flags.db_path, Store::Mode::kReadOnly);
  RunRecord last = last_nightly(store, flags.run);
  fs::path git_dir = flags.git_dir;
  if (git_dir.empty() && !last.suite_path.empty())
    git_dir = fs::absolute(last.suite_path).parent_path();
  stats::EDivisiveOptions detector;
  detector.alpha = flags.alpha;
  TestbedFilter testbed;
  if (!flags.across_testbeds) testbed = testbed_of(last);
  write_history_page(store, nightlies_up_to(store, last.suite_name, last.id, testbed), git_dir,
                     flags.out_dir, detector);
  return kExitOk;
}

int write_report(const ReportFlags& flags) {
  if (flags.history) return write_history(flags);
  ManifestVars vars = manifest_vars(flags.source);
  Store store(flags.db_path, Store::Mode::kReadOnly);
  ReportInput input =
      gather_report_input(store, flags.run, flags.suite, vars, flags.pool, flags.across_testbeds);
  input.alpha = flags.alpha;
  std::vector<std::int64_t> ids;
  for (const auto& r : input.runs) ids.push_back(r.id);
  auto files = build_report(input);
  fs::create_directories(flags.out_dir);
  for (const auto& [name, content] : files) {
    std::ofstream out(fs::path(flags.out_dir) / name, std::ios::binary);
    out << content;
    if (!out)
      throw EnvironmentError(
          fmt::format("cannot write '{}'", (fs::path(flags.out_dir) / name).string()));
  }
  fmt::print(stderr, "buildbench: report for run {} written to {}/benchmark.md ({} files)\n",
             fmt::join(ids, ", "), flags.out_dir, files.size());
  return kExitOk;
}

}  // namespace

Subcommand add_report_command(CLI::App& parent) {
  auto* rep = parent.add_subcommand(
      "report", "Write the benchmark page (markdown, HTML, SVG charts, JSON, CSV)");
  auto flags = std::make_shared<ReportFlags>();
  rep->add_option("--run", flags->run,
                  "Run id, 'latest', 'latest-complete' or a label KEY=VALUE (runs pool)")
      ->capture_default_str();
  auto* suite =
      rep->add_option("--suite", flags->suite,
                      "Suite manifest for scenario order and claims (default: the run's own)");
  auto* source =
      rep->add_option("--source", flags->source, "Checkout that a published suite describes");
  rep->add_option("--out", flags->out_dir, "Folder to write into")->capture_default_str();
  rep->add_option("--alpha", flags->alpha,
                  "Significance level for claims, step-to-step marks and drift (as compare's); "
                  "with --history, of the change points")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 0.5));
  rep->add_option("--pool", flags->pool,
                  "Pool each claim over at most N runs, this one and the suite's latest earlier "
                  "complete runs on the same testbed, engine, stand-in images, network profile "
                  "and inputs (1: this run only)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  auto* history = rep->add_flag("--history", flags->history,
                                "Write the nightly history page instead: the suite's nightlies "
                                "up to --run (default: the latest complete nightly)");
  // The history page reads no manifest: a --suite or --source it would ignore is refused.
  history->excludes(suite)->excludes(source);
  rep->add_option("--git-dir", flags->git_dir,
                  "With --history: the suite's checkout, where the causes' commits are looked "
                  "up (default: the folder of the run's suite manifest)")
      ->needs(history);
  add_across_testbeds_flag(rep, flags->across_testbeds,
                           "Put runs on one page, pool them and chart their history");
  add_db_option(rep, flags->db_path);
  rep->footer(R"(
Writes benchmark.md (and benchmark.html, the same page for a browser), build-time.svg,
startup.svg, image-size.svg, trend-*.svg when the database holds earlier runs of the suite,
and data.json / data.csv. The same database gives byte-identical files.

With --history: history.md and history.html (the page `nightly` writes beside its report), and
history-SCENARIO-STATE-METRIC.svg per tracked metric: one point per nightly (the median, the
95% interval of the median as a whisker, the samples as faint dots), each change point found
over the nights' samples marked at its first night with its size, p and what changed.

The claims table judges each claim on this run; a second table pools it over up to --pool
runs (inverse variance on the log scale, Cochran's Q, random effects when the runs disagree),
so a small, stable effect that one run leaves inconclusive is decided across runs.

Testbeds: the page keeps to the reported run's testbed (run --testbed NAME, or derived from the
fingerprint): a --run selection of runs of several testbeds is refused, and the pool, the trend
charts and --history leave other testbeds' runs out (the page says how many the pool left out).
--across-testbeds mixes them; the page then lists each testbed with its runs.

Examples:
  buildbench report                              # latest complete run -> reports/
  buildbench report --pool 1                     # claims of this run only, nothing pooled
  buildbench report --run nightly=2026-11-24 --out docs/benchmarks
  buildbench report --history --db nightly.db --out docs/benchmarks)");
  return {rep, [flags] { return write_report(*flags); }};
}

}  // namespace bb
