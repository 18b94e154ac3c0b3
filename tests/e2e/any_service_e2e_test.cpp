// Start-up of services that are not Python, against the real engine: a C service suite end
// to end, a service ready in a few milliseconds, one never ready, one that ignores SIGTERM.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>

#include <catch2/catch.hpp>

#include "docker/cli_engine.hpp"
#include "e2e/helpers.hpp"
#include "model/metrics.hpp"
#include "scenario/manifest.hpp"
#include "session/runner.hpp"
#include "startup/startup.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Independently of buildbench: `docker start --attach` of a fresh container of `image`,
// from launching the CLI to the ready line on its output.
double docker_start_to_ready(const std::string& image, const std::string& ready_line) {
  auto id = run_checked({"docker", "create", "--network", "none", image});
  ProcessOptions options;
  options.argv = {"docker", "start", "--attach", id};
  options.timeout = 30s;
  std::regex pattern(ready_line);
  options.on_stdout_line = [&](std::string_view line) {
    return std::regex_search(line.begin(), line.end(), pattern) ? LineAction::kStop
                                                                : LineAction::kContinue;
  };
  auto start = std::chrono::steady_clock::now();
  auto result = run_process(options);
  double seconds = std::chrono::duration<double>(result.stopped_at - start).count();
  run_checked({"docker", "rm", "--force", id});
  REQUIRE(result.stopped_by_callback);
  return seconds;
}

std::string image_from(const std::string& fixture) {
  std::string tag = "buildbench-e2e/" + fixture + ":latest";
  run_checked({"docker", "build", "--quiet", "--network", "none", "--tag", tag,
               (source_dir() / "tests/fixtures/services" / fixture).string()},
              5min);
  return tag;
}

Scenario service(const std::string& name, const std::string& ready_line,
                 std::chrono::milliseconds timeout) {
  Scenario scenario;
  scenario.name = name;
  scenario.probe.ready_line = ready_line;
  scenario.probe.timeout = timeout;
  scenario.startup_modes = {builtin_startup_modes().front()};
  return scenario;
}

struct Measured {
  Sample sample;
  double wall_seconds;
};

