#include "measure/registry_metrics.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "fake_engine.hpp"
#include "util/error.hpp"
#include "util/scratch_folder.hpp"

using namespace bb;
using bb::testing::FakeDockerEngine;
namespace fs = std::filesystem;

namespace {

Scenario with_dockerfile(const fs::path& dir, const std::string& text) {
  fs::create_directories(dir);
  std::ofstream(dir / "Dockerfile") << text;
  Scenario scenario;
  scenario.name = "s";
  scenario.context = dir;
  scenario.dockerfile = dir / "Dockerfile";
  return scenario;
}

}  // namespace

TEST_CASE("registry metrics: an A/B candidate pushes to a repository of its own") {
  Scenario scenario;
  scenario.name = "final";
  RunOptions baseline, candidate;
  candidate.image_variant = "candidate";
  BuildJob job{&scenario, CacheState::kCold, 1, false, "", "", {}, &baseline};
  CHECK(repository_of(job) == "buildbench/final-22a76537");
  job.options = &candidate;
  CHECK(repository_of(job) == "buildbench/final-22a76537-candidate");
}

TEST_CASE("registry metrics: once per owner, on a measured cold image, with a registry") {
  FakeDockerEngine engine;
  Progress progress{stderr, false, true};
  RegistryMetrics metrics(engine, progress);
  Scenario scenario;
  scenario.name = "final";
  RunOptions options;
  BuildJob job{&scenario, CacheState::kCold, 1, false, "", "", {}, &options};
  CHECK_FALSE(metrics.wanted(job));  // no registry
  metrics.use({"127.0.0.1:5000", "127.0.0.1:5000", nullptr, "base"});
  CHECK(metrics.wanted(job));
  job.warmup = true;
  CHECK_FALSE(metrics.wanted(job));
  job.warmup = false;
  job.state = CacheState::kWarmCode;
  CHECK_FALSE(metrics.wanted(job));
  job.state = CacheState::kCold;
  metrics.seed("final");  // a resumed run measured it already
  CHECK_FALSE(metrics.wanted(job));
  metrics.begin_session();
  CHECK_FALSE(metrics.measured("final"));
}

TEST_CASE("registry metrics: --pull-onto base needs each final base known and in the engine") {
  ScratchFolder dir(fs::temp_directory_path() / ("bb-pull-onto-" + std::to_string(::getpid())));
  FakeDockerEngine engine;
  Scenario open = with_dockerfile(dir.path() / "open", "ARG BASE\nFROM $BASE\nRUN true\n");
  CHECK_THROWS_WITH(
      check_pull_onto(engine, {&open}),
      Catch::Contains("names an ARG without a value") && Catch::Contains("--pull-onto empty"));
  Scenario missing = with_dockerfile(dir.path() / "missing", "FROM python:3.11\n");
  engine.missing_images = {"python:3.11"};
  CHECK_THROWS_WITH(check_pull_onto(engine, {&missing}),
                    Catch::Contains("python:3.11 is not in the engine that builds"));
  engine.missing_images.clear();
  CHECK_NOTHROW(check_pull_onto(engine, {&missing}));
}

TEST_CASE("registry metrics: a Dockerfile the reader refuses names its file") {
  ScratchFolder dir(fs::temp_directory_path() /
                    ("bb-bad-dockerfile-" + std::to_string(::getpid())));
  Scenario bad = with_dockerfile(dir.path(), "FROM x\nRUN <<EOF\necho never ends\n");
  CHECK_THROWS_WITH(base_images_of(bad), Catch::Contains((dir.path() / "Dockerfile").string()) &&
                                             Catch::Contains("line"));
}
