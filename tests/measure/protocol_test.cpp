#include "measure/protocol.hpp"

#include <filesystem>

#include <catch2/catch.hpp>

#include "build_steps.hpp"
#include "fake_engine.hpp"
#include "measure/state_contract.hpp"
#include "scenario/manifest.hpp"

using namespace bb;
using bb::testing::FakeDockerEngine;
using bb::testing::step;
namespace fs = std::filesystem;

namespace {

Suite basic_suite() {
  return load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/basic");
}

std::vector<BuildStep> steps(bool deps_cached, bool code_cached, bool workdir_cached = false) {
  return {step("[1/5] FROM docker.io/library/python:3.11", true),
          step("[2/5] WORKDIR /app", workdir_cached),
          step("[3/5] COPY requirements.txt ./", deps_cached),
          step("[4/5] RUN pip install -r requirements.txt", deps_cached),
          step("[5/5] COPY . .", code_cached)};
}

}  // namespace

TEST_CASE("protocol: each state has its way of being produced") {
  CHECK(protocol_for(CacheState::kCold) == &prepare_cold);
  CHECK(protocol_for(CacheState::kWarmNoChange) == &prepare_local_warm);
  CHECK(protocol_for(CacheState::kWarmCode) == &prepare_local_warm);
  CHECK(protocol_for(CacheState::kWarmDeps) == &prepare_local_warm);
  CHECK(protocol_for(CacheState::kColdPull) == &prepare_cold_pull);
  for (auto state : ci_cache_states())
    if (state != CacheState::kColdPull) CHECK(protocol_for(state) == &prepare_ci);
}

TEST_CASE("protocol: an A/B candidate's images and groups are its own") {
  Scenario scenario;
  scenario.name = "final";
  RunOptions baseline, candidate;
  candidate.image_variant = "candidate";
  BuildJob job{&scenario, CacheState::kCold, 1, false, "", "", {}, &baseline};
  CHECK(owner_of(job) == "final");
  job.options = &candidate;
  CHECK(owner_of(job) == "final@candidate");
  CHECK(image_tag(scenario, "candidate") == "buildbench/final-22a76537-candidate:latest");
}

TEST_CASE("protocol: cold empties the builder and removes the image") {
  FakeDockerEngine engine;
  Progress progress{stderr, false, true};
  EditMaker edits("nonce");
  CacheMemory memory;
  Suite suite = basic_suite();
  RunOptions options;
  BuildJob job{&suite.scenarios[0], CacheState::kCold, 1, false, "", "", {}, &options};
  BuildRequest request;
  request.tag = "buildbench/one:latest";
  memory.images[request.tag] = "sha256:old";
  Sample sample;
  std::string registry;
  ProtocolContext context{engine, progress, edits, memory, registry, job, request, sample};
  CHECK(prepare_cold(context));
  CHECK(memory.prunes == 1);
  CHECK(memory.images.empty());
  REQUIRE(engine.calls.size() >= 2);
  CHECK(engine.calls[engine.calls.size() - 1] == "rmi buildbench/one:latest");
}

TEST_CASE("protocol: an edit's sample with more steps from cache than its group's is failed") {
  Suite suite = basic_suite();
  RunOptions options;
  CacheMemory memory;
  BuildJob job{&suite.scenarios[0], CacheState::kWarmDeps, 1, false, "", "", {}, &options};
  CHECK(broken_contract(job, steps(false, false), memory).empty());  // none from cache
  CHECK(memory.cached_steps.at({"one", "warm-deps"}) == 0);
  // A step other than RUN served from cache (a COPY keyed on its bytes, a WORKDIR): not held
  // against the sample; BuildKit reports COPY --from so when the exported file is known.
  CHECK(broken_contract(job, steps(false, false, true), memory).empty());
  // The edited file's steps ran, but one RUN more from cache than the group's first.
  auto more = steps(false, false);
  more.insert(more.begin() + 1, step("[1/6] RUN pip install poetry", true));
  CHECK_THAT(broken_contract(job, more, memory),
             Catch::StartsWith("1 RUN step(s) from cache, 0 in this group's other samples"));
  // The state's own contract first: an edit whose COPY came from cache did not rebuild.
  CHECK_THAT(broken_contract(job, steps(true, true), memory), Catch::Contains("requirements.txt"));
  // Warm-ups and states without an edit are not held to their group's count.
  job.warmup = true;
  CHECK(broken_contract(job, more, memory).empty());
  job.warmup = false;
  job.state = CacheState::kCold;
  CHECK(broken_contract(job, {step("[1/1] FROM x", false)}, memory).empty());
}

TEST_CASE("protocol: the edited files of a state are its edit's") {
  Suite suite = basic_suite();
  RunOptions options;
  BuildJob job{&suite.scenarios[0], CacheState::kWarmDeps, 1, false, "", "", {}, &options};
  CHECK(edited_by(job) == edited_files(*suite.scenarios[0].deps_edit));
  job.state = CacheState::kWarmCode;
  CHECK(edited_by(job) == edited_files(*suite.scenarios[0].code_edit));
  job.state = CacheState::kCiRegistry;  // the CI states edit the code
  CHECK(edited_by(job) == edited_files(*suite.scenarios[0].code_edit));
  job.state = CacheState::kCiRegistryDeps;  // but for the one that edits the dependencies
  CHECK(edited_by(job) == edited_files(*suite.scenarios[0].deps_edit));
  CHECK(suite.scenarios[0].supports(CacheState::kCiRegistryDeps));
  Scenario no_deps = suite.scenarios[0];
  no_deps.deps_edit.reset();
  CHECK_FALSE(no_deps.supports(CacheState::kCiRegistryDeps));
  CHECK(no_deps.supports(CacheState::kCiRegistry));
  job.state = CacheState::kWarmNoChange;
  CHECK(edited_by(job).empty());
  job.state = CacheState::kColdPull;  // a cold build: no edit, every scenario supports it
  CHECK(edited_by(job).empty());
  CHECK(no_deps.supports(CacheState::kColdPull));
}
