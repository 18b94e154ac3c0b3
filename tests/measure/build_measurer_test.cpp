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

namespace {

// A scenario with two FROM images (one through a global ARG) in a scratch folder of its own:
// cold-pull writes its Dockerfile beside the context.
struct TwoBases {
  fs::path root = fs::temp_directory_path() / ("bb-cold-pull-" + std::to_string(::getpid()) + "-" +
                                               std::to_string(std::rand()));
  Scenario scenario;
  TwoBases() {
    fs::create_directories(root / "ctx");
    std::ofstream(root / "ctx/Dockerfile") << "ARG BASE=python:3.11\n"
                                              "FROM python:3.11-slim AS export\n"
                                              "RUN true\n"
                                              "FROM ${BASE}\n"
                                              "COPY --from=export /x /x\n";
    std::ofstream(root / "ctx/Dockerfile.dockerignore") << "secret\n";
    scenario.name = "two-bases";
    scenario.context = root / "ctx";
    scenario.dockerfile = root / "ctx/Dockerfile";
  }
  ~TwoBases() { fs::remove_all(root); }
  BuildJob job(const RunOptions& options) {
    return {&scenario,        CacheState::kColdPull, 1,  false,
            scenario.context, scenario.dockerfile,   {}, &options};
  }
};

const std::string kShaped = "127.0.0.1:6001", kDirect = "127.0.0.1:5000";
const std::string kSlimCopy = "buildbench-base/python:3.11-slim",
                  kFullCopy = "buildbench-base/python:3.11";

std::vector<BuildStep> pulled_froms(double slim_bytes, double full_bytes) {
  BuildStep slim = FakeDockerEngine::named("[export 1/2] FROM " + kShaped + "/" + kSlimCopy, false);
  slim.pulled_bytes = slim_bytes;
  BuildStep full =
      FakeDockerEngine::named("[stage-1 1/2] FROM " + kShaped + "/" + kFullCopy, false);
  full.pulled_bytes = full_bytes;
  return {slim, full};
}

// What the registry stores of each base's layers: 1500 bytes of -slim's, 3000 of the full one's.
RegistrySetup two_bases_registry() {
  RegistrySetup setup{kShaped, kDirect};
  setup.layer_bytes = [](const std::string& repository, const std::string& tag) {
    CHECK(repository == "buildbench-base/python");
    return tag == "3.11-slim" ? 1500.0 : 3000.0;
  };
  return setup;
}

std::vector<std::string> calls_from(const std::vector<std::string>& calls, std::size_t first) {
  return {calls.begin() + static_cast<std::ptrdiff_t>(first), calls.end()};
}

}  // namespace

TEST_CASE(
    "build measurer: cold-pull pushes the bases, removes them, builds from the registry's "
    "copies, then restores them") {
  Harness h;
  TwoBases two;
  h.measurer.begin_session();
  h.measurer.use_registry(two_bases_registry());
  h.engine.from_steps = pulled_froms(1000, 2000);
  Sample sample = h.measurer.measure(two.job(h.options));
  CHECK(sample.status == SampleStatus::kOk);
  CHECK(sample.state == "cold-pull");
  std::string tag = image_tag(two.scenario);
  // Pushed (untimed, to the registry itself), removed with the builder emptied, pulled by the
  // build through the shaping proxy, restored from the registry itself: in that order.
  CHECK(h.engine.calls ==
        std::vector<std::string>{
            "push python:3.11-slim " + kDirect + "/" + kSlimCopy,
            "push python:3.11 " + kDirect + "/" + kFullCopy, "prune", "rmi " + tag,
            "rmi python:3.11-slim", "rmi " + kShaped + "/" + kSlimCopy, "rmi python:3.11",
            "rmi " + kShaped + "/" + kFullCopy, "build " + tag, "rmi " + kShaped + "/" + kFullCopy,
            "restore " + kDirect + "/" + kFullCopy + " python:3.11",
            "rmi " + kShaped + "/" + kSlimCopy,
            "restore " + kDirect + "/" + kSlimCopy + " python:3.11-slim",
            "inspect " + sample.image_id});
  // The build read a copy beside the context, its FROM lines naming the registry's copies.
  REQUIRE(h.engine.dockerfiles.size() == 1);
  CHECK(h.engine.dockerfiles[0].parent_path() == two.root);
  CHECK(h.engine.dockerfile_texts[0] ==
        "ARG BASE=python:3.11\n"
        "FROM " +
            kShaped + "/" + kSlimCopy +
            " AS export\n"
            "RUN true\n"
            "FROM " +
            kShaped + "/" + kFullCopy +
            "\n"
            "COPY --from=export /x /x\n");
  CHECK(fs::exists(h.engine.dockerfiles[0].string() + ".dockerignore"));
  // A second sample of the session pushes nothing again.
  h.engine.calls.clear();
  CHECK(h.measurer.measure(two.job(h.options)).status == SampleStatus::kOk);
  CHECK(h.engine.calls.front() == "prune");
  // A FROM that fetched the config alone (an image built on the base kept its layers):
  // failed, with the bytes named.
  h.engine.from_steps = pulled_froms(1000, 40);
  Sample held = h.measurer.measure(two.job(h.options));
  CHECK(held.status == SampleStatus::kFailed);
  CHECK_THAT(held.error, Catch::Contains("python:3.11` downloaded 40 bytes of its layers' 3000") &&
                             Catch::Contains("not a fresh runner's pull"));
}

