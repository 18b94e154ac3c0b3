#include "measure/runner.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "fake_engine.hpp"
#include "scenario/manifest.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

using namespace bb;
using bb::testing::FakeDockerEngine;
namespace fs = std::filesystem;

namespace {

Suite basic_suite() {
  return load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/basic");
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct Harness {
  fs::path db = fs::temp_directory_path() / ("bb-runner-" + std::to_string(::getpid()) + "-" +
                                             std::to_string(std::rand()) + ".db");
  Store store{db, Store::Mode::kReadWrite};
  FakeDockerEngine engine;
  Progress progress{stderr, false, true};
  Runner runner{engine, store, progress};
  ~Harness() {
    for (auto suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  }
};

}  // namespace

TEST_CASE("plan: repetitions outermost, scenarios rotated, unsupported states skipped") {
  Suite suite = basic_suite();
  RunOptions options;
  options.runs = 2;
  options.warmup = 1;
  options.states = {CacheState::kCold, CacheState::kWarmDeps};
  auto tasks = plan_tasks(suite, options);
  // per repetition: cold x 2 scenarios + warm-deps x 1 (only "one" has a deps edit)
  REQUIRE(tasks.size() == 9);
  CHECK(tasks[0].warmup);
  CHECK(tasks[0].scenario->name == "one");
  CHECK(tasks[1].scenario->name == "two");
  CHECK(tasks[2].state == CacheState::kWarmDeps);
  CHECK_FALSE(tasks[3].warmup);
  CHECK(tasks[3].repetition == 1);
  CHECK(tasks[3].scenario->name == "two");  // rotated
  CHECK(tasks[8].repetition == 2);
}

TEST_CASE("plan: an unknown --scenario is a usage error with a suggestion") {
  RunOptions options;
  options.scenarios = {"onee"};
  CHECK_THROWS_WITH(plan_tasks(basic_suite(), options), Catch::Contains("did you mean 'one'?"));
}

TEST_CASE("cold samples prune the builder cache and remove the image before building") {
  Harness h;
  RunOptions options;
  options.runs = 1;
  options.scenarios = {"one"};
  options.states = {CacheState::kCold};
  h.runner.run(basic_suite(), options);
  auto prune = std::find(h.engine.calls.begin(), h.engine.calls.end(), "prune");
  REQUIRE(std::distance(prune, h.engine.calls.end()) >= 3);
  CHECK(prune[1].rfind("rmi buildbench/one-", 0) == 0);
  CHECK(prune[2].rfind("build buildbench/one-", 0) == 0);
}

TEST_CASE("warm-code primes, then edits a scratch copy, never the user's file") {
  Harness h;
  Suite suite = basic_suite();
  auto original = read(suite.scenarios[0].context / "app.py");
  h.engine.watch_file = "app.py";
  RunOptions options;
  options.runs = 2;
  options.scenarios = {"one"};
  options.states = {CacheState::kWarmCode};
  auto run_id = h.runner.run(suite, options);
  // priming build sees the content before the edit, the measured build after it
  REQUIRE(h.engine.built_contents.size() == 4);
  CHECK(h.engine.built_contents[0] == original);
  CHECK(h.engine.built_contents[1] == original + "# edit 1\n");
  CHECK(h.engine.built_contents[2] == original + "# edit 1\n");
  CHECK(h.engine.built_contents[3] == original + "# edit 1\n# edit 2\n");
  CHECK(read(suite.scenarios[0].context / "app.py") == original);
  auto samples = h.store.samples({run_id});
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].sample.state == "warm-code");
  CHECK(*samples[0].sample.get("image_bytes") == 1000);
  CHECK(*samples[0].sample.get("image_compressed_bytes") == 400);
  CHECK(h.store.run(run_id)->status == "complete");
}

TEST_CASE("a failed build is stored as a failed sample and the run goes on") {
  Harness h;
  h.engine.fail_builds = true;
  RunOptions options;
  options.runs = 1;
  options.states = {CacheState::kCold};
  auto run_id = h.runner.run(basic_suite(), options);
  auto samples = h.store.samples({run_id});
  REQUIRE(samples.size() == 2);
  for (const auto& s : samples) {
    CHECK(s.sample.status == "failed");
    CHECK(s.sample.error.find("exit code: 3") != std::string::npos);
  }
}

TEST_CASE("an interrupt stops the run, keeps what was stored and marks it interrupted") {
  Harness h;
  int builds = 0;
  h.engine.on_build = [&] {
    if (++builds == 2) interrupt::request_for_test(2);
  };
  RunOptions options;
  options.runs = 3;
  options.states = {CacheState::kCold};
  CHECK_THROWS_AS(h.runner.run(basic_suite(), options), Interrupted);
  interrupt::reset_for_test();
  auto runs = h.store.runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == "interrupted");
  auto samples = h.store.samples({runs[0].id});
  CHECK(samples.size() == 2);  // both finished samples stored, none after the interrupt
}
