// cold-pull on the real engine: a fresh runner's cold build pulls each FROM image from the
// registry (127.0.0.1:5000, scripts/lab-registry). The build runs on a daemon of the test's own
// that holds only the two base images, so no other image keeps their layers and the pulls
// download every one; the bases are back in it after the run.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"
#include "e2e/own_daemon.hpp"
#include "model/metrics.hpp"
#include "net/registry.hpp"
#include "skip.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;
namespace fs = std::filesystem;

namespace {

const char* kRegistry = "127.0.0.1:5000";

CommandResult run_on(const std::string& host, std::vector<std::string> args) {
  ProcessOptions options;
  options.argv = {BUILDBENCH_BINARY};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = {{"DOCKER_HOST", host}};
  options.timeout = std::chrono::minutes(20);
  auto result = run_process(options);
  return {result.exit_code, result.out, result.err};
}

}  // namespace

TEST_CASE("cold-pull on two FROM images: each pulled from the registry, then back in the engine") {
  if (!net::registry_answers(net::parse_registry_address(kRegistry)))
    BB_SKIP("no registry on 127.0.0.1:5000 (start one with scripts/lab-registry)");
  OwnDaemon engine({"python:3.11", "python:3.11-slim"});
  std::string suite = (source_dir() / "tests/fixtures/suites/cold-pull").string();
  TempDb db;
  auto result =
      run_on(engine.host(), {"run", "--suite", suite, "--state", "cold-pull", "--runs", "2",
                             "--startup-runs", "0", "--no-image-stats", "--registry", kRegistry,
                             "--network-profile", "ci", "--db", db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  Store store(db.path, Store::Mode::kReadOnly);
  auto samples = store.samples(store.select_runs("latest"));
  REQUIRE(samples.size() == 2);
  for (const auto& s : samples) {
    INFO(s.sample.error);
    CHECK(s.sample.state == "cold-pull");
    CHECK(s.sample.status == SampleStatus::kOk);  // the contract held: both FROMs pulled
    REQUIRE(s.sample.get(kBasePullBytes));
    CHECK(*s.sample.get(kBasePullBytes) > 20e6);  // the -slim image alone is ~45 MB gzipped
    int froms = 0;
    for (const auto& step : s.sample.steps) {
      if (step.name.find("] FROM 127.0.0.1:") != std::string::npos) ++froms;
      if (step.is_instruction()) CHECK_FALSE(step.cached);
    }
    CHECK(froms == 2);
  }
  // Both bases are back under their own names; the registry's copies are not left as tags.
  for (const char* base : {"python:3.11", "python:3.11-slim"})
    CHECK(engine.docker({"image", "inspect", base}).exit_code == 0);
  auto tags = engine.docker({"image", "ls", "--format", "{{.Repository}}:{{.Tag}}"});
  CHECK(tags.out.find("buildbench-base/") == std::string::npos);
}

TEST_CASE(
    "cold-pull fails a sample whose base kept its layers in the engine, and pulls them all on a "
    "pull engine") {
  // The main jobs of 2026-12-03 and -04: the run's other builds on python:3.11 kept its layers,
  // so step 6's "pull" fetched the 1684-byte config alone and passed as a fresh runner's.
  if (!net::registry_answers(net::parse_registry_address(kRegistry)))
    BB_SKIP("no registry on 127.0.0.1:5000 (start one with scripts/lab-registry)");
  OwnDaemon engine({"python:3.11", "python:3.11-slim"});
  TempDb db;
  // An image BuildKit built on -slim holds its layers, not its config, when cold-pull removes
  // `python:3.11-slim`: as a scenario's earlier build does. (A committed container would keep
  // the whole base as its parent, and the pull would fetch nothing at all.)
  fs::path held = db.path.string() + ".held";
  fs::create_directories(held);
  std::ofstream(held / "Dockerfile") << "FROM python:3.11-slim\nLABEL held=1\n";
  auto built = engine.docker({"buildx", "build", "--tag", "held/slim:1", held.string()});
  fs::remove_all(held);
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  std::string suite = (source_dir() / "tests/fixtures/suites/cold-pull").string();
  auto result =
      run_on(engine.host(), {"run", "--suite", suite, "--state", "cold-pull", "--runs", "1",
                             "--startup-runs", "0", "--no-image-stats", "--registry", kRegistry,
                             "--network-profile", "ci", "--db", db.path.string()});
  INFO(result.err);
  CHECK(result.exit_code == 3);  // failed samples
  Store store(db.path, Store::Mode::kReadOnly);
  auto samples = store.samples(store.select_runs("latest"));
  REQUIRE(samples.size() == 1);
  INFO(samples[0].sample.error);
  CHECK(samples[0].sample.status == SampleStatus::kFailed);
  CHECK_THAT(samples[0].sample.error, Catch::Contains("FROM 127.0.0.1:") &&
                                          Catch::Contains("python:3.11-slim`") &&
                                          Catch::Contains("bytes of its layers'") &&
                                          Catch::Contains("not a fresh runner's pull"));
  CHECK(engine.docker({"image", "inspect", "python:3.11-slim"}).exit_code == 0);  // put back

  // With a pull engine, cold-pull builds there, where no image holds a base's layers: each
  // FROM downloads them in full, in the second sample too (what the first left is removed),
  // and the run's engine keeps its images and bases.
  OwnDaemon puller({});
  result = run_on(engine.host(),
                  {"run", "--suite", suite, "--state", "cold-pull", "--runs", "2", "--startup-runs",
                   "0", "--no-image-stats", "--registry", kRegistry, "--pull-engine", puller.host(),
                   "--network-profile", "ci", "--db", db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  samples = store.samples(store.select_runs("latest"));
  REQUIRE(samples.size() == 2);
  for (const auto& s : samples) {
    INFO(s.sample.error);
    CHECK(s.sample.status == SampleStatus::kOk);
    REQUIRE(s.sample.get(kBasePullBytes));
    CHECK(*s.sample.get(kBasePullBytes) > 20e6);
  }
  for (const char* image : {"held/slim:1", "python:3.11-slim", "python:3.11"})
    CHECK(engine.docker({"image", "inspect", image}).exit_code == 0);
  auto left = puller.docker({"image", "ls", "--format", "{{.Repository}}:{{.Tag}}"});
  CHECK(left.out.find("buildbench") == std::string::npos);
}

TEST_CASE("cold-pull without --registry is refused, naming the flag") {
  TempDb db;
  auto result =
      buildbench({"run", "--suite", (source_dir() / "tests/fixtures/suites/cold-pull").string(),
                  "--state", "cold-pull", "--db", db.path.string()});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("--state cold-pull needs a registry: add --registry") != std::string::npos);
}
