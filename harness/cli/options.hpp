#pragma once
// Option helpers that several sub-commands share: defaults, value parsers, and the flags
// that `run` and `ab` both take.
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "compare/compare.hpp"
#include "scenario/manifest.hpp"
#include "session/runner.hpp"

namespace bb {

// $BUILDBENCH_SUITE, else scenarios/hermetic.
std::string default_suite();
// $BUILDBENCH_DB (a file or a postgresql:// URL), else buildbench.db.
std::string default_db();

// --db, its default shown in the help.
void add_db_option(CLI::App* command, std::string& db_path,
                   const std::string& help =
                       "SQLite database file, or a PostgreSQL database as "
                       "postgresql://USER@HOST:PORT/DATABASE[?sslmode=require] (its password "
                       "from PGPASSWORD, ~/.pgpass or a libpq service file, never in the URL)");

// {source} for manifests: the --source checkout, made absolute ("" leaves it unset).
ManifestVars manifest_vars(const std::string& source);

// The command line stored with a run, secrets redacted.
std::string command_line(int argc, char** argv);

// --label KEY=VALUE values; throws UsageError on one without '='.
std::map<std::string, std::string> parse_labels(const std::vector<std::string>& labels);

// METRIC=PERCENT or SCENARIO:METRIC=PERCENT, for compare and nightly.
void parse_thresholds(const std::vector<std::string>& thresholds, CompareOptions& options);

// The nightly's paired verdict reads build times at this threshold, not compare's 5%, unless
// --threshold names build_seconds: a true +5% step's estimate clears 5% half the time
// (scripts/nightly-sim).
inline constexpr double kNightlyPairedBuildThreshold = 3;
// `options` as the nightly's paired verdict reads them.
CompareOptions nightly_paired_options(CompareOptions options);

// Why `pairs` pairs (given with `flag`) can never reach p < alpha in compare's paired test,
// with the fewest that can; "" when they can.
std::string pairs_cannot_decide(const std::string& flag, int pairs, double alpha);

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
  std::string registry, pull_engine, pull_onto = "base", network_profile = "loopback";
  std::string testbed;
};

// --testbed NAME, for run, ab and nightly.
void add_testbed_option(CLI::App* command, std::string& testbed);
// The name checked; throws UsageError naming --testbed and what a name may hold.
std::string checked_testbed(const std::string& name);
// --across-testbeds, for compare, nightly and report; `what` says what it lets mix.
void add_across_testbeds_flag(CLI::App* command, bool& across, const std::string& what);

void add_measure_flags(CLI::App* command, MeasureFlags& flags, std::string& db_path,
                       const std::string& startup_help);

// Checks the flags' values; throws UsageError on one that does not parse.
RunOptions measure_options(const MeasureFlags& flags);

}  // namespace bb
