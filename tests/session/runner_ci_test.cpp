// The CI cache states and the registry metrics, produced by the Runner on the fake engine.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "fake_engine.hpp"
#include "model/metrics.hpp"
#include "net/fake_registry.hpp"
#include "scenario/manifest.hpp"
#include "session/runner.hpp"
#include "util/error.hpp"

using namespace bb;
using bb::testing::FakeDockerEngine;
using bb::testing::FakeRegistry;
namespace fs = std::filesystem;

namespace {

struct Harness {
  fs::path db = fs::temp_directory_path() / ("bb-runner-ci-" + std::to_string(::getpid()) + "-" +
                                             std::to_string(std::rand()) + ".db");
  Store store{db, Store::Mode::kReadWrite};
  FakeDockerEngine engine;
  FakeRegistry registry;
  Progress progress{stderr, false, true};
  Runner runner{engine, store, progress};
  Suite suite = load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/basic");
  RunOptions options;
  Harness() {
    options.startup_runs = 0;
    options.runs = 1;
    options.scenarios = {"one"};
    options.registry = registry.address();
    // What the fake engine's push leaves in the registry: one layer uploaded, one held before.
    registry.manifests["/v2/" + repository() + "/manifests/latest"] =
        R"({"config": {"size": 10}, "layers": [{"digest": "sha256:aaaaaaaaaaaa11", "size": 300},
            {"digest": "sha256:bbbbbbbbbbbb22", "size": 90}]})";
  }
  ~Harness() {
    for (auto suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  }
  std::string repository() const {
    auto tag = image_tag(suite.scenarios[0]);
    return tag.substr(0, tag.rfind(':'));
  }
  std::vector<StoredSample> run(std::vector<CacheState> states) {
    options.states = std::move(states);
    return store.samples({runner.run(suite, options)});
  }
  // Index of the first call starting with `prefix` (calls.size() when none).
  std::size_t find(const std::string& prefix, std::size_t from = 0) const {
    for (std::size_t i = from; i < engine.calls.size(); ++i) {
      if (engine.calls[i].rfind(prefix, 0) == 0) return i;
    }
    return engine.calls.size();
  }
};

}  // namespace

TEST_CASE("ci-registry: export, empty builder, edit, import, the contract holds") {
  Harness h;
  auto samples = h.run({CacheState::kCiRegistry});
  std::string ref = h.registry.address() + "/" + h.repository() + ":cache-ci-registry";
  auto prime = h.find("build ");
  REQUIRE(prime < h.engine.calls.size());
  CHECK(h.engine.calls[prime].find("--cache-to type=registry,ref=" + ref + ",mode=max") !=
        std::string::npos);
  auto prune = h.find("prune", prime);
  CHECK(h.find("rmi ", prune) == prune + 1);
  auto measured = h.find("build ", prune);
  CHECK(h.engine.calls[measured].find("--cache-from type=registry,ref=" + ref) !=
        std::string::npos);
  REQUIRE(samples.size() == 1);
  const Sample& s = samples[0].sample;
  INFO(s.error);
  CHECK(s.state == "ci-registry");
  CHECK(s.status == SampleStatus::kOk);
  CHECK(*s.get(kCacheImportSeconds) == Approx(0.25));
  CHECK(*s.get(kStepsCached) == 1);  // WORKDIR, from the imported cache
}

TEST_CASE("ci-registry: an import that serves nothing is a failed sample with the reason") {
  Harness h;
  h.engine.ignore_cache_from = true;
  auto samples = h.run({CacheState::kCiRegistry});
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].sample.status == SampleStatus::kFailed);
  CHECK(samples[0].sample.error.find("reported no cache import step") != std::string::npos);
}

TEST_CASE("export-max builds warm-code's edit with --cache-to and reports the export apart") {
  Harness h;
  auto samples = h.run({CacheState::kExportMax});
  CHECK(h.find("prune") == h.engine.calls.size());  // the builder stays warm
  auto measured = h.find("build ", h.find("build ") + 1);
  REQUIRE(measured < h.engine.calls.size());
  CHECK(h.engine.calls[measured].find(",mode=max") != std::string::npos);
  REQUIRE(samples.size() == 1);
  INFO(samples[0].sample.error);
  CHECK(samples[0].sample.status == SampleStatus::kOk);
  CHECK(*samples[0].sample.get(kCacheExportSeconds) == Approx(0.25));
}

TEST_CASE("ci-inline pushes the primed image as the cache source") {
  Harness h;
  auto samples = h.run({CacheState::kCiInline});
  REQUIRE(h.engine.pushed.size() == 1);
  CHECK(h.engine.pushed[0] == h.registry.address() + "/" + h.repository() + ":cache-ci-inline");
  CHECK(samples[0].sample.status == SampleStatus::kOk);
}

