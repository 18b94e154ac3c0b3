// The nightly command, three nights: the third carries an injected slowdown.
#include <filesystem>

#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"

using namespace bb;
using namespace bb::e2e;
namespace fs = std::filesystem;

TEST_CASE("nightly: two clean nights, then a slowdown that exits 1 and is named") {
  TempDb db;
  auto out = fs::temp_directory_path() / ("bb-nightly-" + std::to_string(::getpid()));
  auto night = [&](const std::string& suite, const std::string& date) {
    return buildbench(
        {"nightly", "--suite", (source_dir() / "tests/fixtures/suites" / suite).string(), "--runs",
         "5", "--startup-runs", "0", "--date", date,
         // Runs minutes apart drift more than one run varies within itself;
         // the injected 2 s slowdown is far beyond this tolerance.
         "--threshold", "build_seconds=25", "--out", out.string(), "--db", db.path.string()});
  };
  auto first = night("nightly", "2026-11-01");
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("first nightly") != std::string::npos);
  auto second = night("nightly", "2026-11-02");
  INFO(second.out << second.err);
  CHECK(second.exit_code == 0);
  CHECK(second.out.find("against the previous nightly") != std::string::npos);
  CHECK(fs::exists(out / "benchmark.md"));
  CHECK(fs::exists(out / "nightly-summary.md"));
  auto third = night("nightly-slow", "2026-11-03");
  INFO(third.out << third.err);
  CHECK(third.exit_code == 1);
  CHECK(third.err.find("REGRESSION against the previous nightly (run 2, 2026-11-02): tiny cold "
                       "build_seconds") != std::string::npos);
  fs::remove_all(out);
}
