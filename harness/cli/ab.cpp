// `buildbench ab`: a baseline and a candidate version of a suite, measured side by side.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "compare/compare.hpp"
#include "scenario/manifest.hpp"
#include "scenario/revision.hpp"
#include "session/runner.hpp"
#include "stats/power.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

struct AbFlags {
  // Each side is a folder (a suite or its suite.toml), or a revision of the repository that
  // holds `suite_path`; a candidate given neither is `suite_path` as it is.
  std::string baseline_dir, candidate_dir;
  std::string baseline_rev, candidate_rev;
  std::string suite_path = default_suite();
  std::string source;
  std::string db_path = default_db();
  MeasureFlags measure;
  int pairs = 10, max_pairs = AbOptions{}.max_pairs;
  std::string detect, order = "abba";
  std::uint32_t seed = 0;
};

const char* kAbFooter = R"(
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
  buildbench compare --baseline 12 --candidate 13                          # the two runs)";

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

// The two sides, the pair count (or --detect) and the order.
void add_pair_options(CLI::App* ab, AbFlags& flags) {
  ab->add_option("--baseline", flags.baseline_dir, "The baseline's suite (folder or suite.toml)");
  ab->add_option("--candidate", flags.candidate_dir,
                 "The candidate's suite (default: --suite as it is)");
  ab->add_option("--baseline-rev", flags.baseline_rev,
                 "The baseline is this revision of the repository holding --suite (e.g. main)");
  ab->add_option("--candidate-rev", flags.candidate_rev,
                 "The candidate is this revision (e.g. HEAD); checked out apart, never in place");
  ab->add_option("--suite", flags.suite_path,
                 "The suite in your checkout (for revisions and default)")
      ->capture_default_str();
  ab->add_option("--source", flags.source, "Checkout that a published suite describes ({source})");
  ab->add_option("--pairs", flags.pairs, "Pairs per scenario and state")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  ab->add_option("--detect", flags.detect,
                 "Choose the pairs from a 3-pair pilot: enough to detect this change (e.g. 5%) "
                 "with 80% power; replaces --pairs");
  ab->add_option("--max-pairs", flags.max_pairs, "Most pairs per group with --detect")
      ->capture_default_str()
      ->check(CLI::Range(kFewestPairs, 1000));
  ab->add_option("--order", flags.order, "Order within pairs: abba (balanced blocks) or coin")
      ->capture_default_str()
      ->check(CLI::IsMember({"abba", "coin"}));
  ab->add_option("--seed", flags.seed, "Seed of the order (default: drawn, stored with the runs)");
}

// Too few pairs to ever be significant still measure the change and its interval (a quick
// look), so ab warns before it measures rather than refusing; compare then says inconclusive.
void warn_undecidable_pairs(const AbFlags& flags, const AbOptions& options) {
  double alpha = CompareOptions{}.alpha;
  std::vector<std::string> why;
  if (options.detect == 0) why.push_back(pairs_cannot_decide("--pairs", flags.pairs, alpha));
  if (flags.measure.startup_runs > 0)
    why.push_back(pairs_cannot_decide("--startup-runs", flags.measure.startup_runs, alpha));
  for (const auto& text : why) {
    if (!text.empty()) fmt::print(stderr, "buildbench: warning: {}\n", text);
  }
}

AbOptions ab_options(const CLI::App& ab, const AbFlags& flags, const std::string& command_line) {
  AbOptions options;
  options.run = measure_options(flags.measure);
  options.run.runs = flags.pairs;
  options.run.command = command_line;
  options.order = flags.order == "coin" ? PairOrder::kCoin : PairOrder::kAbba;
  options.max_pairs = flags.max_pairs;
  if (!flags.detect.empty()) {
    if (ab.count("--pairs") > 0) {
      throw UsageError("--pairs fixes the count and --detect chooses it: give one of them");
    }
    options.detect = parse_percent("--detect", flags.detect);
  }
  warn_undecidable_pairs(flags, options);
  if (ab.count("--seed") > 0) options.seed = flags.seed;
  return options;
}

// One side's suite, and the checkout it lives in when it comes from a revision.
struct LoadedSide {
  std::unique_ptr<RevisionCheckout> checkout;
  std::optional<Suite> suite;
};

LoadedSide load_side(const std::string& name, const std::string& dir, const std::string& rev,
                     const AbFlags& flags, const ManifestVars& vars) {
  LoadedSide side;
  if (!dir.empty() && !rev.empty()) {
    throw UsageError(fmt::format("--{0} and --{0}-rev both name the {0}; give one", name));
  }
  if (!rev.empty()) {
    fs::path scratch = fs::temp_directory_path() /
                       fmt::format("buildbench-{}-rev-{}-{}", name, getpid(), tag_safe(rev));
    side.checkout = std::make_unique<RevisionCheckout>(flags.suite_path, rev, scratch);
    side.suite = load_suite(side.checkout->suite_path(), vars);
    side.checkout->borrow_untracked(*side.suite);
    fmt::print(stderr, "buildbench: {} is {} ({}), checked out into {}\n", name, printable(rev),
               side.checkout->commit().substr(0, 12), scratch.string());
    return side;
  }
  if (dir.empty() && name == "baseline") {
    throw UsageError(
        "ab needs a baseline: --baseline DIR (a suite folder) or --baseline-rev REV (a revision "
        "of the repository holding --suite)");
  }
  side.suite = load_suite(dir.empty() ? flags.suite_path : dir, vars);
  return side;
}

// Prints "BASELINE_RUN CANDIDATE_RUN" on stdout.
int run_ab(const CLI::App& ab, const AbFlags& flags, const std::string& command_line) {
  ManifestVars vars = manifest_vars(flags.source);
  AbOptions options = ab_options(ab, flags, command_line);
  LoadedSide baseline = load_side("baseline", flags.baseline_dir, flags.baseline_rev, flags, vars);
  LoadedSide candidate =
      load_side("candidate", flags.candidate_dir, flags.candidate_rev, flags, vars);
  if (baseline.checkout) options.baseline_revision = baseline.checkout->commit();
  if (candidate.checkout) options.candidate_revision = candidate.checkout->commit();
  AbResult result = execute_ab(*baseline.suite, *candidate.suite, options, flags.db_path,
                               flags.measure.no_wait, flags.measure.builder);
  fmt::print("{} {}\n", result.baseline_run, result.candidate_run);
  return kExitOk;
}

}  // namespace

Subcommand add_ab_command(CLI::App& parent, const std::string& command_line) {
  auto* ab = parent.add_subcommand(
      "ab", "Measure a baseline and a candidate version side by side, pair by pair");
  auto flags = std::make_shared<AbFlags>();
  flags->measure.startup_runs = 20;
  add_pair_options(ab, *flags);
  add_measure_flags(ab, flags->measure, flags->db_path,
                    "Start-up pairs per scenario and bytecode mode");
  ab->footer(kAbFooter);
  return {ab, [ab, flags, command_line] { return run_ab(*ab, *flags, command_line); }};
}

}  // namespace bb
