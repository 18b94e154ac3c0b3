// `buildbench report`: the page's files written into --out from a database made here.
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"

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
