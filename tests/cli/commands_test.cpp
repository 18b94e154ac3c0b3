// The steps compare and nightly share: two selections compared (paired only when asked and
// possible), the exit code a comparison gives, and the drift warning.
#include "cli/commands.hpp"

#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "util/error.hpp"

using namespace bb;
using bb::test::add_run;

namespace {

RunRecord run_of(const std::string& suite) {
  RunRecord run;
  run.suite_name = suite;
  return run;
}

}  // namespace

TEST_CASE("commands: the exit code is 1 on a regression, 3 on failed samples, else 0") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  auto base = add_run(store, run_of("c"), {{"s", {10, 10.1, 9.9, 10.2, 9.8, 10.05}}});
  auto same = add_run(store, run_of("c"), {{"s", {10.02, 10.1, 9.9, 10.15, 9.85, 10.0}}});
  auto slow = add_run(store, run_of("c"), {{"s", {12, 12.1, 11.9, 12.2, 11.8, 12.05}}});
  auto failing = add_run(store, run_of("c"), {{"s", {10.02, 10.1, 9.9, 10.15, 9.85, NAN}}});
  CHECK(compare_exit_code(compare_selections(store, {base}, {same}, {})) == kExitOk);
  CHECK(compare_exit_code(compare_selections(store, {base}, {slow}, {})) == kExitRegression);
  CHECK(compare_exit_code(compare_selections(store, {base}, {failing}, {})) == kExitEnvironment);
}

TEST_CASE("commands: --paired needs pairs, which only ab's two runs have") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  auto base = add_run(store, run_of("c"), {{"s", {10, 10.1, 9.9}}});
  auto cand = add_run(store, run_of("c"), {{"s", {10, 10.1, 9.9}}});
  CompareOptions paired;
  paired.pairing = CompareOptions::Pairing::kPaired;
  try {
    compare_selections(store, {base}, {cand}, paired);
    FAIL("no error");
  } catch (const UsageError& error) {
    CHECK(std::string(error.what())
              .rfind(
                  "--paired: no sample of the baseline (run 1) is paired with one of the candidate "
                  "(run 2)",
                  0) == 0);
  }
  // Without --paired the same runs compare unpaired.
  auto unpaired = compare_selections(store, {base}, {cand}, {});
  CHECK_FALSE(unpaired.rows.empty());
}

TEST_CASE("commands: a group that trends over its run is named in a warning, a steady one not") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  auto drifting = add_run(store, run_of("d"), {{"hot", {10, 10.5, 11, 11.5, 12, 12.5, 13, 13.5}}});
  auto steady = add_run(store, run_of("d"), {{"calm", {10, 10.1, 9.9, 10, 10.1, 9.9, 10, 10.1}}});
  bb::test::CapturedOutput captured(dir.path);
  print_drift(store.samples({drifting}, false));
  print_drift(store.samples({steady}, false));
  captured.restore();
  auto err = captured.err();
  CHECK(err.rfind("buildbench: warning: drift within the run: hot cold build_seconds", 0) == 0);
  CHECK(err.find("'buildbench ab' pairs the sides") != std::string::npos);
  CHECK(err.find("calm") == std::string::npos);
}
