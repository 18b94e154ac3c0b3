// What the page is built from, gathered from the store: which run, the suite's order and
// claims for what was measured, the history of complete runs.
#include "cli/gather.hpp"

#include <cmath>
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "util/error.hpp"

using namespace bb;
using bb::test::add_run;
using bb::test::basic_suite;

namespace {

RunRecord basic_run(const std::string& started_at, const std::string& command = "") {
  RunRecord run;
  run.suite_name = "basic";
  run.suite_path = basic_suite() + "/suite.toml";
  run.started_at = started_at;
  run.command = command;
  return run;
}

std::string usage_error(Store& store, const std::string& run, const std::string& suite) {
  try {
    gather_report_input(store, run, suite, {});
  } catch (const UsageError& error) {
    return error.what();
  }
  return "";
}

}  // namespace

TEST_CASE(
    "gather: latest-complete passes over a later interrupted run, and none complete is an error") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  auto none = add_run(store, basic_run("2026-11-01T02:00:00Z"), {{"one", {5}}}, "interrupted");
  CHECK(usage_error(store, "latest-complete", "") ==
        "no complete run in '" + (dir.path / "b.db").string() +
            "'; finish a 'buildbench run' or pass --run ID");
  auto complete = add_run(store, basic_run("2026-11-02T02:00:00Z", "buildbench run --runs 3"),
                          {{"one", {5, 5.1}}, {"two", {4, 4.1}}});
  add_run(store, basic_run("2026-11-03T02:00:00Z"), {{"one", {6}}}, "interrupted");
  auto input = gather_report_input(store, "latest-complete", "", {});
  REQUIRE(input.runs.size() == 1);
  CHECK(input.runs[0].id == complete);
  CHECK(input.reproduce == "buildbench run --runs 3");
  // Any selector still reaches an unfinished run; its missing command reads as a plain run.
  auto interrupted = gather_report_input(store, std::to_string(none), "", {});
  CHECK(interrupted.runs[0].id == none);
  CHECK(interrupted.reproduce == "buildbench run");
}

TEST_CASE("gather: the suite gives order, claims and titles, for the scenarios measured only") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  add_run(store, basic_run("2026-11-01T02:00:00Z"), {{"one", {5, 5.1}}, {"two", {4, 4.2}}});
  auto both = gather_report_input(store, "latest", "", {});
  CHECK(both.suite_name == "basic");
  CHECK(both.scenario_order == std::vector<std::string>{"one", "two"});
  REQUIRE(both.claims.size() == 1);
  CHECK(both.claims[0].id == "two-faster");
  CHECK(both.descriptions.at("one") == "the first");
  CHECK(both.history.empty());  // one complete run: no history yet

  // A run that measured only `one`: two's claim is left out, not failed.
  add_run(store, basic_run("2026-11-02T02:00:00Z"), {{"one", {5.2, 5.3}}, {"two", {}}});
  auto one = gather_report_input(store, "latest", "", {});
  CHECK(one.scenario_order == std::vector<std::string>{"one"});
  CHECK(one.claims.empty());
  // Two complete runs of the suite now: a history point each, with per-run medians.
  REQUIRE(one.history.size() == 2);
  CHECK(one.history[0].date == "2026-11-01");
  CHECK(one.history[1].medians.at(
            MetricKey{{"one", SampleKind::kBuild, "cold"}, "build_seconds"}) == Approx(5.25));

  CHECK(usage_error(store, "latest", (dir.path / "nowhere.toml").string()) ==
        "--suite '" + (dir.path / "nowhere.toml").string() + "' does not exist");
}

TEST_CASE("gather: the history has one point a night, a paired nightly's baseline side left out") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  auto nightly = [&](const std::string& started_at, const std::string& kind, double seconds) {
    RunRecord run = basic_run(started_at);
    run.labels = {{"kind", kind}, {"nightly", started_at.substr(0, 10)}};
    return add_run(store, run, {{"one", {seconds}}});
  };
  auto first = nightly("2026-01-01T02:00:00Z", "nightly", 5);
  nightly("2026-01-02T02:00:00Z", kNightlyBaselineKind, 5.5);  // last night measured again
  auto second = nightly("2026-01-02T02:10:00Z", "nightly", 6);
  auto input = gather_report_input(store, std::to_string(second), "", {});
  REQUIRE(input.history.size() == 2);
  CHECK(input.history[0].run_id == first);
  CHECK(input.history[1].run_id == second);
}