TEST_CASE("registry metrics: once per scenario and run, on the cold image") {
  Harness h;
  FakeDockerEngine puller;
  h.runner.use_pull_engine(&puller);
  h.options.runs = 2;
  auto samples = h.run({CacheState::kCold, CacheState::kWarmCode});
  REQUIRE(h.engine.pushed ==
          std::vector<std::string>{h.registry.address() + "/" + h.repository() + ":latest"});
  // The pull engine loses the image before and after pulling it.
  CHECK(puller.calls == std::vector<std::string>{"rmi " + h.engine.pushed[0],
                                                 "pull " + h.engine.pushed[0],
                                                 "rmi " + h.engine.pushed[0]});
  std::size_t with_push = 0;
  for (const auto& stored : samples) {
    const Sample& s = stored.sample;
    if (!s.get(kPushSeconds)) continue;
    ++with_push;
    CHECK(s.state == "cold");
    CHECK(*s.get(kPushSeconds) == 2.0);
    CHECK(*s.get(kPullOntoBaseSeconds) == 3.0);
    CHECK(*s.get(kRegistryBytes) == 400);        // 10 + 300 + 90
    CHECK_FALSE(s.get(kPushUploadedBytes));      // not measured: see record_registry
    CHECK(*s.get(kRegistryVsGzipPercent) == 0);  // the fake's gzip estimate is 400 too
  }
  CHECK(with_push == 1);
  auto run = h.store.run(h.store.select_runs("latest").back());
  CHECK(run->fingerprint["network"]["profile"] == "loopback");
  CHECK(run->fingerprint["network"]["registry"] == h.registry.address());
}

TEST_CASE(
    "pull onto base or empty: the pull engine holds the final stage's base image, or none of "
    "ours") {
  Harness h;
  FakeDockerEngine puller;
  h.runner.use_pull_engine(&puller);
  // Both scenarios end on python:3.11; the export stage's -slim is not in their images.
  std::vector<fs::path> dockerfiles;
  for (auto& scenario : h.suite.scenarios) {
    dockerfiles.push_back(fs::path(h.db.string() + "." + scenario.name + ".Dockerfile"));
    std::ofstream out(dockerfiles.back());
    out << "ARG PY=3.11\nFROM python:${PY}-slim AS Export\nRUN true\nFROM python:$PY AS "
           "server\nFROM server\nCOPY --from=export /x /x\n";
    scenario.dockerfile = dockerfiles.back();
  }
  h.options.scenarios = {"one", "two"};
  std::string reg = h.registry.address();
  auto tag = image_tag(h.suite.scenarios[1]);
  h.registry.manifests["/v2/" + tag.substr(0, tag.rfind(':')) + "/manifests/latest"] =
      h.registry.manifests.begin()->second;
  std::string base = reg + "/buildbench-base/python:3.11";
  auto image = [&](int i) {
    auto tag = image_tag(h.suite.scenarios[i]);
    return reg + "/" + tag.substr(0, tag.rfind(':')) + ":latest";
  };
  SECTION("base (the default): pushed and pulled once per run, after the timed push") {
    auto samples = h.run({CacheState::kCold});
    CHECK(h.engine.pushed == std::vector<std::string>{image(0), base, image(1)});
    CHECK(puller.calls == std::vector<std::string>{"pull " + base, "rmi " + image(0),
                                                   "pull " + image(0), "rmi " + image(0),
                                                   "rmi " + image(1), "pull " + image(1),
                                                   "rmi " + image(1)});
    for (const auto& stored : samples) {
      CHECK(*stored.sample.get(kPullOntoBaseSeconds) == 3.0);
      CHECK_FALSE(stored.sample.get(kPullSeconds));
    }
    auto run = h.store.run(h.store.select_runs("latest").back());
    CHECK(run->options["pull_onto"] == "base");
  }
  SECTION("empty: our base tags an earlier run left there are removed, nothing else") {
    h.options.pull_onto = "empty";
    puller.held = {base, "someone/else:1"};
    auto samples = h.run({CacheState::kCold});
    CHECK(h.engine.pushed == std::vector<std::string>{image(0), image(1)});
    CHECK(puller.calls == std::vector<std::string>{"rmi " + base, "rmi " + image(0),
                                                   "pull " + image(0), "rmi " + image(0),
                                                   "rmi " + image(1), "pull " + image(1),
                                                   "rmi " + image(1)});
    CHECK(puller.held == std::vector<std::string>{"someone/else:1"});
    CHECK(*samples[0].sample.get(kPullSeconds) == 3.0);
    CHECK_FALSE(samples[0].sample.get(kPullOntoBaseSeconds));
  }
  SECTION("a base the building engine lacks stops the run before any build") {
    h.engine.missing_images = {"python:3.11"};
    CHECK_THROWS_WITH(h.run({CacheState::kCold}),
                      Catch::Contains("--pull-onto base: scenario 'one'") &&
                          Catch::Contains("base image python:3.11 is not in the engine") &&
                          Catch::Contains("--pull-onto empty"));
    CHECK(h.engine.builds == 0);
  }
  SECTION("a base an ARG leaves open stops the run before any build") {
    std::ofstream(dockerfiles[0]) << "ARG BASE\nFROM $BASE\n";
    CHECK_THROWS_WITH(h.run({CacheState::kCold}),
                      Catch::Contains("FROM $BASE names an ARG without a value") &&
                          Catch::Contains("build_args"));
    CHECK(h.engine.builds == 0);
  }
  for (const auto& path : dockerfiles) fs::remove(path);
}

