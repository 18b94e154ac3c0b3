// `buildbench report`: the page's files written into --out from a database made here.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "skip.hpp"
#include "store/backend_fixture.hpp"

using namespace bb;
using bb::test::add_cold_run;
using bb::test::buildbench_cli;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("cli report: the page, its charts and data, byte-identical on a second write") {
  bb::test::CliTempDir dir;
  auto db = (dir.path / "bench.db").string();
  {
    Store store(db, Store::Mode::kReadWrite);
    add_cold_run(store, "page", {10, 10.2, 9.9}, {{"branch", "main"}});
  }
  auto out = dir.path / "site";
  auto result = buildbench_cli({"report", "--db", db, "--out", out.string()});
  INFO(result.err << result.error);
  REQUIRE(result.exit_code == 0);
  for (const char* file :
       {"benchmark.md", "benchmark.html", "build-time.svg", "data.json", "data.csv"}) {
    INFO(file);
    CHECK(fs::exists(out / file));
  }
  CHECK(result.err.rfind(
            "buildbench: report for run 1 written to " + out.string() + "/benchmark.md (", 0) == 0);
  std::string page = read(out / "benchmark.md");
  CHECK(page.find("build") != std::string::npos);

  auto again = dir.path / "again";
  REQUIRE(buildbench_cli({"report", "--db", db, "--out", again.string()}).exit_code == 0);
  CHECK(read(again / "benchmark.md") == page);
}

TEST_CASE("cli report: a run that is not there is a usage error, and nothing is written") {
  bb::test::CliTempDir dir;
  auto db = (dir.path / "bench.db").string();
  {
    Store store(db, Store::Mode::kReadWrite);
    add_cold_run(store, "page", {10});
  }
  auto out = dir.path / "site";
  auto result = buildbench_cli({"report", "--run", "7", "--db", db, "--out", out.string()});
  CHECK(result.exit_code == kExitUsage);
  CHECK(result.error == "no run 7 in '" + db + "'");
  CHECK_FALSE(fs::exists(out));
}

namespace {

// Nightlies of suite `page` on these dates, each with these build times.
std::string nightly_db(const fs::path& dir, const std::vector<std::string>& dates) {
  auto db = (dir / "nightly.db").string();
  Store store(db, Store::Mode::kReadWrite);
  for (const auto& date : dates)
    add_cold_run(store, "page", {10, 10.2, 9.9}, {{"kind", "nightly"}, {"nightly", date}});
  return db;
}

}  // namespace

TEST_CASE("cli report --history: the nightly history page from a database, without measuring") {
  bb::test::CliTempDir dir;
  auto db = nightly_db(dir.path, {"2026-11-01", "2026-11-02", "2026-11-03"});
  {
    Store store(db, Store::Mode::kReadWrite);
    add_cold_run(store, "page", {20});  // a run that is not a nightly stays off the page
  }
  auto out = dir.path / "site";
  auto result = buildbench_cli({"report", "--history", "--db", db, "--out", out.string()});
  INFO(result.err << result.error);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err == "buildbench: history page of 3 nightlies written to " + out.string() +
                          "/history.md (1 series, 0 change points)\n");
  for (const char* file : {"history.md", "history.html", "history-s-cold-build_seconds.svg"}) {
    INFO(file);
    CHECK(fs::exists(out / file));
  }
  CHECK_FALSE(fs::exists(out / "benchmark.md"));
  std::string page = read(out / "history.md");
  CHECK(page.rfind("# Nightly history: page\n", 0) == 0);
  CHECK(page.find("| 2026-11-03 | 3 |") != std::string::npos);
  CHECK(page.find("20.00 s") == std::string::npos);

  // Up to a chosen nightly; the same database gives the same bytes.
  auto two = dir.path / "two";
  REQUIRE(buildbench_cli({"report", "--history", "--run", "nightly=2026-11-02", "--db", db, "--out",
                          two.string()})
              .exit_code == 0);
  CHECK(read(two / "history.md").find("2026-11-03") == std::string::npos);
  auto again = dir.path / "again";
  REQUIRE(buildbench_cli({"report", "--history", "--db", db, "--out", again.string()}).exit_code ==
          0);
  CHECK(read(again / "history.md") == page);
  CHECK(read(again / "history-s-cold-build_seconds.svg") ==
        read(out / "history-s-cold-build_seconds.svg"));
}

TEST_CASE("cli report --history: no nightly, a run that is not one, options it cannot honour") {
  bb::test::CliTempDir dir;
  auto db = (dir.path / "plain.db").string();
  {
    Store store(db, Store::Mode::kReadWrite);
    add_cold_run(store, "page", {10});
  }
  auto out = dir.path / "site";
  auto none = buildbench_cli({"report", "--history", "--db", db, "--out", out.string()});
  CHECK(none.exit_code == kExitUsage);
  CHECK(none.error == "no complete nightly run in '" + db +
                          "' (runs labelled kind=nightly); 'buildbench nightly' records them, or "
                          "pass --run to pick one");
  auto plain =
      buildbench_cli({"report", "--history", "--run", "1", "--db", db, "--out", out.string()});
  CHECK(plain.exit_code == kExitUsage);
  CHECK(plain.error ==
        "--run 1: run 1 is not a nightly (it has no label kind=nightly); pick one with --run "
        "nightly=YYYY-MM-DD");
  auto missing = buildbench_cli(
      {"report", "--history", "--run", "nightly=1999-01-01", "--db", db, "--out", out.string()});
  CHECK(missing.exit_code == kExitUsage);
  CHECK(missing.error.find("has the label nightly=1999-01-01") != std::string::npos);
  auto suite = buildbench_cli({"report", "--history", "--suite", "x.toml", "--db", db});
  CHECK(suite.exit_code == kExitUsage);
  auto git_dir = buildbench_cli({"report", "--git-dir", dir.path.string(), "--db", db});
  CHECK(git_dir.exit_code == kExitUsage);
  CHECK_FALSE(fs::exists(out));
}

