// Warm states on the real engine: every edit reaches the build, in every repetition and
// every run, and a sample whose edit did not is stored as failed with the reason.
#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"
#include "measure/state_contract.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;

namespace {

// The step that copies `file`, as stored with the sample; fails the test when absent.
const BuildStep& copy_of(const Sample& sample, const std::string& file) {
  for (const auto& step : sample.steps) {
    auto copy = parse_copy_step(step.name);
    if (step.is_instruction() && copy && copy_reads(*copy, file)) return step;
  }
  FAIL("no stored step of " << sample.scenario << " " << sample.state << " copies " << file);
  throw;
}

}  // namespace

TEST_CASE("warm-code and warm-deps: two runs in a row, every sample reruns its edited copy") {
  TempDb db;
  auto suite = (source_dir() / "scenarios/hermetic").string();
  const std::map<std::string, std::string> code_file = {
      {"final", "src/final/main.py"}, {"extra-2-pre-commit", "src/pre_commit_example/main.py"}};
  // No cold state anywhere: the second run starts from the cache the first one left.
  for (int run = 1; run <= 2; ++run) {
    auto result =
        buildbench({"run", "--suite", suite, "--scenario", "final", "--scenario",
                    "extra-2-pre-commit", "--state", "warm-code", "--state", "warm-deps", "--runs",
                    "3", "--startup-runs", "0", "--no-image-stats", "--db", db.path.string()});
    INFO("run " << run << ": " << result.err);
    REQUIRE(result.exit_code == 0);
    Store store(db.path, Store::Mode::kReadOnly);
    auto samples = store.samples(store.select_runs("latest"));
    REQUIRE(samples.size() == 12);  // 2 scenarios x 2 states x 3 repetitions
    for (const auto& stored : samples) {
      const Sample& s = stored.sample;
      INFO(s.scenario << " " << s.state << " #" << s.repetition << ": " << s.error);
      CHECK(s.status == SampleStatus::kOk);
      const std::string file =
          s.state == "warm-deps" ? "requirements.txt" : code_file.at(s.scenario);
      CHECK_FALSE(copy_of(s, file).cached);
    }
  }
}

TEST_CASE("an edit that changes nothing the build reads is a failed sample with the reason") {
  TempDb db;
  auto result = buildbench({"run", "--suite", (source_dir() / "tests/fixtures/suites/e2e").string(),
                            "--scenario", "unread-edit", "--state", "warm-code", "--runs", "1",
                            "--startup-runs", "0", "--no-image-stats", "--db", db.path.string()});
  INFO(result.err);
  CHECK(result.exit_code == 3);  // the run completes; the sample is the failure
  Store store(db.path, Store::Mode::kReadOnly);
  auto samples = store.samples(store.select_runs("latest"));
  REQUIRE(samples.size() == 1);
  const Sample& s = samples[0].sample;
  CHECK(s.status == SampleStatus::kFailed);
  CHECK(s.error.find("code edit of `notes.txt` reached no step") == 0);
  // Every step came from the cache: the sample's numbers would have been a cache hit.
  for (const auto& step : s.steps) {
    if (step.is_instruction()) CHECK(step.cached);
  }
  auto compare = buildbench(
      {"compare", "--baseline", "latest", "--candidate", "latest", "--db", db.path.string()});
  CHECK(compare.out.find("failed") != std::string::npos);
}
