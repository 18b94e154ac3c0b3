// --builder reaches every buildx call. BuildKit's own daemon cannot be had from Debian here
// and no image can be pulled, so the second builder is the docker driver under another name
// (a docker context for the same engine): the flag, the prune and the fingerprint are real.
#include <catch2/catch.hpp>

#include "docker/cli_engine.hpp"
#include "e2e/helpers.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;

TEST_CASE(
    "builder flag: builds and prunes go to the named builder and the fingerprint records it") {
  run_process({{"docker", "context", "rm", "--force", "bb-e2e-second"}});
  REQUIRE(run_process({{"docker", "context", "create", "bb-e2e-second", "--docker",
                        "host=unix:///var/run/docker.sock"}})
              .exit_code == 0);
  CliDockerEngine engine("bb-e2e-second");
  BuildRequest request;
  request.context = "/ctx";
  request.dockerfile = "/ctx/Dockerfile";
  request.tag = "t";
  auto argv = engine.build_argv(request, "/meta.json");
  CHECK(argv[1] == "--context");
  CHECK(argv[2] == "bb-e2e-second");

  TempDb db;
  auto result =
      buildbench({"run", "--suite", (source_dir() / "tests/fixtures/suites/e2e").string(),
                  "--scenario", "small", "--state", "cold", "--runs", "1", "--startup-runs", "0",
                  "--builder", "bb-e2e-second", "--db", db.path.string()});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  Store store(db.path, Store::Mode::kReadOnly);
  auto run = store.run(store.select_runs("latest").at(0));
  CHECK(run->fingerprint["builder"] == "bb-e2e-second");
  CHECK(run->fingerprint["builder_driver"] == "docker");
  CHECK(store.samples({run->id}).at(0).sample.status == SampleStatus::kOk);

  auto missing =
      buildbench({"run", "--suite", (source_dir() / "tests/fixtures/suites/e2e").string(),
                  "--builder", "no-such-builder", "--db", db.path.string()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--builder 'no-such-builder': no such buildx builder") !=
        std::string::npos);
  run_process({{"docker", "context", "rm", "--force", "bb-e2e-second"}});
}
