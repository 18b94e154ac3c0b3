// `buildbench list`: a suite's scenarios and the cache states each supports.
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"

using namespace bb;
using bb::test::basic_suite;
using bb::test::buildbench_cli;

TEST_CASE("cli list: every scenario with the states its manifest supports") {
  auto result = buildbench_cli({"list", "--suite", basic_suite()});
  INFO(result.out << result.error);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.rfind("suite basic (", 0) == 0);
  auto one = result.out.find("\n  one ");
  auto two = result.out.find("\n  two ");
  REQUIRE(one != std::string::npos);
  REQUIRE(two != std::string::npos);
  CHECK(one < two);  // the manifest's order
  // two declares only a code edit: no warm-deps for it.
  std::string two_line = result.out.substr(two + 1, result.out.find('\n', two + 1) - two - 1);
  CHECK(two_line.find("cold") != std::string::npos);
  CHECK(two_line.find("warm-code") != std::string::npos);
  CHECK(two_line.find("warm-deps") == std::string::npos);
}

TEST_CASE("cli list: a folder without a suite is a usage error naming it") {
  bb::test::CliTempDir dir;
  auto result = buildbench_cli({"list", "--suite", dir.path.string()});
  CHECK(result.exit_code == kExitUsage);
  CHECK(result.error.find(dir.path.string()) != std::string::npos);
  CHECK(result.out.empty());
}

TEST_CASE("cli list: --shard shows the split run --shard computes, the given shard marked") {
  bb::test::CliTempDir dir;
  auto db = (dir.path / "none.db").string();
  auto result = buildbench_cli({"list", "--suite", basic_suite(), "--shard", "1/1", "--db", db});
  INFO(result.out << result.error);
  REQUIRE(result.exit_code == 0);
  CHECK_THAT(result.out,
             Catch::Contains("shards of 1, by count") && Catch::Contains("* 1/1: one, two"));
  CHECK_FALSE(std::filesystem::exists(db));  // a preview creates no database
  auto empty = buildbench_cli({"list", "--suite", basic_suite(), "--shard", "2/2", "--db", db});
  CHECK(empty.exit_code == kExitUsage);
  CHECK_THAT(empty.out, Catch::Contains("  1/2: one, two") && Catch::Contains("* 2/2: (none)"));
  CHECK_THAT(empty.error, Catch::Contains("shard 2 gets no scenario"));
}
