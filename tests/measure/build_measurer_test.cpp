#include "measure/build_measurer.hpp"

#include <filesystem>

#include <catch2/catch.hpp>

#include "fake_engine.hpp"
#include "model/metrics.hpp"
#include "progress/eta.hpp"
#include "scenario/manifest.hpp"

using namespace bb;
using bb::testing::FakeDockerEngine;
namespace fs = std::filesystem;

namespace {

struct Harness {
  fs::path db = fs::temp_directory_path() / ("bb-measurer-" + std::to_string(::getpid()) + "-" +
                                             std::to_string(std::rand()) + ".db");
  Store store{db, Store::Mode::kReadWrite};
  FakeDockerEngine engine;
  Progress progress{stderr, false, true};
  BuildMeasurer measurer{engine, store, progress};
  Suite suite = load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/basic");
  RunOptions options;
  ~Harness() {
    for (auto suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  }
  BuildJob job(CacheState state) {
    const Scenario& one = suite.scenarios[0];
    return {&one, state, 1, false, one.context, one.dockerfile, {}, &options};
  }
};

}  // namespace

TEST_CASE("build measurer: a cold sample with its metrics, layer statistics once per state") {
  Harness h;
  h.measurer.begin_session();
  CHECK(h.measurer.layers_due("one", CacheState::kCold, h.options));
  Sample first = h.measurer.measure(h.job(CacheState::kCold));
  CHECK(first.status == SampleStatus::kOk);
  CHECK(first.kind == SampleKind::kBuild);
  CHECK(first.state == "cold");
  REQUIRE(first.get(kBuildSeconds));
  CHECK(*first.get(kStepsTotal) > 0);
  CHECK(first.get(kImageCompressedBytes));  // docker save and gzip, once
  CHECK(h.measurer.take_one_off().count(kImageLayersWork) == 1);
  CHECK(h.measurer.take_one_off().empty());  // taken: forgotten
  CHECK_FALSE(h.measurer.layers_due("one", CacheState::kCold, h.options));
  Sample second = h.measurer.measure(h.job(CacheState::kCold));
  CHECK(second.get(kImageBytes));
  CHECK_FALSE(second.get(kImageCompressedBytes));  // a rebuild of the same state: size only
  CHECK(h.measurer.take_one_off().empty());
}

TEST_CASE("build measurer: a failed build is a failed sample with its numbers kept") {
  Harness h;
  h.engine.fail_builds = true;
  h.measurer.begin_session();
  Sample sample = h.measurer.measure(h.job(CacheState::kCold));
  CHECK(sample.status == SampleStatus::kFailed);
  CHECK_FALSE(sample.error.empty());
}

TEST_CASE("build measurer: a resumed run's samples seed what was measured") {
  Harness h;
  h.measurer.begin_session();
  Sample stored;
  stored.scenario = "one";
  stored.state = "cold";
  stored.set(kImageCompressedBytes, 100);
  h.measurer.seed(stored, "");
  CHECK_FALSE(h.measurer.layers_due("one", CacheState::kCold, h.options));
  h.measurer.begin_session();  // a new session starts from nothing
  CHECK(h.measurer.layers_due("one", CacheState::kCold, h.options));
}

TEST_CASE("build measurer: a resumed A/B candidate's samples seed its own groups") {
  Harness h;
  h.measurer.begin_session();
  Sample stored;
  stored.scenario = "one";
  stored.state = "cold";
  stored.set(kImageCompressedBytes, 100);
  h.measurer.seed(stored, "candidate");
  CHECK_FALSE(h.measurer.layers_due("one@candidate", CacheState::kCold, h.options));
  CHECK(h.measurer.layers_due("one", CacheState::kCold, h.options));  // the baseline's still due
}