namespace {

// A complete run of suite `basic` (its claim pools) on `testbed`, with these build times.
std::int64_t basic_on(Store& store, const std::string& testbed, double one, double two,
                      const std::map<std::string, std::string>& labels = {}) {
  RunRecord run;
  run.suite_name = "basic";
  run.suite_path = bb::test::basic_suite() + "/suite.toml";
  run.labels = labels;
  run.options = {{"testbed", testbed}};
  // Five a side: with three, no 95% interval exists (the exact test's floor), so no pool.
  auto five = [](double v) {
    return std::vector<double>{v, v * 1.01, v * 0.99, v * 1.02, v * 0.98};
  };
  return bb::test::add_run(store, run, {{"one", five(one)}, {"two", five(two)}});
}

}  // namespace

TEMPLATE_TEST_CASE("cli report: a selection of two testbeds is refused unless --across-testbeds",
                   "[cli][testbed]", bb::test::SqliteBackend, bb::test::PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  bb::test::CliTempDir dir;
  {
    Store store(db.location(), Store::Mode::kReadWrite);
    basic_on(store, "rack-a", 10, 8, {{"branch", "x"}});
    basic_on(store, "rack-b", 11, 9, {{"branch", "x"}});
  }
  auto out = dir.path / "site";
  auto refused =
      buildbench_cli({"report", "--run", "branch=x", "--db", db.location(), "--out", out.string()});
  CHECK(refused.exit_code == kExitUsage);
  CHECK(refused.error.rfind("--run branch=x selects runs of 2 testbeds: rack-a (run 1), rack-b "
                            "(run 2); select the runs of one",
                            0) == 0);
  CHECK(refused.error.find("--across-testbeds") != std::string::npos);
  CHECK_FALSE(fs::exists(out));

  auto across = buildbench_cli({"report", "--run", "branch=x", "--across-testbeds", "--db",
                                db.location(), "--out", out.string()});
  INFO(across.err << across.error);
  REQUIRE(across.exit_code == kExitOk);
  std::string page = read(out / "benchmark.md");
  CHECK(page.find("**Across testbeds:** rack-a (run 1), rack-b (run 2) (report "
                  "--across-testbeds)") != std::string::npos);
  auto a = page.find("### Testbed rack-a");
  auto b = page.find("### Testbed rack-b");
  REQUIRE(a != std::string::npos);
  REQUIRE(b != std::string::npos);
  CHECK(a < b);
  CHECK(page.find("| Testbed | rack-b (named with --testbed) |", b) != std::string::npos);

  // One run: its environment names its testbed, and no other testbed is mentioned.
  auto one = dir.path / "one";
  REQUIRE(buildbench_cli({"report", "--run", "1", "--db", db.location(), "--out", one.string()})
              .exit_code == kExitOk);
  std::string single = read(one / "benchmark.md");
  CHECK(single.find("| Testbed | rack-a (named with --testbed) |") != std::string::npos);
  CHECK(single.find("Across testbeds") == std::string::npos);
}

TEMPLATE_TEST_CASE("cli report: the pool keeps to the run's testbed and says how many it left out",
                   "[cli][testbed]", bb::test::SqliteBackend, bb::test::PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  bb::test::CliTempDir dir;
  {
    Store store(db.location(), Store::Mode::kReadWrite);
    basic_on(store, "rack-a", 10, 8);
    basic_on(store, "rack-b", 10, 8);
    basic_on(store, "rack-b", 10, 8);
    basic_on(store, "rack-a", 10, 8);
  }
  auto out = dir.path / "site";
  REQUIRE(buildbench_cli({"report", "--run", "4", "--db", db.location(), "--out", out.string()})
              .exit_code == kExitOk);
  std::string page = read(out / "benchmark.md");
  CHECK(page.find("on the same testbed, engine, stand-in images") != std::string::npos);
  CHECK(page.find("2 earlier runs on other testbeds than rack-a left out (report "
                  "--across-testbeds pools them).") != std::string::npos);
  CHECK(page.find("| two builds faster than one |") != std::string::npos);

  auto across = dir.path / "across";
  REQUIRE(buildbench_cli({"report", "--run", "4", "--across-testbeds", "--db", db.location(),
                          "--out", across.string()})
              .exit_code == kExitOk);
  std::string pooled = read(across / "benchmark.md");
  CHECK(pooled.find("left out") == std::string::npos);
  CHECK(
      pooled.find("Across testbeds (--across-testbeds): rack-a (runs 4, 1), rack-b (runs 3, 2).") !=
      std::string::npos);
}
