// `buildbench run` against the real Docker engine.
#include <algorithm>

#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"
#include "model/metrics.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;

namespace {

const StoredSample& find(const std::vector<StoredSample>& samples, const std::string& scenario,
                         const std::string& state) {
  for (const auto& s : samples) {
    if (s.sample.scenario == scenario && s.sample.state == state) return s;
  }
  FAIL("no sample for " << scenario << " " << state);
  throw;
}

// The instruction's place in the Dockerfile: "[3/5] COPY ..." -> 3. Steps are stored in the
// order BuildKit first reported them, which BuildKit 0.13 interleaves across steps.
int instruction_index(const BuildStep& step) {
  auto slash = step.name.find('/');
  auto start = step.name.find_last_of(" [", slash);
  return std::stoi(step.name.substr(start + 1, slash - start - 1));
}

bool is_cached_after(const Sample& sample, const std::string& first_uncached_prefix) {
  // Every instruction before the named one is cached, it and every later one is not.
  std::vector<BuildStep> steps;
  for (const auto& step : sample.steps) {
    if (step.is_instruction()) steps.push_back(step);
  }
  std::stable_sort(steps.begin(), steps.end(), [](const BuildStep& a, const BuildStep& b) {
    return instruction_index(a) < instruction_index(b);
  });
  bool reached = false;
  for (const auto& step : steps) {
    auto pos = step.name.find("] ");
    std::string instruction = pos == std::string::npos ? step.name : step.name.substr(pos + 2);
    if (instruction.rfind(first_uncached_prefix, 0) == 0) reached = true;
    if (step.cached == reached) return false;
  }
  return reached;
}

}  // namespace

TEST_CASE("run: every cache state on real builds, failures stored, fingerprint kept") {
  TempDb db;
  auto suite = (source_dir() / "tests/fixtures/suites/e2e").string();
  auto result = buildbench({"run", "--suite", suite, "--scenario", "small", "--scenario", "broken",
                            "--runs", "1", "--startup-runs", "0", "--db", db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 3);  // the broken scenario's samples failed; all are stored
  REQUIRE_FALSE(result.out.empty());
  std::int64_t run_id = std::stoll(result.out);

  Store store(db.path, Store::Mode::kReadOnly);
  auto run = store.run(run_id);
  REQUIRE(run);
  CHECK(run->status == "complete");
  for (auto key : {"docker_server", "docker_client", "buildx", "kernel", "cpu_model", "cores",
                   "memory_bytes", "storage_driver", "builder_driver"}) {
    INFO(key);
    CHECK(run->fingerprint.contains(key));
  }
  CHECK(run->fingerprint["base_images"]["python:3.11-slim"]["present"] == true);

  auto samples = store.samples({run_id});
  // small: 4 states; broken: cold and warm-nochange (no edits declared). One row each.
  REQUIRE(samples.size() == 6);

  const Sample& cold = find(samples, "small", "cold").sample;
  const Sample& nochange = find(samples, "small", "warm-nochange").sample;
  const Sample& code = find(samples, "small", "warm-code").sample;
  const Sample& deps = find(samples, "small", "warm-deps").sample;
  for (const Sample* s : {&cold, &nochange, &code, &deps}) {
    INFO(s->state << ": " << s->error);
    CHECK(s->status == SampleStatus::kOk);
    CHECK(*s->get(kStepsTotal) == 5);  // WORKDIR, COPY, RUN, COPY, RUN
    CHECK(*s->get(kImageBytes) > 10e6);
    CHECK_FALSE(s->image_id.empty());
  }
  // Layers (docker save, gzip) are measured on the cold image; an edit's image differs by
  // the edit alone and gets its size only.
  CHECK(*cold.get(kImageCompressedBytes) < *cold.get(kImageBytes));
  for (const Sample* s : {&code, &deps}) CHECK_FALSE(s->get(kImageCompressedBytes));
  CHECK(*cold.get(kStepsCached) == 0);
  CHECK(*nochange.get(kStepsCached) == 5);
  CHECK(*nochange.get(kBuildSeconds) < *cold.get(kBuildSeconds));
  CHECK(is_cached_after(code, "COPY app.py"));
  CHECK(is_cached_after(deps, "COPY requirements.txt"));
  // compileall of the stdlib leaves .pyc in the image; the stand-in base has (almost) none
  CHECK(*cold.get(kPycCount) > 500);

  const Sample& broken = find(samples, "broken", "cold").sample;
  CHECK(broken.status == SampleStatus::kFailed);
  CHECK(broken.error.find("exit code: 3") != std::string::npos);
  CHECK(broken.error.find("about to fail") != std::string::npos);
  const Sample& broken_warm = find(samples, "broken", "warm-nochange").sample;
  CHECK(broken_warm.status == SampleStatus::kFailed);
}

TEST_CASE("run: bad input exits 2 with a message naming the flag or field") {
  TempDb db;
  auto suite = (source_dir() / "tests/fixtures/suites/e2e").string();
  auto bad_state =
      buildbench({"run", "--suite", suite, "--state", "warm", "--db", db.path.string()});
  CHECK(bad_state.exit_code == 2);
  CHECK(bad_state.err.find("--state 'warm' is not a cache state") != std::string::npos);
  auto bad_scenario =
      buildbench({"run", "--suite", suite, "--scenario", "smal", "--db", db.path.string()});
  CHECK(bad_scenario.exit_code == 2);
  CHECK(bad_scenario.err.find("did you mean 'small'?") != std::string::npos);
  auto bad_flag = buildbench({"run", "--rnus", "3"});
  CHECK(bad_flag.exit_code == 2);
  auto claim_alone =
      buildbench({"run", "--suite", suite, "--claim-precision", "3", "--db", db.path.string()});
  CHECK(claim_alone.exit_code == 2);
  CHECK(claim_alone.err.find("add --precision PCT") != std::string::npos);
  auto claim_max =
      buildbench({"run", "--suite", suite, "--precision", "10", "--min-runs", "5", "--max-runs",
                  "6", "--claim-max-runs", "4", "--db", db.path.string()});
  CHECK(claim_max.exit_code == 2);
  CHECK(claim_max.err.find("--claim-max-runs 4 is below the 5 runs") != std::string::npos);
  auto missing_suite = buildbench({"list", "--suite", "/nonexistent"});
  CHECK(missing_suite.exit_code == 2);
  CHECK(missing_suite.err.find("buildbench: error: suite '/nonexistent' does not exist") !=
        std::string::npos);
  CHECK_FALSE(std::filesystem::exists(db.path));  // nothing was created on bad input
}

TEST_CASE("export prints every sample with run, state, metric, unit and status") {
  TempDb db;
  auto suite = (source_dir() / "tests/fixtures/suites/e2e").string();
  auto run = buildbench({"run", "--suite", suite, "--scenario", "broken", "--state", "cold",
                         "--runs", "1", "--db", db.path.string()});
  REQUIRE(run.exit_code == 3);  // the broken scenario's sample failed, and is exported
  auto csv = buildbench({"export", "--format", "csv", "--db", db.path.string()});
  REQUIRE(csv.exit_code == 0);
  CHECK(csv.out.rfind(
            "run,sample,scenario,kind,state,repetition,warmup,metric,value,unit,status,error", 0) ==
        0);
  CHECK(csv.out.find(",broken,build,cold,1,0,build_seconds,") != std::string::npos);
  CHECK(csv.out.find(",failed,") != std::string::npos);
  auto missing = buildbench({"export", "--run", "42", "--db", db.path.string()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("no run 42") != std::string::npos);
}