TEST_CASE("bad CI configuration stops before any build") {
  Harness h;
  SECTION("a registry state without --registry") {
    h.options.registry.clear();
    CHECK_THROWS_WITH(h.run({CacheState::kCiRegistry}),
                      Catch::Contains("--state ci-registry needs a registry"));
  }
  SECTION("a registry that does not answer") {
    h.options.registry = "127.0.0.1:1";
    CHECK_THROWS_AS(h.run({CacheState::kCold}), EnvironmentError);
  }
  SECTION("a cache export the engine cannot do") {
    h.engine.fingerprint_facts = {{"builder_driver", "docker"}, {"containerd_image_store", false}};
    CHECK_THROWS_WITH(h.run({CacheState::kExportMin}), Catch::Contains("containerd-store"));
  }
  SECTION("an unknown network profile") {
    h.options.network_profile = "lan";
    CHECK_THROWS_WITH(h.run({CacheState::kCold}), Catch::Contains("loopback, ci, home"));
  }
  CHECK(h.engine.builds == 0);
}

TEST_CASE("a shaped run reaches the registry through a proxy and records the profile") {
  Harness h;
  h.options.network_profile = "ci";
  h.run({CacheState::kCold});
  REQUIRE(h.engine.pushed.size() == 1);
  CHECK(h.engine.pushed[0].rfind(h.registry.address() + "/", 0) != 0);
  CHECK(h.engine.pushed[0].rfind("127.0.0.1:", 0) == 0);
  auto run = h.store.run(h.store.select_runs("latest").back());
  CHECK(run->fingerprint["network"]["profile"] == "ci");
  CHECK(run->fingerprint["network"]["round_trip_ms"] == 20.0);
}

TEST_CASE("CI states are opt-in: not in the default plan, planned when named") {
  Harness h;
  RunOptions options;
  options.scenarios = {"one"};
  for (const auto& task : plan_tasks(h.suite, options))
    CHECK(std::find(ci_cache_states().begin(), ci_cache_states().end(), task.state) ==
          ci_cache_states().end());
  options.states = {CacheState::kCiRegistry};
  CHECK(plan_tasks(h.suite, options).size() == 3);
}

TEST_CASE("a resumed run keeps its registry, pull engine and profile") {
  RunRecord record;
  record.id = 7;
  record.options = {{"registry", "127.0.0.1:5000"},
                    {"pull_engine", "unix:///var/run/buildbench-pull.sock"},
                    {"network_profile", "home"}};
  auto options = resumed_options(record, RunOptions{});
  CHECK(options.registry == "127.0.0.1:5000");
  CHECK(options.pull_engine == "unix:///var/run/buildbench-pull.sock");
  CHECK(options.network_profile == "home");
}

TEST_CASE(
    "cold-pull on the pull engine: its image is not the one the start-ups run, which is in the "
    "run's engine") {
  // The image a cold-pull sample built on the pull engine is removed there after it, and the
  // run's engine never had it: a start-up of it failed with "No such image".
  Harness h;
  FakeDockerEngine puller;
  puller.image_prefix = "sha256:on-the-pull-engine-";
  h.runner.use_pull_engine(&puller);
  h.options.scenarios = {"two"};  // it has a probe
  h.options.startup_runs = 1;
  std::string two = image_tag(h.suite.scenarios[1]);
  h.registry.manifests["/v2/" + two.substr(0, two.rfind(':')) + "/manifests/latest"] =
      R"({"config": {"size": 10}, "layers": [{"digest": "sha256:aaaaaaaaaaaa11", "size": 300}]})";
  auto samples = h.run({CacheState::kCold, CacheState::kColdPull});
  REQUIRE(puller.builds == 1);
  CHECK(h.engine.builds == 1);  // the cold one; cold-pull built on the pull engine
  REQUIRE_FALSE(h.engine.created.empty());
  for (const auto& spec : h.engine.created) CHECK(spec.image == "sha256:image1");
  std::size_t startups = 0;
  for (const auto& stored : samples) {
    INFO(stored.sample.state << ": " << stored.sample.error);
    CHECK(stored.sample.status == SampleStatus::kOk);
    startups += stored.sample.kind == SampleKind::kStartup;
  }
  CHECK(startups > 0);
}