// One start-up sample as the runner takes it (as built, no Python probe), timed from outside.
Measured measure_once(const Scenario& scenario, const std::string& image) {
  static CliDockerEngine engine;
  static const fs::path tools = [] {
    auto dir = fs::temp_directory_path() / ("bb-e2e-tools-" + std::to_string(::getpid()));
    write_startup_tools(dir);
    return dir;
  }();
  static StartupMeasurer measurer(engine, tools, "buildbench-e2e-" + std::to_string(::getpid()));
  auto start = std::chrono::steady_clock::now();
  auto sample = measurer.measure(scenario, image, scenario.startup_modes.front(), false, 1, {});
  return {sample, since(start)};
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

TEST_CASE("any service: the C suite runs end to end with positive, plausible start-up") {
  TempDb db;
  auto suite_dir = source_dir() / "scenarios/c-service";
  auto result = buildbench({"run", "--suite", suite_dir.string(), "--state", "cold", "--runs", "1",
                            "--startup-runs", "7", "--db", db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  Suite suite = load_suite(suite_dir);
  Store store(db.path, Store::Mode::kReadOnly);
  std::map<std::string, std::vector<double>> ready, startup;
  for (const auto& stored : store.samples(store.select_runs("latest"))) {
    const Sample& s = stored.sample;
    INFO(s.scenario << " " << to_string(s.kind) << " " << s.state << ": " << s.error);
    REQUIRE(s.status == SampleStatus::kOk);
    if (s.kind != SampleKind::kStartup) continue;
    CHECK(s.state == "as-built");  // not Python: the probe found no interpreter
    REQUIRE(s.get(kReadySeconds));
    CHECK(*s.get(kReadySeconds) > 0);
    CHECK(*s.get(kReadySeconds) < *s.get(kStartupSeconds));
    CHECK(*s.get(kStopSeconds) < 1.0);  // removed within a second of the ready line
    CHECK(s.get(kInterpreterReadySeconds) == nullptr);
    ready[s.scenario].push_back(*s.get(kReadySeconds));
    startup[s.scenario].push_back(*s.get(kStartupSeconds));
  }
  for (const auto& scenario : suite.scenarios) {
    REQUIRE(ready[scenario.name].size() == 7);
    // The same image, started by hand: docker start to the ready line. buildbench's
    // docker-start figure agrees with it; its ready figure is a small part of it.
    std::vector<double> by_hand;
    for (int i = 0; i < 5; ++i) {
      by_hand.push_back(docker_start_to_ready(image_tag(scenario), scenario.probe.ready_line));
    }
    INFO(scenario.name << ": ready " << median(ready[scenario.name]) << " s, docker start "
                       << median(startup[scenario.name]) << " s, by hand " << median(by_hand)
                       << " s");
    CHECK(median(ready[scenario.name]) < 0.5 * median(by_hand));
    CHECK(median(startup[scenario.name]) > 0.5 * median(by_hand));
    CHECK(median(startup[scenario.name]) < 2.0 * median(by_hand));
  }

  fs::path out = fs::temp_directory_path() / ("bb-e2e-report-" + std::to_string(::getpid()));
  REQUIRE(buildbench({"report", "--db", db.path.string(), "--out", out.string()}).exit_code == 0);
  std::ifstream in(out / "benchmark.md");
  std::string page((std::istreambuf_iterator<char>(in)), {});
  fs::remove_all(out);
  // The stand-in base images are named as they are; nothing else speaks of Python.
  page = std::regex_replace(page, std::regex(R"(python:3\.11(-slim)?)"), "IMAGE");
  INFO(page);
  // A word's start, not any substring: this host's CPU model "AMD EPYC" holds "pyc".
  for (const char* word : {"python", "pyc", "bytecode", "tutorial"}) {
    INFO(word);
    CHECK_FALSE(std::regex_search(lower(page), std::regex(std::string("(^|[^a-z])") + word)));
  }
  CHECK(page.find("## Claims") != std::string::npos);
  auto left = run_checked({"docker", "ps", "-aq", "--filter", "name=buildbench-run"});
  CHECK(left.empty());
}

TEST_CASE("any service: ready in a few milliseconds, measured above zero") {
  auto image = image_from("quick");
  auto scenario = service("quick", "^ready$", 20s);
  std::vector<double> ready;
  for (int i = 0; i < 7; ++i) {
    auto measured = measure_once(scenario, image);
    INFO(measured.sample.error);
    REQUIRE(measured.sample.status == SampleStatus::kOk);
    REQUIRE(measured.sample.get(kReadySeconds));
    ready.push_back(*measured.sample.get(kReadySeconds));
  }
  INFO("ready: " << median(ready) << " s");
  CHECK(*std::min_element(ready.begin(), ready.end()) > 0);
  CHECK(median(ready) < 0.05);
}

TEST_CASE("any service: never ready is a failed sample with its last output, at the timeout") {
  auto image = image_from("never");
  auto measured = measure_once(service("never", "^ready$", 3s), image);
  CHECK(measured.sample.status == SampleStatus::kFailed);
  CHECK(measured.sample.error.find("not ready after 3.00 s") != std::string::npos);
  CHECK(measured.sample.error.find("booting") != std::string::npos);
  CHECK(measured.wall_seconds < 3.0 + 1.5);  // create, the timeout, and the SIGKILL removal
}

TEST_CASE("any service: one that ignores SIGTERM is gone within a second of its ready line") {
  // sh as PID 1 and the C greeter both ignore SIGTERM; a graceful stop would wait 10 s.
  auto image = image_from("quick");
  for (int i = 0; i < 3; ++i) {
    auto measured = measure_once(service("quick", "^ready$", 20s), image);
    REQUIRE(measured.sample.status == SampleStatus::kOk);
    double before_ready =
        *measured.sample.get(kCreateSeconds) + *measured.sample.get(kStartupSeconds);
    INFO("wall " << measured.wall_seconds << " s, before ready " << before_ready << " s");
    CHECK(measured.wall_seconds - before_ready < 1.0);
  }
  auto left = run_checked({"docker", "ps", "-aq", "--filter", "name=buildbench-e2e"});
  CHECK(left.empty());
}
