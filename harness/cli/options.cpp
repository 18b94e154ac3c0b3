#include "cli/options.hpp"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <fmt/format.h>

#include "lab/run_network.hpp"
#include "model/metrics.hpp"
#include "model/testbed.hpp"
#include "scenario/scenario.hpp"
#include "stats/power.hpp"
#include "store/sql.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "util/text.hpp"

namespace bb {

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

namespace {

std::chrono::milliseconds positive_duration(const std::string& flag, const std::string& text,
                                            const char* example) {
  auto parsed = parse_duration(text);
  if (!parsed || parsed->count() <= 0) {
    throw UsageError(
        fmt::format("{} '{}' is not a duration; write e.g. {}", flag, printable(text), example));
  }
  return *parsed;
}

}  // namespace

std::string default_suite() {
  if (const char* env = std::getenv("BUILDBENCH_SUITE")) return env;
  return "scenarios/hermetic";
}

std::string default_db() {
  if (const char* env = std::getenv("BUILDBENCH_DB")) return env;
  return "buildbench.db";
}

void add_db_option(CLI::App* command, std::string& db_path, const std::string& help) {
  auto* option = command->add_option("--db", db_path, help);
  // A default from BUILDBENCH_DB is shown as it may be printed (no password).
  if (sql::is_server_url(db_path))
    option->default_str(sql::printable_url(db_path));
  else
    option->capture_default_str();
}

ManifestVars manifest_vars(const std::string& source) {
  ManifestVars vars;
  if (!source.empty()) vars.source = std::filesystem::absolute(source);
  return vars;
}

std::string command_line(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  args[0] = "buildbench";
  // Secrets never reach the stored command line.
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--secret" && i + 1 < args.size()) args[i + 1] = "<redacted>";
    if (args[i].rfind("--secret=", 0) == 0) args[i] = "--secret=<redacted>";
    // Nor where the database server is: a run's record travels (merge, export).
    if (args[i] == "--db" && i + 1 < args.size() && sql::is_server_url(args[i + 1]))
      args[i + 1] = "postgresql://<redacted>";
    if (args[i].rfind("--db=", 0) == 0 && sql::is_server_url(args[i].substr(5)))
      args[i] = "--db=postgresql://<redacted>";
  }
  return join_argv(args);
}

CompareOptions nightly_paired_options(CompareOptions options) {
  options.thresholds.try_emplace(std::string(kBuildSeconds), kNightlyPairedBuildThreshold);
  return options;
}

std::string pairs_cannot_decide(const std::string& flag, int pairs, double alpha) {
  int fewest = fewest_pairs(alpha);
  if (pairs >= fewest) return "";
  return fmt::format(
      "{} {}: {} pairs can never reach p<{:g} (the exact signed-rank test's smallest two-sided "
      "p is 2/2^{} = {:.3g}), so no paired comparison of them can call a regression; use {} {} "
      "or more",
      flag, pairs, pairs, alpha, pairs, 2 / std::pow(2.0, pairs), flag, fewest);
}

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

void add_measure_flags(CLI::App* command, MeasureFlags& flags, std::string& db_path,
                       const std::string& startup_help) {
  command->add_option("--scenario", flags.scenarios, "Scenario to run (repeatable; default: all)");
  command->add_option(
      "--state", flags.states,
      "Cache state (repeatable; default: cold, warm-nochange, warm-code, "
      "warm-deps); opt-in: cold-pull (a fresh runner's cold build; by default for a "
      "claim's scenarios with --registry and --pull-engine) and the CI states "
      "ci-registry, ci-local, ci-inline, ci-registry-deps, export-min, "
      "export-max, export-local, export-inline");
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
  auto* pull_engine =
      command->add_option("--pull-engine", flags.pull_engine,
                          "DOCKER_HOST of a second engine of its own that pulls the pushed "
                          "images (--pull-onto), e.g. unix:///var/run/buildbench-pull.sock; on "
                          "the docker driver cold-pull builds there too, pruning its build "
                          "cache and removing buildbench's images there before and after");
  command
      ->add_option("--pull-onto", flags.pull_onto,
                   "What the pull engine holds before each pull: base (the image's base image, "
                   "the last stage's FROM, put there untimed after the push: the layers the "
                   "scenario adds, a new release on a host that has the base; "
                   "pull_onto_base_seconds) or empty (nothing of it: a fresh host; "
                   "pull_seconds)")
      ->capture_default_str()
      ->check(CLI::IsMember({"base", "empty"}))
      ->needs(pull_engine);
  command
      ->add_option("--network-profile", flags.network_profile,
                   "loopback, ci or home: the package index and registry traffic go through a "
                   "shaping proxy with this bandwidth and round trip")
      ->capture_default_str();
  add_testbed_option(command, flags.testbed);
  command->add_flag("--no-wait", flags.no_wait,
                    "Refuse, instead of waiting, when another run holds the Docker daemon");
  command->add_flag("--no-image-stats", flags.no_image_stats,
                    "Skip per-layer sizes, gzip sizes and .pyc counts (docker save)");
  add_db_option(command, db_path);
}

void add_testbed_option(CLI::App* command, std::string& testbed) {
  command->add_option("--testbed", testbed,
                      "Name of the machine and lab this run belongs to (e.g. ci-large); "
                      "default: derived from the fingerprint (CPU, cores, memory, engine, "
                      "BuildKit, network profile, stand-in images)");
}

std::string checked_testbed(const std::string& name) {
  if (name.empty()) return name;
  if (auto problem = testbed_name_problem(name)) {
    throw UsageError(
        fmt::format("--testbed '{}': {}; name it with letters, digits, '.', '_' "
                    "and '-', e.g. --testbed ci-large",
                    printable(name), *problem));
  }
  return name;
}

void add_across_testbeds_flag(CLI::App* command, bool& across, const std::string& what) {
  command->add_flag("--across-testbeds", across,
                    what + " even when they ran on different testbeds (the output names them)");
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
  options.pull_onto = flags.pull_onto;
  options.network_profile = network_profile_named(flags.network_profile).name;
  options.testbed = checked_testbed(flags.testbed);
  if (!flags.pull_engine.empty() && flags.registry.empty()) {
    throw UsageError("--pull-engine pulls what --registry pushed: add --registry 127.0.0.1:5000");
  }
  return options;
}

}  // namespace bb
