// `buildbench doctor` against the stand-in docker CLI (docker/fake_docker.hpp): every check
// named with what it found, a failing one with its fix, and exit 3 when any fails.
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "docker/fake_docker.hpp"

using namespace bb;
using bb::test::basic_suite;
using bb::test::buildbench_cli;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("cli doctor: all checks pass, each says what it found") {
  bb::test::FakeDocker fake;
  bb::test::CliTempDir dir;
  auto db = (dir.path / "none-yet.db").string();
  auto result = buildbench_cli({"doctor", "--suite", basic_suite(), "--db", db});
  INFO(result.out << result.err << result.error);
  CHECK(result.exit_code == 0);
  CHECK(has_line(result.out, "ok   docker client: 26.1.5"));
  CHECK(has_line(result.out, "ok   docker engine: 26.1.5"));
  CHECK(has_line(result.out, "ok   buildx: github.com/docker/buildx 0.13.1"));
  CHECK(has_line(result.out, "ok   suite: basic (2 scenarios)"));
  CHECK(has_line(result.out,
                 "ok   database: " + db + " does not exist yet; 'buildbench run' creates it"));
  CHECK(result.out.find("FAIL") == std::string::npos);
}

TEST_CASE("cli doctor: no engine, no base image, a broken suite: each FAIL with its fix, exit 3") {
  bb::test::FakeDocker fake;
  fake.set("FAKE_DOCKER_NO_ENGINE", "1");
  fake.set("FAKE_DOCKER_NO_IMAGE", "1");
  bb::test::CliTempDir dir;
  auto result = buildbench_cli(
      {"doctor", "--suite", (dir.path / "nowhere").string(), "--db", (dir.path / "b.db").string()});
  INFO(result.out);
  CHECK(result.exit_code == kExitEnvironment);
  CHECK(result.out.find("FAIL docker engine: Cannot connect to the Docker daemon") !=
        std::string::npos);
  CHECK(has_line(result.out, "     fix: start the daemon: scripts/lab-dockerd"));
  CHECK(result.out.find("FAIL base image python:3.11: Error: No such image") != std::string::npos);
  CHECK(has_line(result.out, "     fix: create stand-ins: scripts/lab-images"));
  CHECK(result.out.find("FAIL suite: suite '") != std::string::npos);
  CHECK(has_line(result.out, "     fix: fix the manifest"));
  CHECK(has_line(result.out, "ok   docker client: 26.1.5"));  // the client still answers
}
