// `buildbench export`: the selected runs' samples on stdout, in the chosen format.
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/cli_helpers.hpp"

using namespace bb;
using bb::test::add_cold_run;
using bb::test::buildbench_cli;

TEST_CASE("cli export: latest by default, all on request, as json or csv") {
  bb::test::CliTempDir dir;
  auto db = (dir.path / "bench.db").string();
  {
    Store store(db, Store::Mode::kReadWrite);
    add_cold_run(store, "exp", {1.5, 1.6});
    add_cold_run(store, "exp", {2.5, 2.6, 2.7}, {{"branch", "main"}});
  }
  auto latest = buildbench_cli({"export", "--db", db});
  REQUIRE(latest.exit_code == 0);
  auto json = nlohmann::json::parse(latest.out);
  CHECK(json["samples"].size() == 3);

  auto all = buildbench_cli({"export", "--run", "all", "--format", "csv", "--db", db});
  REQUIRE(all.exit_code == 0);
  CHECK(std::count(all.out.begin(), all.out.end(), '\n') ==
        1 + 5);  // header and one row per sample
  CHECK(all.out.find("1.5") != std::string::npos);
  CHECK(all.out.find("2.7") != std::string::npos);

  auto labelled =
      buildbench_cli({"export", "--run", "branch=main", "--format", "hyperfine", "--db", db});
  REQUIRE(labelled.exit_code == 0);
  CHECK(labelled.out.find("1.5") == std::string::npos);
  CHECK(nlohmann::json::parse(labelled.out).contains("results"));
}

TEST_CASE("cli export: an empty database says how to fill it") {
  bb::test::CliTempDir dir;
  auto db = (dir.path / "empty.db").string();
  { Store store(db, Store::Mode::kReadWrite); }
  auto result = buildbench_cli({"export", "--db", db});
  CHECK(result.exit_code == kExitUsage);
  CHECK(result.error == "database '" + db + "' holds no runs; run 'buildbench run' first");
}
