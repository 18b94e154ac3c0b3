// CliDockerEngine against a stand-in docker CLI (fake_docker.hpp): the argv it builds, and
// how it turns buildx's output and exit into a BuildOutcome.
#include "docker/cli_engine.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "docker/fake_docker.hpp"
#include "util/error.hpp"

using namespace bb;
using namespace std::chrono_literals;
using bb::test::FakeDocker;

namespace {

std::string rawjson(const char* name) {
  return std::string(BUILDBENCH_SOURCE_DIR) + "/tests/fixtures/rawjson/" + name;
}

BuildRequest request() {
  BuildRequest r;
  r.context = "/ctx";
  r.dockerfile = "/ctx/Dockerfile";
  r.tag = "buildbench/s:1";
  return r;
}

}  // namespace

TEST_CASE("cli engine: the build argv carries every request field, in order") {
  BuildRequest r = request();
  r.target = "final";
  r.network = "host";
  r.build_args = {{"A", "1"}, {"B", "two words"}};
  r.secrets = {"id=npm,src=/x"};
  r.cache_from = {"type=registry,ref=r/c"};
  r.cache_to = {"type=registry,ref=r/c,mode=max"};
  CliDockerEngine engine;
  CHECK(engine.build_argv(r, "/tmp/m.json") ==
        std::vector<std::string>{"docker",
                                 "buildx",
                                 "build",
                                 "--progress=rawjson",
                                 "--metadata-file",
                                 "/tmp/m.json",
                                 "--file",
                                 "/ctx/Dockerfile",
                                 "--target",
                                 "final",
                                 "--network",
                                 "host",
                                 "--build-arg",
                                 "A=1",
                                 "--build-arg",
                                 "B=two words",
                                 "--secret",
                                 "id=npm,src=/x",
                                 "--cache-from",
                                 "type=registry,ref=r/c",
                                 "--cache-to",
                                 "type=registry,ref=r/c,mode=max",
                                 "--tag",
                                 "buildbench/s:1",
                                 "/ctx"});
}

TEST_CASE("cli engine: a builder is targeted by name, a docker-driver one by its context") {
  FakeDocker fake;
  CliDockerEngine container_driver("ci");
  auto argv = container_driver.build_argv(request(), "m");
  CHECK(std::vector<std::string>(argv.begin(), argv.begin() + 5) ==
        std::vector<std::string>{"docker", "buildx", "build", "--builder", "ci"});
  CHECK(argv[argv.size() - 2] == "--load");  // only the docker driver loads by itself

  fake.set("FAKE_DOCKER_DRIVER", "docker");
  CliDockerEngine docker_driver("other-daemon");
  argv = docker_driver.build_argv(request(), "m");
  CHECK(std::vector<std::string>(argv.begin(), argv.begin() + 5) ==
        std::vector<std::string>{"docker", "--context", "other-daemon", "buildx", "build"});
  CHECK(std::find(argv.begin(), argv.end(), "--load") == argv.end());
  CHECK(std::find(argv.begin(), argv.end(), "--builder") == argv.end());

  CliDockerEngine pull_engine("", "unix:///run/pull.sock");
  argv = pull_engine.build_argv(request(), "m");
  CHECK(std::vector<std::string>(argv.begin(), argv.begin() + 4) ==
        std::vector<std::string>{"docker", "--host", "unix:///run/pull.sock", "buildx"});
}

TEST_CASE("cli engine: an unknown builder is a usage error naming it") {
  FakeDocker fake;
  fake.set("FAKE_DOCKER_NO_BUILDER", "1");
  try {
    CliDockerEngine engine("nope");
    FAIL("no error");
  } catch (const UsageError& error) {
    std::string what = error.what();
    CHECK(what.rfind("--builder 'nope': no such buildx builder (ERROR: no builder", 0) == 0);
    CHECK(what.find("'docker buildx ls'") != std::string::npos);
  }
}

TEST_CASE("cli engine: a good build gives its steps, base images and the image id") {
  FakeDocker fake;
  fake.set("FAKE_DOCKER_BUILD_OUTPUT", rawjson("multistage-ok.txt"));
  fake.set("FAKE_DOCKER_IMAGE_JSON", R"({"Id":"sha256:0123","Size":7})");
  CliDockerEngine engine;
  int progress_calls = 0;
  BuildRequest r = request();
  r.on_progress = [&](const RawJsonParser&) { ++progress_calls; };
  auto outcome = engine.build(r);
  CHECK(outcome.ok);
  CHECK(outcome.exit_code == 0);
  CHECK(outcome.error.empty());
  CHECK(outcome.image_id == "sha256:0123");
  CHECK_FALSE(outcome.steps.empty());
  REQUIRE_FALSE(outcome.base_images.empty());
  CHECK(outcome.base_images[0] == "docker.io/library/python:3.11-slim");
  CHECK(progress_calls > 0);
  auto calls = fake.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[0].rfind("buildx|build|--progress=rawjson|--metadata-file|", 0) == 0);
  CHECK(calls[1] == "image|inspect|--format|{{json .}}|buildbench/s:1");
}

