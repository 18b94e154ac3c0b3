// `buildbench merge`: what it tells per imported database, and a source that is not there.
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"

using namespace bb;
using bb::test::add_cold_run;
using bb::test::buildbench_cli;

TEST_CASE("cli merge: one line per source, and a missing source is a usage error naming it") {
  bb::test::CliTempDir dir;
  auto from = (dir.path / "machine.db").string();
  auto into = (dir.path / "all.db").string();
  {
    Store store(from, Store::Mode::kReadWrite);
    add_cold_run(store, "m", {3, 3.1});
  }
  auto merged = buildbench_cli({"merge", "--from", from, "--db", into});
  INFO(merged.error);
  REQUIRE(merged.exit_code == 0);
  CHECK(merged.out == "merged " + from + ": 1 run(s) imported (2 samples), 0 already present\n");

  auto missing = (dir.path / "nowhere.db").string();
  auto result = buildbench_cli({"merge", "--from", missing, "--db", into});
  CHECK(result.exit_code == kExitUsage);
  CHECK(result.error.find("nowhere.db") != std::string::npos);
}
