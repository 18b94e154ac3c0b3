// `buildbench nightly`: what it checks before it measures.
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"

using namespace bb;
using bb::test::buildbench_cli;

TEST_CASE("cli nightly: a bad threshold or suite stops it before it measures") {
  bb::test::CliTempDir dir;
  auto out = dir.path / "reports";
  auto threshold =
      buildbench_cli({"nightly", "--threshold", "build_seconds", "--out", out.string()});
  CHECK(threshold.exit_code == kExitUsage);
  CHECK(threshold.error.rfind("--threshold 'build_seconds': write METRIC=PERCENT", 0) == 0);

  auto suite = buildbench_cli(
      {"nightly", "--suite", (dir.path / "nowhere").string(), "--out", out.string()});
  CHECK(suite.exit_code == kExitUsage);
  CHECK(suite.error.find("nowhere") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));  // no report, no summary
}