TEST_CASE(
    "build measurer: a cold-pull base served from the engine fails the sample, and the "
    "bases are restored all the same") {
  Harness h;
  TwoBases two;
  h.measurer.begin_session();
  h.measurer.use_registry(two_bases_registry());
  h.engine.from_steps = pulled_froms(1000, 0);  // the full image downloaded nothing
  Sample sample = h.measurer.measure(two.job(h.options));
  CHECK(sample.status == SampleStatus::kFailed);
  CHECK_THAT(sample.error, Catch::Contains("downloaded no layer"));
  auto restores = std::count_if(h.engine.calls.begin(), h.engine.calls.end(),
                                [](const std::string& c) { return c.rfind("restore ", 0) == 0; });
  CHECK(restores == 2);
  // A failed build restores them too; a restore that fails stops the run, naming the image.
  h.engine.calls.clear();
  h.engine.fail_builds = true;
  CHECK(h.measurer.measure(two.job(h.options)).status == SampleStatus::kFailed);
  CHECK(h.engine.calls.back().rfind("restore ", 0) == 0);
  h.engine.fail_builds = false;
  h.engine.fail_restore = "connection refused";
  CHECK_THROWS_WITH(h.measurer.measure(two.job(h.options)),
                    Catch::Contains("python:3.11") && Catch::Contains("docker pull " + kDirect));
}

TEST_CASE("build measurer: cold-pull refuses a FROM whose ARG has no value") {
  Harness h;
  TwoBases two;
  std::ofstream(two.scenario.dockerfile) << "ARG BASE\nFROM ${BASE}\n";
  h.measurer.begin_session();
  h.measurer.use_registry({kShaped, kDirect});
  Sample sample = h.measurer.measure(two.job(h.options));
  CHECK(sample.status == SampleStatus::kFailed);
  CHECK_THAT(sample.error, Catch::Contains("${BASE}") && Catch::Contains("build_args"));
  CHECK(std::none_of(h.engine.calls.begin(), h.engine.calls.end(),
                     [](const std::string& c) { return c.rfind("rmi python", 0) == 0; }));
}

TEST_CASE(
    "build measurer: with a pull engine, cold-pull builds there, pushing the bases from the "
    "run's engine, and leaves none of ours there") {
  // On the run's engine, images built on a base keep its layers and a FROM fetches the config
  // alone; the pull engine holds none of them.
  Harness h;
  TwoBases two;
  FakeDockerEngine pull;
  pull.builds_hold_tags = true;
  std::string tag = image_tag(two.scenario);
  // What an earlier sample or a registry pull left there, and a user's own image.
  pull.held = {tag, kShaped + "/" + kSlimCopy, kShaped + "/buildbench/other-1234:latest",
               "postgres:16"};
  RegistrySetup setup = two_bases_registry();
  setup.pull_engine = &pull;
  h.measurer.begin_session();
  h.measurer.use_registry(setup);
  pull.from_steps = pulled_froms(1000, 2000);
  Sample sample = h.measurer.measure(two.job(h.options));
  CHECK(sample.status == SampleStatus::kOk);
  // The run's engine only pushed: its builder, its bases and its images are as they were.
  CHECK(h.engine.calls ==
        std::vector<std::string>{"push python:3.11-slim " + kDirect + "/" + kSlimCopy,
                                 "push python:3.11 " + kDirect + "/" + kFullCopy});
  std::vector<std::string> emptied = {"rmi " + tag, "rmi " + kShaped + "/" + kSlimCopy,
                                      "rmi " + kShaped + "/buildbench/other-1234:latest"};
  std::vector<std::string> expected = {"prune"};
  expected.insert(expected.end(), emptied.begin(), emptied.end());
  expected.push_back("build " + tag);
  expected.push_back("inspect " + sample.image_id);  // its size, read where it was built
  expected.push_back("prune");                       // its cache holds the bases' layers
  expected.push_back("rmi " + tag);                  // and the image goes
  CHECK(pull.calls == expected);
  CHECK(pull.held == std::vector<std::string>{"postgres:16"});  // a user's image stays
  CHECK(sample.get(kImageBytes) != nullptr);
  // The contract still reads the bytes each FROM pulled there.
  pull.calls.clear();
  pull.from_steps = pulled_froms(1000, 40);
  Sample held = h.measurer.measure(two.job(h.options));
  CHECK(held.status == SampleStatus::kFailed);
  CHECK_THAT(held.error, Catch::Contains("downloaded 40 bytes of its layers' 3000"));
  CHECK(pull.calls.back() == "rmi " + tag);  // a failed sample leaves none of ours either
}