TEST_CASE("cli engine: a failed build's error names the step, its exit and its last lines") {
  FakeDocker fake;
  fake.set("FAKE_DOCKER_BUILD_OUTPUT", rawjson("failed-step.txt"));
  fake.set("FAKE_DOCKER_BUILD_EXIT", "1");
  CliDockerEngine engine;
  auto outcome = engine.build(request());
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.exit_code == 1);
  CHECK(outcome.image_id.empty());
  INFO(outcome.error);
  CHECK(outcome.error.rfind("ERROR: failed to solve", 0) == 0);
  CHECK(outcome.error.find("step '[4/4] RUN echo failing-output && exit 3' failed: ") !=
        std::string::npos);
  CHECK(outcome.error.find("exit code: 3") != std::string::npos);
  CHECK(outcome.error.find("\n  | ") != std::string::npos);
  CHECK(outcome.error.find("failing-output") != std::string::npos);
  CHECK(fake.calls().size() == 1);  // no inspect of an image that was not built
}

TEST_CASE("cli engine: a silent failure and a timeout still say what happened") {
  FakeDocker fake;
  fake.set("FAKE_DOCKER_BUILD_EXIT", "7");
  CliDockerEngine engine;
  auto silent = engine.build(request());
  CHECK_FALSE(silent.ok);
  CHECK(silent.error == "docker buildx build exited 7");

  fake.set("FAKE_DOCKER_BUILD_OUTPUT", rawjson("failed-step.txt"));
  fake.set("FAKE_DOCKER_SLEEP", "20");
  BuildRequest slow = request();
  slow.timeout = 300ms;
  auto started = std::chrono::steady_clock::now();
  auto outcome = engine.build(slow);
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  CHECK(outcome.timed_out);
  CHECK_FALSE(outcome.ok);
  CHECK(outcome.error.rfind("build timed out after 300.0 ms and was killed\n", 0) == 0);
}

TEST_CASE("cli engine: the BuildKit line of a distribution engine, from its version") {
  CHECK(embedded_buildkit("20.10.24+dfsg1") == "v0.8.x");
  CHECK(embedded_buildkit("26.1.5") == "v0.13.x");
  CHECK_FALSE(embedded_buildkit("27.0.1"));
  CHECK_FALSE(embedded_buildkit(""));
}

TEST_CASE("cli engine: ping and require_engine ask the daemon for its version") {
  FakeDocker fake;
  CliDockerEngine engine;
  CHECK(engine.ping());
  CHECK_NOTHROW(require_engine());
  fake.set("FAKE_DOCKER_NO_ENGINE", "1");
  CHECK_FALSE(engine.ping());
  try {
    require_engine();
    FAIL("no error");
  } catch (const EnvironmentError& error) {
    std::string what = error.what();
    CHECK(what.rfind("no Docker engine answers (Cannot connect to the Docker daemon", 0) == 0);
    CHECK(what.find("start one with scripts/lab-dockerd, or run 'buildbench doctor'") !=
          std::string::npos);
  }
}

TEST_CASE("cli engine: an image is restored by pull, tag and untag, and a failure says which") {
  FakeDocker fake;
  CliDockerEngine engine;
  CHECK(engine.restore_image("127.0.0.1:5000/buildbench-base/python:3.11", "python:3.11") == "");
  CHECK(fake.calls() ==
        std::vector<std::string>{"image|pull|--quiet|127.0.0.1:5000/buildbench-base/python:3.11",
                                 "image|tag|127.0.0.1:5000/buildbench-base/python:3.11|python:3.11",
                                 "image|rm|127.0.0.1:5000/buildbench-base/python:3.11"});
  fake.set("FAKE_DOCKER_PULL_EXIT", "1");
  auto error = engine.restore_image("127.0.0.1:5000/buildbench-base/python:3.11", "python:3.11");
  CHECK_THAT(error, Catch::Contains("docker image pull --quiet 127.0.0.1:5000/") &&
                        Catch::Contains("connection refused"));
  CHECK(fake.calls().size() == 4);  // no tag after a failed pull
}
