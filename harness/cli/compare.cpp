// `buildbench compare`: a candidate against a baseline; exit 1 on a regression.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "compare/compare.hpp"
#include "report/compare_report.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace bb {

namespace {

struct CompareFlags {
  std::string baseline, candidate = "latest", format = "console", summary_file;
  double alpha = 0.05;
  std::vector<std::string> thresholds;
  bool strict = false, paired = false, unpaired = false, across_testbeds = false;
  std::string db_path = default_db();
};

const char* kCompareFooter = R"(
A regression needs significance (two-sided Mann-Whitney U, exact for small samples, with
ties exact given the ties), a change of at least the metric's threshold and, for build times,
of at least two medians' precision floor (sqrt(2) x the runs' --precision-floor, 28 ms by
default: a cached rebuild's jitter). Significance is over all testable rows together: p
adjusted by Benjamini-Hochberg below alpha (a false discovery rate of alpha), since about
alpha of the rows of identical code come out p < alpha by chance; the output says how many
rows were significant and how many chance alone gives. A design that cannot reach p < alpha
(3 vs 3) is never significant. The two runs of one
'buildbench ab' are compared pair by pair instead: the change is the Hodges-Lehmann estimate
over the Walsh averages of the per-pair log ratios, with its distribution-free interval, and
p comes from the Wilcoxon signed-rank test; verdicts and thresholds are the same. A group
whose values trend over the order they were taken in (Mann-Kendall) is named in a warning. Deterministic metrics (image
sizes, cached steps) are compared exactly. Verdicts: regression, improvement, no change,
inconclusive (not significant and the interval reaches beyond the threshold), failed.

Testbeds: runs of different testbeds (run --testbed NAME, or derived from the fingerprint:
CPU, cores, memory, engine, BuildKit, network profile, stand-in images) are not compared, since
a difference between machines would pass for one between versions; --across-testbeds compares
them anyway and the output names each testbed with its runs.

Exit codes: 0 no regression, 1 regression, 2 bad usage or input (runs of two testbeds),
            3 failed samples, or --strict and the two sides ran on different hosts/tools.

Examples:
  buildbench compare --baseline branch=main --candidate branch=my-change
  buildbench compare --baseline 12 --candidate latest --format markdown --output summary.md
  buildbench compare --baseline branch=main --threshold build_seconds=10 --threshold final:image_bytes=0.5)";

void add_compare_options(CLI::App* cmp, CompareFlags& flags) {
  cmp->add_option("--baseline", flags.baseline, "Run id, 'latest' or a label KEY=VALUE (runs pool)")
      ->required();
  cmp->add_option("--candidate", flags.candidate, "Run id, 'latest' or a label KEY=VALUE")
      ->capture_default_str();
  cmp->add_option("--format", flags.format, "console, markdown or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"console", "markdown", "json"}));
  cmp->add_option(
         "--alpha", flags.alpha,
         "Significance level of each test (Mann-Whitney U; Wilcoxon signed-rank when paired) "
         "and the false discovery rate over the rows")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 0.5));
  cmp->add_option("--threshold", flags.thresholds,
                  "METRIC=PERCENT or SCENARIO:METRIC=PERCENT (repeatable); defaults 5 for times, "
                  "1 for sizes, 10 for modules_compiled, 0 for deterministic counts");
  cmp->add_flag("--strict", flags.strict,
                "Refuse to compare runs from different hosts or tool versions");
  auto* paired_option =
      cmp->add_flag("--paired", flags.paired,
                    "Require pairs (the two runs of one 'buildbench ab'); the default pairs them "
                    "whenever they are");
  cmp->add_flag("--unpaired", flags.unpaired,
                "Ignore pairs: compare as two independent groups (Mann-Whitney U)")
      ->excludes(paired_option);
  add_across_testbeds_flag(cmp, flags.across_testbeds, "Compare the two sides");
  cmp->add_option("--output", flags.summary_file, "Also write the markdown summary to this file");
  add_db_option(cmp, flags.db_path);
}

// The comparison in --format on stdout, in markdown to --output and $GITHUB_STEP_SUMMARY.
void render(const CompareFlags& flags, const Comparison& comparison) {
  if (flags.format == "json") {
    render_compare_json(std::cout, comparison);
  } else if (flags.format == "markdown") {
    render_compare_markdown(std::cout, comparison);
  } else {
    render_compare_console(std::cout, comparison, isatty(STDOUT_FILENO) != 0);
  }
  if (!flags.summary_file.empty()) {
    std::ofstream out(flags.summary_file);
    render_compare_markdown(out, comparison);
    if (!out) throw EnvironmentError(fmt::format("cannot write --output '{}'", flags.summary_file));
  }
  if (const char* summary = std::getenv("GITHUB_STEP_SUMMARY"); summary && *summary) {
    std::ofstream out(summary, std::ios::app);
    render_compare_markdown(out, comparison);
  }
}

int compare_runs(const CompareFlags& flags) {
  CompareOptions options;
  options.alpha = flags.alpha;
  options.across_testbeds = flags.across_testbeds;
  if (flags.paired) options.pairing = CompareOptions::Pairing::kPaired;
  if (flags.unpaired) options.pairing = CompareOptions::Pairing::kUnpaired;
  parse_thresholds(flags.thresholds, options);
  Store store(flags.db_path, Store::Mode::kReadOnly);
  auto base_ids = store.select_runs(flags.baseline);
  auto cand_ids = store.select_runs(flags.candidate);
  Comparison comparison = compare_selections(store, base_ids, cand_ids, options);
  if (flags.strict && different_hosts_or_tools(comparison)) {
    std::string keys;
    for (const auto& d : comparison.fingerprint_differences)
      keys += (keys.empty() ? "" : ", ") + d.key;
    for (const auto& change : comparison.input_changes) {
      if (!is_unknown(change) && change.input != "commit" &&
          change.input.rfind("dockerfile", 0) != 0 && change.input.rfind("context", 0) != 0 &&
          change.input != "package index")
        keys += (keys.empty() ? "" : ", ") + change.input;
    }
    fmt::print(stderr,
               "buildbench: error: --strict: the two sides differ in {}; compare runs "
               "from the same host and tools\n",
               keys);
    return kExitEnvironment;
  }
  render(flags, comparison);
  return compare_exit_code(comparison);
}

}  // namespace

Subcommand add_compare_command(CLI::App& parent) {
  auto* cmp = parent.add_subcommand(
      "compare", "Compare a candidate against a baseline; exit 1 on a regression");
  auto flags = std::make_shared<CompareFlags>();
  add_compare_options(cmp, *flags);
  cmp->footer(kCompareFooter);
  return {cmp, [flags] { return compare_runs(*flags); }};
}

}  // namespace bb
