// `buildbench compare` on a database made here: its verdict as the exit code, its formats,
// and the selectors it refuses.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/cli_helpers.hpp"
#include "model/testbed.hpp"
#include "skip.hpp"
#include "store/backend_fixture.hpp"

using namespace bb;
using bb::test::add_cold_run;
using bb::test::buildbench_cli;

namespace {

// Run 1: about 10 s; run 2: the same; run 3: 20% slower. Six samples each.
struct ThreeRuns {
  bb::test::CliTempDir dir;
  std::string db = (dir.path / "bench.db").string();
  ThreeRuns() {
    Store store(db, Store::Mode::kReadWrite);
    add_cold_run(store, "cmp", {10.0, 10.1, 9.9, 10.2, 9.8, 10.05}, {{"branch", "main"}});
    add_cold_run(store, "cmp", {10.02, 10.12, 9.88, 10.18, 9.83, 10.0}, {{"branch", "same"}});
    add_cold_run(store, "cmp", {12.0, 12.1, 11.9, 12.2, 11.8, 12.05}, {{"branch", "slow"}});
  }
};

}  // namespace

TEST_CASE("cli compare: exit 1 on a regression, 0 without, by id or label") {
  ThreeRuns runs;
  auto slow = buildbench_cli(
      {"compare", "--baseline", "branch=main", "--candidate", "branch=slow", "--db", runs.db});
  INFO(slow.out << slow.err);
  CHECK(slow.exit_code == kExitRegression);
  CHECK(slow.out.find("1 regression(s)") != std::string::npos);

  auto same = buildbench_cli({"compare", "--baseline", "1", "--candidate", "2", "--db", runs.db});
  INFO(same.out << same.err);
  CHECK(same.exit_code == kExitOk);
  CHECK(same.out.find("no change") != std::string::npos);
  CHECK(same.out.find("0 regression(s)") != std::string::npos);

  // A threshold above the change turns the regression into none.
  auto wide = buildbench_cli({"compare", "--baseline", "1", "--candidate", "3", "--threshold",
                              "build_seconds=50", "--db", runs.db});
  CHECK(wide.exit_code == kExitOk);
}

TEST_CASE("cli compare: json on stdout and the markdown summary in --output") {
  ThreeRuns runs;
  auto summary = runs.dir.path / "summary.md";
  auto result = buildbench_cli({"compare", "--baseline", "1", "--candidate", "latest", "--format",
                                "json", "--output", summary.string(), "--db", runs.db});
  REQUIRE(result.exit_code == kExitRegression);
  auto json = nlohmann::json::parse(result.out);
  CHECK(json.dump().find("build_seconds") != std::string::npos);
  std::ifstream in(summary);
  std::string markdown((std::istreambuf_iterator<char>(in)), {});
  CHECK(markdown.find("|") != std::string::npos);
  CHECK(markdown.find("build_seconds") != std::string::npos);
}

TEST_CASE("cli compare: selectors that find nothing and a missing database are usage errors") {
  ThreeRuns runs;
  auto unknown = buildbench_cli({"compare", "--baseline", "99", "--db", runs.db});
  CHECK(unknown.exit_code == kExitUsage);
  CHECK(unknown.error.find("99") != std::string::npos);

  auto label = buildbench_cli({"compare", "--baseline", "branch=nowhere", "--db", runs.db});
  CHECK(label.exit_code == kExitUsage);
  CHECK(label.error.find("branch=nowhere") != std::string::npos);

  auto missing = (runs.dir.path / "missing.db").string();
  auto no_db = buildbench_cli({"compare", "--baseline", "1", "--db", missing});
  CHECK(no_db.exit_code == kExitUsage);
  CHECK(no_db.error.find("missing.db") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(missing));  // read-only: never created
}

TEMPLATE_TEST_CASE("cli compare: two testbeds are refused, naming both, unless --across-testbeds",
                   "[cli][testbed]", bb::test::SqliteBackend, bb::test::PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  std::string derived;
  {
    Store store(db.location(), Store::Mode::kReadWrite);
    bb::test::add_testbed_run(store, "cmp", "rack-a", {10.0, 10.1, 9.9, 10.2, 9.8, 10.05},
                              {{"branch", "main"}});
    // Derived from the fingerprint: another engine than any named one.
    RunRecord other;
    other.suite_name = "cmp";
    other.labels = {{"branch", "main"}};
    other.fingerprint = nlohmann::json{{"hostname", "cli-test"}, {"docker_server", "27.3.1"}};
    auto id = bb::test::add_run(store, other, {{"s", {12.0, 12.1, 11.9, 12.2, 11.8, 12.05}}});
    derived = testbed_of(*store.run(id));
    bb::test::add_testbed_run(store, "cmp", "rack-a", {10.02, 10.12, 9.88, 10.18, 9.83, 10.0});
  }
  auto refused =
      buildbench_cli({"compare", "--baseline", "1", "--candidate", "2", "--db", db.location()});
  CHECK(refused.exit_code == kExitUsage);
  CHECK(refused.error.find("testbed rack-a (run 1)") != std::string::npos);
  CHECK(refused.error.find("on " + derived + " (run 2)") != std::string::npos);
  CHECK(refused.error.find("--across-testbeds") != std::string::npos);
  CHECK(refused.out.empty());

  // A selection that spans two testbeds is no one testbed either.
  auto pooled = buildbench_cli(
      {"compare", "--baseline", "branch=main", "--candidate", "3", "--db", db.location()});
  CHECK(pooled.exit_code == kExitUsage);
  CHECK(pooled.error.find("rack-a (run 1), " + derived + " (run 2)") != std::string::npos);

  // The same testbed compares as before, and says nothing of testbeds.
  auto same =
      buildbench_cli({"compare", "--baseline", "1", "--candidate", "3", "--db", db.location()});
  CHECK(same.exit_code == kExitOk);
  CHECK(same.out.find("testbeds") == std::string::npos);

  auto across = buildbench_cli({"compare", "--baseline", "1", "--candidate", "2",
                                "--across-testbeds", "--db", db.location()});
  INFO(across.out << across.err << across.error);
  CHECK(across.exit_code == kExitRegression);
  CHECK(across.out.find("across testbeds: rack-a (run 1), " + derived + " (run 2)\n") !=
        std::string::npos);
  auto json = buildbench_cli({"compare", "--baseline", "1", "--candidate", "2", "--across-testbeds",
                              "--format", "json", "--db", db.location()});
  CHECK(nlohmann::json::parse(json.out)["across_testbeds"] ==
        "rack-a (run 1), " + derived + " (run 2)");
  auto markdown =
      buildbench_cli({"compare", "--baseline", "1", "--candidate", "2", "--across-testbeds",
                      "--format", "markdown", "--db", db.location()});
  CHECK(markdown.out.find("**Across testbeds:** rack-a (run 1)") != std::string::npos);
}
