// Start-up time on the fake engine: the container spec, the watch and the sample's figures.
#include "startup/startup.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <catch2/catch.hpp>

#include "fake_engine.hpp"
#include "model/metrics.hpp"
#include "util/error.hpp"

using namespace bb;
using bb::testing::FakeDockerEngine;
namespace fs = std::filesystem;

namespace {

Scenario service() {
  Scenario scenario;
  scenario.name = "svc";
  scenario.probe.ready_line = "Listening on";
  scenario.probe.env = {{"WORKERS", "1"}};
  return scenario;
}

const StartupMode& mode_named(std::string_view name) {
  for (const auto& mode : builtin_startup_modes()) {
    if (mode.name == name) return mode;
  }
  FAIL("no built-in mode " << name);
  throw;
}

}  // namespace

TEST_CASE("inside reports parse, and malformed ones are ignored") {
  auto report = parse_inside_line("buildbench-inside: ready_ns=1500000000 from_pyc=12 compiled=3");
  REQUIRE(report);
  CHECK(report->ready_seconds == Approx(1.5));
  CHECK(report->from_pyc == 12);
  CHECK(report->compiled == 3);
  CHECK_FALSE(parse_inside_line("buildbench-inside: from_pyc=1"));
  CHECK_FALSE(parse_inside_line("something else"));
  CHECK_FALSE(parse_inside_line("buildbench-inside: ready_ns=-5"));
}

TEST_CASE("ready time: from the container's start stamp to the ready line, same clock") {
  StartOutcome outcome;
  outcome.ready = true;
  outcome.ready_at =
      std::chrono::system_clock::time_point(std::chrono::nanoseconds(1'700'000'000'250'000'000LL));
  CHECK_FALSE(ready_after_stamp(outcome));  // no stamp: no figure
  outcome.marked["buildbench-start:"] = "buildbench-start: 1700000000247000000";
  CHECK(*ready_after_stamp(outcome) == Approx(0.003));  // a service ready in 3 ms
  outcome.marked["buildbench-start:"] = "buildbench-start: 17000000x";
  CHECK_FALSE(ready_after_stamp(outcome));
}

TEST_CASE("ready time: a container that never got ready has none, stamp or not") {
  StartOutcome outcome;
  outcome.ready = false;
  outcome.marked["buildbench-start:"] = "buildbench-start: 1700000000247000000";
  CHECK_FALSE(ready_after_stamp(outcome));
}

TEST_CASE("start-up measurer: the stamp wraps the image's command, the probe rides along") {
  FakeDockerEngine engine;
  StartupMeasurer measurer(engine, "/tools", "bb-test");
  auto sample = measurer.measure(service(), "img", mode_named("no-bytecode"), true, 3, {});
  CHECK(sample.scenario == "svc");
  CHECK(sample.kind == SampleKind::kStartup);
  CHECK(sample.state == "no-bytecode");
  CHECK(sample.repetition == 3);
  CHECK(sample.status == SampleStatus::kOk);
  CHECK(*sample.get(kStartupSeconds) == 0.5);
  CHECK(*sample.get(kReadySeconds) == Approx(0.3));
  CHECK(*sample.get(kCreateSeconds) == 0.05);
  CHECK(*sample.get(kInterpreterReadySeconds) == Approx(0.4));
  CHECK(*sample.get(kModulesFromPyc) == 90);
  CHECK(*sample.get(kModulesCompiled) == 10);

  REQUIRE(engine.created.size() == 1);
  const auto& spec = engine.created[0];
  CHECK(spec.image == "img");
  CHECK(spec.name == "bb-test-1");
  CHECK(spec.entrypoint == "/opt/buildbench-start/buildbench-start");
  CHECK(spec.command == std::vector<std::string>{"python", "app.py"});
  CHECK(spec.env.at("WORKERS") == "1");  // the scenario's own environment
  CHECK(spec.env.at("PYTHONPATH") == "/opt/buildbench-probe");
  CHECK(spec.env.at("BUILDBENCH_READY_PATTERN") == "Listening on");
  CHECK(spec.env.count("PYTHONDONTWRITEBYTECODE") == 1);  // the mode's environment
  bool stamp = false, probe = false;
  for (const auto& [host, target] : spec.readonly_mounts) {
    stamp |= host == "/tools/start" && target == "/opt/buildbench-start";
    probe |= host == "/tools/probe" && target == "/opt/buildbench-probe";
  }
  CHECK(stamp);
  CHECK(probe);

  REQUIRE(engine.watches.size() == 1);
  CHECK(engine.watches[0].ready_line == "Listening on");
  CHECK(engine.watches[0].timeout == std::chrono::seconds(60));
  CHECK(engine.watches[0].markers ==
        std::vector<std::string>{"buildbench-start:", "buildbench-inside:"});
  CHECK(engine.removed == std::vector<std::string>{"bb-test-1"});
}

