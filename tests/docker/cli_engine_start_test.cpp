// CliDockerEngine's containers against a stand-in docker CLI (fake_docker.hpp): create's
// argv, and the two ways a start waits for ready (a line, or a command that succeeds).
#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "docker/cli_engine.hpp"
#include "docker/fake_docker.hpp"

using namespace bb;
using namespace std::chrono_literals;
using bb::test::FakeDocker;

TEST_CASE("cli engine start: create passes name, env, read-only mounts, entrypoint, command") {
  FakeDocker fake;
  CliDockerEngine engine;
  ContainerSpec spec;
  spec.image = "buildbench/s:1";
  spec.name = "bb-start-1";
  spec.env = {{"PYTHONDONTWRITEBYTECODE", "1"}};
  spec.readonly_mounts = {{"/host/start", "/buildbench-start"}};
  spec.entrypoint = "/buildbench-start";
  spec.command = {"python", "app.py"};
  auto outcome = engine.create_container(spec);
  CHECK(outcome.ok);
  CHECK(outcome.id == "c0ffee");
  REQUIRE(fake.calls().size() == 1);
  CHECK(fake.calls()[0] ==
        "container|create|--network|none|--name|bb-start-1|--env|PYTHONDONTWRITEBYTECODE=1|"
        "--mount|type=bind,source=/host/start,target=/buildbench-start,readonly|--entrypoint|"
        "/buildbench-start|buildbench/s:1|python|app.py");
}

TEST_CASE("cli engine start: ready on the line, markers kept, no wait once all are in") {
  FakeDocker fake;
  fake.set("FAKE_DOCKER_START_OUTPUT", "BBSTART 1700000000.5\\nloading\\nUvicorn running\\n");
  fake.set("FAKE_DOCKER_SLEEP", "20");
  CliDockerEngine engine;
  StartWatch watch;
  watch.ready_line = "running";
  watch.markers = {"BBSTART "};
  watch.timeout = 15s;
  auto begun = std::chrono::steady_clock::now();
  auto outcome = engine.start_until_ready("c0ffee", watch);
  CHECK(std::chrono::steady_clock::now() - begun < 10s);  // stopped at ready, not at the timeout
  CHECK(outcome.ready);
  CHECK_FALSE(outcome.timed_out);
  CHECK(outcome.seconds > 0);
  CHECK(outcome.marked == std::map<std::string, std::string>{{"BBSTART ", "BBSTART 1700000000.5"}});
  CHECK(fake.calls()[0] == "container|start|--attach|c0ffee");
}

TEST_CASE("cli engine start: a container that exits before its ready line says so") {
  FakeDocker fake;
  fake.set("FAKE_DOCKER_START_OUTPUT", "Traceback: boom\\n");
  fake.set("FAKE_DOCKER_START_EXIT", "3");
  CliDockerEngine engine;
  StartWatch watch;
  watch.ready_line = "ready";
  auto outcome = engine.start_until_ready("c0ffee", watch);
  CHECK_FALSE(outcome.ready);
  CHECK_FALSE(outcome.timed_out);
  CHECK(outcome.exit_code == 3);
  CHECK(outcome.tail.rfind("container exited (3) before a line matched 'ready'; last output:\n",
                           0) == 0);
  CHECK(outcome.tail.find("boom") != std::string::npos);
}

TEST_CASE("cli engine start: a ready command polled in the container, markers from its log") {
  FakeDocker fake;
  fake.set("FAKE_DOCKER_LOGS", "BBSTART 17\\nserving\\n");
  CliDockerEngine engine;
  StartWatch watch;
  watch.command = {"curl", "-f", "localhost:8000"};
  watch.markers = {"BBSTART "};
  auto ready = engine.start_until_ready("c0ffee", watch);
  CHECK(ready.ready);
  CHECK(ready.marked.at("BBSTART ") == "BBSTART 17");
  auto calls = fake.calls();
  REQUIRE(calls.size() == 3);
  CHECK(calls[0] == "container|start|c0ffee");
  CHECK(calls[1] == "container|exec|c0ffee|curl|-f|localhost:8000");
  CHECK(calls[2] == "container|logs|--tail|200|c0ffee");

  fake.set("FAKE_DOCKER_EXEC_EXIT", "1");
  watch.timeout = 300ms;
  auto never = engine.start_until_ready("c0ffee", watch);
  CHECK_FALSE(never.ready);
  CHECK(never.timed_out);
  CHECK(never.tail.rfind("probe command never succeeded within 300.0 ms; last output:\n", 0) == 0);
  CHECK(never.tail.find("serving") != std::string::npos);
}

TEST_CASE("cli engine start: removal is forced, with the container's volumes") {
  FakeDocker fake;
  CliDockerEngine engine;
  engine.remove_container("c0ffee");
  CHECK(fake.calls() == std::vector<std::string>{"container|rm|--force|--volumes|c0ffee"});
}
