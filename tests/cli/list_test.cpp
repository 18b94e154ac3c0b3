// `buildbench list`: a suite's scenarios and the cache states each supports.
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "model/testbed.hpp"
#include "skip.hpp"
#include "store/backend_fixture.hpp"

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

TEMPLATE_TEST_CASE("cli list --runs: each stored run with its testbed, named or derived",
                   "[cli][testbed]", bb::test::SqliteBackend, bb::test::PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  std::string derived;
  {
    Store store(db.location(), Store::Mode::kReadWrite);
    bb::test::add_testbed_run(store, "basic", "rack-a", {5.0}, {{"branch", "main"}});
    auto id = bb::test::add_cold_run(store, "basic", {5.0});  // before testbeds: derived
    derived = testbed_of(*store.run(id));
  }
  auto result = buildbench_cli({"list", "--runs", "--db", db.location()});
  INFO(result.out << result.error);
  REQUIRE(result.exit_code == kExitOk);
  CHECK(result.out.find("testbed") != std::string::npos);  // the header
  auto first = result.out.find("\n    1  2026-11-01T02:00:00   complete     basic ");
  auto second = result.out.find("\n    2  ");
  REQUIRE(first != std::string::npos);
  REQUIRE(second != std::string::npos);
  std::string line1 = result.out.substr(first, second - first);
  CHECK(line1.find(" rack-a ") != std::string::npos);
  CHECK(line1.find("branch=main") != std::string::npos);
  CHECK(result.out.find(" " + derived + " ", second) != std::string::npos);
}

TEST_CASE("cli list: --runs reads no suite, the suite listing no database") {
  bb::test::CliTempDir dir;
  auto missing = buildbench_cli({"list", "--runs", "--db", (dir.path / "none.db").string()});
  CHECK(missing.exit_code == kExitUsage);
  CHECK(missing.error.find("none.db' holds no buildbench database") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path / "none.db"));
  CHECK(buildbench_cli({"list", "--runs", "--suite", basic_suite()}).exit_code == kExitUsage);
  auto db_alone = buildbench_cli({"list", "--db", (dir.path / "x.db").string()});
  CHECK(db_alone.exit_code == kExitUsage);
  CHECK(db_alone.error.find("--db is read only with --runs or --shard") != std::string::npos);
  CHECK(buildbench_cli({"list", "--runs", "--shard", "1/2"}).exit_code == kExitUsage);
}
