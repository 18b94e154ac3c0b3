// The CI cache states and the registry metrics on the real engine, with a registry on
// 127.0.0.1:5000 (scripts/lab-registry). The cache-exporting states run on DOCKER_HOST's engine
// when it has the containerd image store, else on a daemon of the test's own that has it;
// pulls go into an empty daemon of the test's own.
#include <memory>

#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"
#include "e2e/own_daemon.hpp"
#include "measure/state_contract.hpp"
#include "model/metrics.hpp"
#include "net/registry.hpp"
#include "skip.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;

namespace {

const char* kRegistry = "127.0.0.1:5000";

bool containerd_store() {
  auto info = run_process({{"docker", "info", "--format", "{{json .DriverStatus}}"}});
  return info.out.find("io.containerd.snapshotter") != std::string::npos;
}

bool registry_ready() {
  return net::registry_answers(net::parse_registry_address(kRegistry));
}

const char* kNoRegistry = "no registry on 127.0.0.1:5000 (start one with scripts/lab-registry)";

// DOCKER_HOST's engine when it has the containerd image store; else one of the test's own
// with it, holding the e2e suite's base image (null then means DOCKER_HOST's). The base goes
// through the registry, as a user's does: the containerd store keeps a `docker load`ed layer
// uncompressed and pushes it so (the registry then held 178 MB against 74 MB gzipped).
std::unique_ptr<OwnDaemon> cache_exporting_engine() {
  if (containerd_store()) return nullptr;
  auto own = std::make_unique<OwnDaemon>(std::vector<std::string>{}, DaemonOptions{true});
  std::string base = "python:3.11-slim", remote = std::string(kRegistry) + "/lab/" + base;
  REQUIRE(run_process({{"docker", "tag", base, remote}}).exit_code == 0);
  REQUIRE(run_process({{"docker", "push", remote}}).exit_code == 0);
  REQUIRE(own->docker({"pull", remote}).exit_code == 0);
  REQUIRE(own->docker({"tag", remote, base}).exit_code == 0);
  run_process({{"docker", "image", "rm", remote}});
  return own;
}

CommandResult run_with(std::vector<std::string> args, std::map<std::string, std::string> env) {
  ProcessOptions options;
  options.argv = {BUILDBENCH_BINARY};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = std::move(env);
  options.timeout = std::chrono::minutes(20);
  auto result = run_process(options);
  return {result.exit_code, result.out, result.err};
}

const Sample& sample_of(const std::vector<StoredSample>& samples, const std::string& state) {
  for (const auto& s : samples) {
    if (s.sample.state == state) return s.sample;
  }
  FAIL("no sample for state " << state);
  throw;
}

bool has_step(const Sample& sample, const std::string& prefix) {
  for (const auto& step : sample.steps) {
    if (step.name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

std::string suite() {
  return (source_dir() / "tests/fixtures/suites/e2e").string();
}

}  // namespace

TEST_CASE("ci-registry and the export states on small: contracts, push, pull, stored bytes") {
  if (!registry_ready()) BB_SKIP(kNoRegistry);
  auto own = cache_exporting_engine();
  std::map<std::string, std::string> env;
  if (own) env["DOCKER_HOST"] = own->host();
  OwnDaemon puller({});  // empty: the pull fetches every layer
  TempDb db;
  auto result = run_with({"run",
                          "--suite",
                          suite(),
                          "--scenario",
                          "small",
                          "--state",
                          "cold",
                          "--state",
                          "warm-code",
                          "--state",
                          "ci-registry",
                          "--state",
                          "export-min",
                          "--state",
                          "export-max",
                          "--runs",
                          "1",
                          "--startup-runs",
                          "0",
                          "--registry",
                          kRegistry,
                          "--pull-engine",
                          puller.host(),
                          "--pull-onto",
                          "empty",
                          "--db",
                          db.path.string()},
                         env);
  INFO(result.err);
  // Open: on 2026-12-02 (a loaded machine) its warm-code sample failed ("failed to solve"),
  // which the exit code hid until run exited 3 on failed samples; the samples below are checked.
  REQUIRE((result.exit_code == 0 || result.exit_code == 3));
  Store store(db.path, Store::Mode::kReadOnly);
  auto samples = store.samples(store.select_runs("latest"));
  REQUIRE(samples.size() == 5);
  for (const auto& s : samples) {
    INFO(s.sample.state << ": " << s.sample.error);
    CHECK(s.sample.status == SampleStatus::kOk);
  }
  // The stored steps honour ci-registry's contract: imported, then the edited COPY ran.
  const Sample& ci = sample_of(samples, "ci-registry");
  CHECK(contract_violation(CacheState::kCiRegistry, {"app.py"}, ci.steps) == "");
  CHECK(has_step(ci, "importing cache manifest from 127.0.0.1:5000/buildbench/small-"));
  for (const auto& step : ci.steps) {
    if (step.is_instruction())
      CHECK(step.cached == (step.name.find("app.py") == std::string::npos));
  }
  for (auto state : {"export-min", "export-max"}) {
    CHECK(has_step(sample_of(samples, state), "exporting cache to registry"));
    CHECK(*sample_of(samples, state).get(kCacheExportSeconds) > 0);
  }
  const Sample& cold = sample_of(samples, "cold");
  REQUIRE(cold.get(kPushSeconds));
  REQUIRE(cold.get(kPullSeconds));
  CHECK(*cold.get(kPushSeconds) > 0);
  CHECK(*cold.get(kPullSeconds) > 0.2);  // every layer, about 75 MB, unpacked
  double stored = *cold.get(kRegistryBytes), gzip = *cold.get(kImageCompressedBytes);
  CHECK(stored == Approx(gzip).epsilon(0.10));
  CHECK(std::abs(*cold.get(kRegistryVsGzipPercent)) < 10);
  auto run = store.run(store.select_runs("latest").back());
  CHECK(run->fingerprint["containerd_image_store"] == true);
  CHECK(run->fingerprint["network"]["pull_engine"] == puller.host());

  // --pull-onto base (the default): the base image waits in the pull engine, the timed pull
  // fetches only the layers the scenario adds.
  result = run_with({"run", "--suite", suite(), "--scenario", "small", "--state", "cold", "--runs",
                     "1", "--startup-runs", "0", "--no-image-stats", "--registry", kRegistry,
                     "--pull-engine", puller.host(), "--db", db.path.string()},
                    env);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto second = store.samples(store.select_runs("latest"));
  REQUIRE(second.size() == 1);
  const Sample& onto_base = second[0].sample;
  REQUIRE(onto_base.get(kPullOntoBaseSeconds));
  CHECK_FALSE(onto_base.get(kPullSeconds));
  CHECK(*onto_base.get(kPullOntoBaseSeconds) < *cold.get(kPullSeconds));
  std::string base = std::string(kRegistry) + "/buildbench-base/python:3.11-slim";
  // What the pull engine holds now: the base, not the pulled image.
  auto held = puller.docker({"image", "ls", "--format", "{{.Repository}}:{{.Tag}}"});
  CHECK(held.out == base + "\n");
}

TEST_CASE("a registry on another loopback port (the shaping proxy's) takes pushes") {
  if (!registry_ready()) BB_SKIP(kNoRegistry);
  TempDb db;
  auto result = buildbench({"run", "--suite", suite(), "--scenario", "small", "--state", "cold",
                            "--runs", "1", "--startup-runs", "0", "--no-image-stats", "--registry",
                            kRegistry, "--network-profile", "ci", "--db", db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.find("reached through 127.0.0.1:") != std::string::npos);
  Store store(db.path, Store::Mode::kReadOnly);
  auto samples = store.samples(store.select_runs("latest"));
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].sample.get(kPushSeconds));
  CHECK(store.run(samples[0].run_id)->fingerprint["network"]["profile"] == "ci");
}

TEST_CASE("bad CI configuration: clear errors and exit codes") {
  TempDb db;
  SECTION("cache export on an engine without the containerd image store") {
    OwnDaemon plain({});
    auto result = run_with({"run", "--suite", suite(), "--scenario", "small", "--state",
                            "export-max", "--registry", kRegistry, "--db", db.path.string()},
                           {{"DOCKER_HOST", plain.host()}});
    CHECK(result.exit_code == 3);
    CHECK(result.err.find("scripts/lab-dockerd --engine containerd-store") != std::string::npos);
  }
  SECTION("a registry that does not answer") {
    auto result = buildbench({"run", "--suite", suite(), "--scenario", "small", "--state", "cold",
                              "--registry", "127.0.0.1:1", "--db", db.path.string()});
    CHECK(result.exit_code == 3);
    CHECK(result.err.find("no registry answers on 127.0.0.1:1") != std::string::npos);
    CHECK(result.err.find("scripts/lab-registry") != std::string::npos);
  }
  SECTION("an unknown network profile") {
    auto result = buildbench(
        {"run", "--suite", suite(), "--network-profile", "lan", "--db", db.path.string()});
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("loopback, ci, home") != std::string::npos);
  }
}
