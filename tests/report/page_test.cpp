// What every section of the benchmark page reads (Page) and the helpers the sections share.
#include "report/page.hpp"

#include <catch2/catch.hpp>

using namespace bb;
using namespace bb::bench_page;

namespace {

StoredSample stored(const std::string& scenario, SampleKind kind, const std::string& state,
                    const std::string& metric, double value,
                    SampleStatus status = SampleStatus::kOk) {
  StoredSample s;
  s.sample.scenario = scenario;
  s.sample.kind = kind;
  s.sample.state = state;
  s.sample.status = status;
  if (status == SampleStatus::kOk) s.sample.set(metric, value);
  return s;
}

}  // namespace

TEST_CASE("page: a default cache state's title, and any other state's own name") {
  CHECK(kStates == std::vector<std::string>{"cold", "warm-nochange", "warm-code", "warm-deps"});
  CHECK(state_title("cold") == "Cold build");
  CHECK(state_title("warm-deps") == "Rebuild after dependency edit");
  CHECK(state_title("ci-registry") == "ci-registry");
  CHECK(state_title("as-built") == "as-built");
}

TEST_CASE("page: a metric is measured in a state when any scenario has a good value of it") {
  SampleGroups groups(
      {stored("a", SampleKind::kBuild, "cold", "push_seconds", 1.5),
       stored("b", SampleKind::kBuild, "ci-local", "build_seconds", 0, SampleStatus::kFailed)});
  CHECK(measured(groups, "cold", "push_seconds"));
  CHECK_FALSE(measured(groups, "warm-code", "push_seconds"));
  CHECK_FALSE(measured(groups, "ci-local", "build_seconds"));  // failed: no value
}

TEST_CASE("page: modes as-built first, CI states in protocol order, failed ones included") {
  ReportInput input;
  input.samples = {
      stored("a", SampleKind::kStartup, "no-bytecode", "ready_seconds", 0.2),
      stored("a", SampleKind::kStartup, "as-built", "ready_seconds", 0.1),
      stored("a", SampleKind::kBuild, "export-min", "build_seconds", 3),
      stored("a", SampleKind::kBuild, "ci-registry", "build_seconds", 0, SampleStatus::kFailed),
      stored("a", SampleKind::kBuild, "cold", "build_seconds", 9),
  };
  Page page(input);
  REQUIRE(page.modes.size() == 2);
  CHECK(page.modes[0].name == "as-built");
  CHECK(page.modes[1].name == "no-bytecode");
  CHECK(page.ci_states == std::vector<std::string>{"ci-registry", "export-min"});
  CHECK(page.run == nullptr);
}

TEST_CASE("page: the scenario table has a row per scenario and marks a step's change") {
  ReportInput input;
  input.scenario_order = {"a", "b"};
  for (double v : {10.0, 10.1, 10.2, 9.9, 10.0, 10.1})
    input.samples.push_back(stored("a", SampleKind::kBuild, "cold", "build_seconds", v));
  for (double v : {5.0, 5.1, 5.2, 4.9, 5.0, 5.1})
    input.samples.push_back(stored("b", SampleKind::kBuild, "cold", "build_seconds", v));
  Page page(input);
  bool marked = false;
  auto table = scenario_table(page, {{"Cold", "cold", "build_seconds"}}, marked);
  CHECK(table.header == std::vector<std::string>{"Scenario", "Cold"});
  REQUIRE(table.rows.size() == 2);
  CHECK(table.rows[0][0] == "a");
  CHECK(table.rows[0][1].find("▼") == std::string::npos);  // no previous row
  CHECK(table.rows[1][1].find("▼") != std::string::npos);  // half the time of a
  CHECK_FALSE(marked);                                     // a fixed design aims at nothing
}

TEST_CASE("page: step marks control the false discovery rate over all the page's steps") {
  // a -> b halves (p = 2 / C(12, 6) = 0.0022), b -> c is +5.3% at p = 0.041 (SciPy's exact
  // mannwhitneyu), then three steps of identical values (p = 1). On its own b -> c would be
  // marked; over the page's five steps its adjusted p is 0.041 x 5 / 2 = 0.10.
  ReportInput input;
  input.scenario_order = {"a", "b", "c", "d", "e", "f"};
  auto add = [&](const std::string& scenario, const std::vector<double>& values) {
    for (double v : values)
      input.samples.push_back(stored(scenario, SampleKind::kBuild, "cold", "build_seconds", v));
  };
  std::vector<double> b = {5.0, 5.1, 5.2, 4.9, 5.3, 5.15}, c = {5.25, 5.5, 5.6, 5.35, 5.45, 5.05};
  add("a", {10.0, 10.1, 10.2, 9.9, 10.0, 10.1});
  add("b", b);
  for (const char* s : {"c", "d", "e", "f"}) add(s, c);
  auto alone = compare_values("build_seconds", b, c, {});
  REQUIRE(alone.p_value == Approx(0.04112554112554113).margin(1e-9));
  REQUIRE(alone.verdict == Verdict::kRegression);
  Page page(input);
  CHECK(page.step_family.testable == 5);
  CHECK(page.step_family.significant == 2);
  CHECK(page.step_family.discoveries == 1);
  bool marked = false;
  auto table = scenario_table(page, {{"Cold", "cold", "build_seconds"}}, marked);
  REQUIRE(table.rows.size() == 6);
  CHECK(table.rows[1][1].find("▼") != std::string::npos);  // a -> b: q = 0.011
  CHECK(table.rows[2][1].find("▲") == std::string::npos);  // b -> c: q = 0.10
  CHECK(page.steps.at({"c", "cold", "build_seconds"}).q_value ==
        Approx(0.04112554112554113 * 5 / 2).margin(1e-9));
}
