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
