// The option helpers the sub-commands share, on hand-picked values: what parses, what a
// user gets told when it does not.
#include "cli/options.hpp"

#include <chrono>
#include <cstdlib>

#include <catch2/catch.hpp>

#include "util/error.hpp"

using namespace bb;
using namespace std::chrono_literals;

namespace {

// The UsageError text measure_options throws, or "" when it does not.
std::string measure_error(const MeasureFlags& flags) {
  try {
    measure_options(flags);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "";
}

std::string threshold_error(const std::string& threshold) {
  CompareOptions options;
  try {
    parse_thresholds({threshold}, options);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE("cli options: durations take s, ms, m, min and h, not zero, negatives or words") {
  MeasureFlags flags;
  CHECK(measure_options(flags).build_timeout == 30min);  // the default, "30m"
  for (auto [text, expected] :
       std::vector<std::pair<std::string, std::chrono::milliseconds>>{{"90s", 90s},
                                                                      {"90", 90s},
                                                                      {"1500ms", 1500ms},
                                                                      {"2m", 2min},
                                                                      {"2min", 2min},
                                                                      {"1h", 1h},
                                                                      {"0.5s", 500ms}}) {
    INFO(text);
    flags.build_timeout = text;
    CHECK(measure_options(flags).build_timeout == expected);
  }
  for (const char* text : {"0s", "-5m", "soon", "5 weeks", "", "1d"}) {
    INFO(text);
    flags.build_timeout = text;
    auto error = measure_error(flags);
    CHECK(error.rfind(std::string("--build-timeout '") + text + "' is not a duration", 0) == 0);
    CHECK(error.find("e.g. 30m") != std::string::npos);
  }
  MeasureFlags startup;
  CHECK_FALSE(measure_options(startup).startup_timeout);  // unset: each probe's own
  startup.startup_timeout = "45s";
  CHECK(measure_options(startup).startup_timeout == 45s);
  startup.startup_timeout = "0";
  CHECK(measure_error(startup).rfind("--startup-timeout '0' is not a duration; write e.g. 60s",
                                     0) == 0);
}

TEST_CASE("cli options: labels are KEY=VALUE, split at the first '='") {
  MeasureFlags flags;
  flags.labels = {"branch=main", "commit=abc=def", "empty="};
  auto labels = measure_options(flags).labels;
  CHECK(labels == std::map<std::string, std::string>{
                      {"branch", "main"}, {"commit", "abc=def"}, {"empty", ""}});
  for (const char* label : {"main", "=main", ""}) {
    INFO(label);
    flags.labels = {label};
    CHECK(measure_error(flags) ==
          std::string("--label '") + label + "': write KEY=VALUE, e.g. --label branch=main");
  }
}

TEST_CASE("cli options: cache states by name, a near miss suggested") {
  MeasureFlags flags;
  flags.states = {"cold", "warm-code", "ci-registry"};
  auto options = measure_options(flags);
  REQUIRE(options.states.size() == 3);
  CHECK(options.states[0] == CacheState::kCold);
  CHECK(options.states[2] == CacheState::kCiRegistry);
  flags.states = {"warm-cod"};
  auto error = measure_error(flags);
  CHECK(error.rfind("--state 'warm-cod' is not a cache state, did you mean 'warm-code'?", 0) == 0);
  CHECK(error.find("use one of cold, warm-nochange") != std::string::npos);
}

TEST_CASE("cli options: the network profile and the pull engine's need for a registry") {
  MeasureFlags flags;
  flags.network_profile = "ci";
  CHECK(measure_options(flags).network_profile == "ci");
  flags.network_profile = "hom";
  CHECK(measure_error(flags).rfind("--network-profile 'hom' is not a profile, did you mean 'home'?",
                                   0) == 0);
  MeasureFlags pull;
  pull.pull_engine = "unix:///var/run/other.sock";
  CHECK(measure_error(pull) ==
        "--pull-engine pulls what --registry pushed: add --registry 127.0.0.1:5000");
  pull.registry = "127.0.0.1:5000";
  CHECK(measure_error(pull) == "");
}

TEST_CASE("cli options: thresholds are METRIC=PERCENT or SCENARIO:METRIC=PERCENT") {
  CompareOptions options;
  parse_thresholds({"build_seconds=10", "final:image_bytes=0.5", "build_seconds=0"}, options);
  CHECK(options.thresholds ==
        std::map<std::string, double>{{"build_seconds", 0}, {"final:image_bytes", 0.5}});
  for (const char* bad : {"build_seconds", "build_seconds=", "=5", "build_seconds=-1",
                          "build_seconds=5%", "build_seconds=five"}) {
    INFO(bad);
    CHECK(threshold_error(bad) ==
          std::string("--threshold '") + bad +
              "': write METRIC=PERCENT or SCENARIO:METRIC=PERCENT, e.g. build_seconds=5");
  }
  CHECK(threshold_error("build_secnds=5") ==
        "--threshold 'build_secnds=5': unknown metric 'build_secnds', did you mean "
        "'build_seconds'?");
  CHECK(threshold_error("final:nothing_like_it=5")
            .rfind("--threshold 'final:nothing_like_it=5': unknown metric 'nothing_like_it'", 0) ==
        0);
}

TEST_CASE("cli options: the stored command line never holds a secret") {
  std::vector<std::string> args = {
      "./build/buildbench",     "run",     "--secret",   "id=npm,src=/home/me/.npmrc",
      "--secret=id=pip,src=/x", "--label", "branch=main"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  auto stored = command_line(static_cast<int>(argv.size()), argv.data());
  CHECK(stored.rfind("buildbench run --secret", 0) == 0);  // argv[0] as the user knows it
  CHECK(stored.find("npmrc") == std::string::npos);
  CHECK(stored.find("src=/x") == std::string::npos);
  CHECK(stored.find("<redacted>") != std::string::npos);
  CHECK(stored.find("--secret=<redacted>") != std::string::npos);
  CHECK(stored.find("branch=main") != std::string::npos);
}

TEST_CASE("cli options: the suite and database defaults follow the environment") {
  ::unsetenv("BUILDBENCH_SUITE");
  ::unsetenv("BUILDBENCH_DB");
  CHECK(default_suite() == "scenarios/hermetic");
  CHECK(default_db() == "buildbench.db");
  ::setenv("BUILDBENCH_SUITE", "/srv/suite", 1);
  ::setenv("BUILDBENCH_DB", "/var/lib/bb.db", 1);
  CHECK(default_suite() == "/srv/suite");
  CHECK(default_db() == "/var/lib/bb.db");
  ::unsetenv("BUILDBENCH_SUITE");
  ::unsetenv("BUILDBENCH_DB");
}

TEST_CASE("cli options: {source} is made absolute, and left unset when not given") {
  CHECK_FALSE(manifest_vars("").source);
  auto vars = manifest_vars("checkout");
  REQUIRE(vars.source);
  CHECK(vars.source->is_absolute());
  CHECK(vars.source->filename() == "checkout");
}

TEST_CASE("cli options: the nightly's paired verdict reads build times at 3% unless told") {
  CompareOptions none;
  auto paired = nightly_paired_options(none);
  CHECK(threshold_for(paired, "a", "build_seconds") == kNightlyPairedBuildThreshold);
  CHECK(threshold_for(none, "a", "build_seconds") == 5);  // the unpaired comparisons keep 5%
  CHECK(threshold_for(paired, "a", "image_bytes") == threshold_for(none, "a", "image_bytes"));
  CompareOptions given;
  parse_thresholds({"build_seconds=5", "b:build_seconds=1"}, given);
  auto told = nightly_paired_options(given);
  CHECK(threshold_for(told, "a", "build_seconds") == 5);
  CHECK(threshold_for(told, "b", "build_seconds") == 1);
  CompareOptions one_scenario;
  parse_thresholds({"b:build_seconds=10"}, one_scenario);
  auto mixed = nightly_paired_options(one_scenario);
  CHECK(threshold_for(mixed, "b", "build_seconds") == 10);
  CHECK(threshold_for(mixed, "a", "build_seconds") == kNightlyPairedBuildThreshold);
}