TEST_CASE("start-up measurer: without the probe, no interpreter figures and no PYTHONPATH") {
  FakeDockerEngine engine;
  StartupMeasurer measurer(engine, "/tools", "bb-test");
  auto sample = measurer.measure(service(), "img", mode_named("as-built"), false, 1,
                                 std::chrono::milliseconds(1500));
  CHECK(sample.status == SampleStatus::kOk);
  CHECK(*sample.get(kReadySeconds) == Approx(0.3));
  CHECK(sample.get(kInterpreterReadySeconds) == nullptr);
  REQUIRE(engine.created.size() == 1);
  CHECK(engine.created[0].env.count("PYTHONPATH") == 0);
  CHECK(engine.created[0].readonly_mounts.size() == 1);  // the stamp only
  CHECK(engine.watches[0].markers == std::vector<std::string>{"buildbench-start:"});
  CHECK(engine.watches[0].timeout == std::chrono::milliseconds(1500));  // the override wins
}

TEST_CASE("start-up measurer: an image without a command gets no stamp and so no ready time") {
  FakeDockerEngine engine;
  engine.image_cmd.clear();
  StartupMeasurer measurer(engine, "/tools", "bb-test");
  auto sample = measurer.measure(service(), "img", mode_named("as-built"), false, 1, {});
  CHECK(sample.status == SampleStatus::kOk);
  CHECK(sample.get(kStartupSeconds) != nullptr);
  CHECK(sample.get(kReadySeconds) == nullptr);
  CHECK(engine.created[0].entrypoint.empty());
  CHECK(engine.watches[0].markers.empty());
}

TEST_CASE("start-up measurer: never ready is a failed sample with the output, container removed") {
  FakeDockerEngine engine;
  engine.never_ready = true;
  StartupMeasurer measurer(engine, "/tools", "bb-test");
  auto sample = measurer.measure(service(), "img", mode_named("as-built"), true, 1, {});
  CHECK(sample.status == SampleStatus::kFailed);
  CHECK(sample.error.find("Booting worker") != std::string::npos);
  CHECK(sample.get(kStartupSeconds) == nullptr);
  CHECK(engine.removed.size() == 1);
}

TEST_CASE("start-up measurer: a stamp after the ready line fails the sample, no ready time") {
  FakeDockerEngine engine;
  engine.ready_seconds = -0.002;
  StartupMeasurer measurer(engine, "/tools", "bb-test");
  auto sample = measurer.measure(service(), "img", mode_named("as-built"), false, 1, {});
  CHECK(sample.status == SampleStatus::kFailed);
  CHECK(sample.error.find("clock was stepped") != std::string::npos);
  CHECK(sample.get(kReadySeconds) == nullptr);
}

TEST_CASE("start-up measurer: Python is what the probe answered, each container named anew") {
  FakeDockerEngine engine;
  StartupMeasurer measurer(engine, "/tools", "bb-test");
  CHECK(measurer.runs_python(service(), "img", {}));
  engine.python_service = false;
  CHECK_FALSE(measurer.runs_python(service(), "img", {}));
  REQUIRE(engine.created.size() == 2);
  CHECK(engine.created[1].name == "bb-test-2");
  // The image is inspected once, whatever the number of starts.
  CHECK(std::count(engine.calls.begin(), engine.calls.end(), "inspect img") == 1);
}

TEST_CASE("start-up tools: the probe and the stamp program are written where mounts expect") {
  fs::path dir = fs::temp_directory_path() / ("bb-startup-tools-" + std::to_string(::getpid()));
  write_startup_tools(dir);
  CHECK(fs::file_size(dir / "probe/sitecustomize.py") == probe_script().size());
  CHECK(probe_script().find("buildbench-inside:") != std::string_view::npos);
  CHECK(fs::exists(dir / "start/buildbench-start"));
  fs::remove_all(dir);
}
