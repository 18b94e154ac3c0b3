// `buildbench init`: manifests for a folder of Dockerfiles that `list` then loads.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"

using namespace bb;
using bb::test::buildbench_cli;
namespace fs = std::filesystem;

TEST_CASE("cli init: writes suite.toml and a scenario.toml per Dockerfile, which then load") {
  bb::test::CliTempDir dir;
  auto project = dir.path / "c-service";
  fs::copy(fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/init/c-service", project,
           fs::copy_options::recursive);
  auto result = buildbench_cli({"init", project.string()});
  INFO(result.err << result.error);
  REQUIRE(result.exit_code == 0);
  CHECK(fs::exists(project / "suite.toml"));
  CHECK(result.out.find((project / "suite.toml").string()) != std::string::npos);
  CHECK(result.out.find("scenario.toml") != std::string::npos);
  CHECK_FALSE(result.err.empty());  // it says what it guessed

  auto listed = buildbench_cli({"list", "--suite", project.string()});
  CHECK(listed.exit_code == 0);
  CHECK(listed.out.find("cold") != std::string::npos);

  // Written once; a second init keeps the user's manifests unless --force.
  auto again = buildbench_cli({"init", project.string()});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("suite.toml") == std::string::npos);
  auto forced = buildbench_cli({"init", project.string(), "--force"});
  CHECK(forced.exit_code == 0);
  CHECK(forced.out.find("suite.toml") != std::string::npos);
}

TEST_CASE("cli init: a missing folder and one without a Dockerfile are usage errors") {
  bb::test::CliTempDir dir;
  auto missing = (dir.path / "nowhere").string();
  auto none = buildbench_cli({"init", missing});
  CHECK(none.exit_code == kExitUsage);
  CHECK(none.error ==
        "init: '" + missing + "' is not a folder; pass the folder that holds your Dockerfiles");

  auto empty = buildbench_cli({"init", dir.path.string()});
  CHECK(empty.exit_code == kExitUsage);
  CHECK(empty.error ==
        "init: no Dockerfile under '" + dir.path.string() + "' (searched 3 folders deep)");
  CHECK_FALSE(fs::exists(dir.path / "suite.toml"));
}
