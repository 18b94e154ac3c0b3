// `buildbench prune-history`: old runs' raw samples replaced by summaries, the newest kept.
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"

using namespace bb;
using bb::test::add_cold_run;
using bb::test::buildbench_cli;

TEST_CASE("cli prune-history: thins all but the newest --keep runs, and only once") {
  bb::test::CliTempDir dir;
  auto db = (dir.path / "bench.db").string();
  {
    Store store(db, Store::Mode::kReadWrite);
    for (int night = 0; night < 4; ++night) add_cold_run(store, "p", {10, 10.1, 10.2});
  }
  auto first = buildbench_cli({"prune-history", "--keep", "1", "--db", db});
  INFO(first.error);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out ==
        "pruned 3 run(s): 9 raw samples replaced by summaries; the newest 1 runs are untouched\n");
  {
    Store store(db, Store::Mode::kReadOnly);
    CHECK(store.samples({1}).empty());
    CHECK(store.samples({4}).size() == 3);
  }
  auto again = buildbench_cli({"prune-history", "--keep", "1", "--db", db});
  REQUIRE(again.exit_code == 0);
  CHECK(again.out.rfind("pruned 0 run(s): 0 raw samples", 0) == 0);
}
