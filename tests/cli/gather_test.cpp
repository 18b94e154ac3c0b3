// What the page is built from, gathered from the store: which run, the suite's order and
// claims for what was measured, the history of complete runs.
#include "cli/gather.hpp"

#include <cmath>
#include <string>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "compare/what_changed.hpp"
#include "measure/run_options.hpp"
#include "model/testbed.hpp"
#include "skip.hpp"
#include "stats/edivisive.hpp"
#include "store/backend_fixture.hpp"
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

// A nightly of suite `basic` labelled with its date.
RunRecord nightly_run(const std::string& date, const std::string& suite = "basic") {
  RunRecord run = basic_run(date + "T02:00:00Z");
  run.suite_name = suite;
  run.labels = {{"kind", "nightly"}, {"nightly", date}};
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

TEST_CASE("gather: the nightlies of a suite up to a run, the complete ones and that run") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "n.db", Store::Mode::kReadWrite);
  auto first = add_run(store, nightly_run("2026-11-01"), {{"one", {5}}});
  add_run(store, basic_run("2026-11-01T09:00:00Z"), {{"one", {5}}});   // not a nightly
  add_run(store, nightly_run("2026-11-02", "other"), {{"one", {5}}});  // another suite
  add_run(store, nightly_run("2026-11-02"), {{"one", {5}}}, "interrupted");
  auto third = add_run(store, nightly_run("2026-11-03"), {{"one", {5}}}, "failed");
  add_run(store, nightly_run("2026-11-04"), {{"one", {5}}});  // after the one asked for
  auto runs = nightlies_up_to(store, "basic", third);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].id == first);
  CHECK(runs[1].id == third);  // failed, but the page is drawn up to it
}

TEST_CASE("gather: history series per tracked group, a night per nightly that measured it") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "n.db", Store::Mode::kReadWrite);
  add_run(store, nightly_run("2026-11-01"), {{"one", {5, 5.2, 5.1}}});
  add_run(store, nightly_run("2026-11-02"), {{"one", {5.1, NAN, 5.3}}, {"two", {4, 4.4}}});
  auto pruned = add_run(store, nightly_run("2026-11-03"), {{"one", {6}}});
  Store::SummaryRow kept;
  kept.run_id = pruned;
  kept.key = {{"one", SampleKind::kBuild, "cold"}, "build_seconds"};
  kept.count = 9;
  kept.median = 6.5;
  kept.ci_low = 6.4;
  kept.ci_high = 6.6;
  store.prune_run(pruned, {kept});
  auto nightlies = nightlies_up_to(store, "basic", pruned);
  REQUIRE(nightlies.size() == 3);

  auto input = gather_history(store, nightlies, dir.path);
  CHECK(input.suite_name == "basic");
  REQUIRE(input.series.size() == 2);
  const auto& one = input.series[0];
  CHECK(one.key == MetricKey{{"one", SampleKind::kBuild, "cold"}, "build_seconds"});
  REQUIRE(one.nights.size() == 3);
  CHECK(one.nights[0].date == "2026-11-01");
  CHECK(one.nights[0].run_id == nightlies[0].id);
  CHECK(one.nights[0].samples == std::vector<double>{5, 5.2, 5.1});
  CHECK(one.nights[0].median == Approx(5.1));
  CHECK(one.nights[0].count == 3);
  CHECK_FALSE(one.nights[0].interval_available);  // three values give no 95% interval
  // The failed sample is not a value of its night.
  CHECK(one.nights[1].samples == std::vector<double>{5.1, 5.3});
  // The pruned night reads its summary: its count and interval, no samples.
  CHECK(one.nights[2].pruned);
  CHECK(one.nights[2].samples.empty());
  CHECK(one.nights[2].count == 9);
  CHECK(one.nights[2].median == Approx(6.5));
  CHECK(one.nights[2].interval_available);
  CHECK(one.nights[2].low == Approx(6.4));
  // `two` was measured on one night only: a series of one night.
  const auto& two = input.series[1];
  CHECK(two.key.group.scenario == "two");
  REQUIRE(two.nights.size() == 1);
  CHECK(two.nights[0].date == "2026-11-02");
  // The change points are the detector's over the same nights (a pruned one by its median).
  auto expected = stats::e_divisive({{5, 5.2, 5.1}, {5.1, 5.3}, {6.5}});
  REQUIRE(one.changes.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i)
    CHECK(one.changes[i].point.first_night == expected[i].first_night);
}

TEST_CASE("gather: a change point over a clear step opens at the step's night, causes beside it") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "n.db", Store::Mode::kReadWrite);
  std::vector<std::vector<double>> nights;
  for (int day = 1; day <= 12; ++day) {
    double level = day <= 6 ? 5 : 6;  // +20% from the seventh night
    std::vector<double> samples = {level, level + 0.05, level - 0.05, level + 0.02, level - 0.02};
    nights.push_back(samples);
    add_run(store, nightly_run(fmt::format("2026-11-{:02d}", day)), {{"one", samples}});
  }
  auto nightlies = nightlies_up_to(store, "basic", store.runs().back().id);
  auto input = gather_history(store, nightlies, dir.path);
  REQUIRE(input.series.size() == 1);
  const auto& series = input.series[0];
  CHECK(series.nights.size() == 12);
  auto expected = stats::e_divisive(nights);
  REQUIRE(series.changes.size() == expected.size());
  for (const auto& change : series.changes) {
    // Whatever the detector finds lies at the step, and its causes are the two runs' inputs.
    CHECK(series.nights[change.point.first_night].date == "2026-11-07");
    CHECK(change.cause_error.empty());
    CHECK(change.causes.size() == what_changed(nightlies[5], nightlies[6], dir.path).size());
  }
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

TEST_CASE("gather: claims pool over earlier complete runs on the same engine and network only") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "p.db", Store::Mode::kReadWrite);
  auto with = [](std::string engine, std::string profile) {
    RunRecord run = basic_run("2026-11-01T02:00:00Z");
    run.fingerprint = nlohmann::json{{"hostname", "cli-test"}, {"docker_server", engine}};
    run.options = nlohmann::json{{"network_profile", profile}};
    return run;
  };
  std::vector<std::pair<std::string, std::vector<double>>> values = {{"one", {5, 5.1, 5.2}},
                                                                     {"two", {4, 4.1, 4.2}}};
  auto first = add_run(store, with("27.0", "lan"), values);
  add_run(store, with("26.1", "lan"), values);                 // another engine
  add_run(store, with("27.0", "slow"), values);                // another network profile
  add_run(store, with("27.0", "lan"), values, "interrupted");  // not complete
  auto second = add_run(store, with("27.0", "lan"), values);
  auto last = add_run(store, with("27.0", "lan"), values);
  auto input = gather_report_input(store, std::to_string(last), "", {});
  CHECK(input.pool == kDefaultPool);
  REQUIRE(input.pool_runs.size() == 2);
  CHECK(input.pool_runs[0].run.id == second);  // newest first
  CHECK(input.pool_runs[1].run.id == first);
  CHECK_FALSE(input.pool_runs[0].samples.empty());
  CHECK(gather_report_input(store, std::to_string(last), "", {}, 2).pool_runs.size() == 1);
  CHECK(gather_report_input(store, std::to_string(last), "", {}, 1).pool_runs.empty());
  CHECK(pool_key(with("27.0", "lan")) != pool_key(with("27.0", "slow")));
}

TEST_CASE("gather: a fleet's shards make one page and one history point") {
  bb::test::CliTempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  auto shard = [&](const std::string& date, int k, const std::string& scenario, double seconds) {
    RunRecord run = basic_run(date + "T02:0" + std::to_string(k) + ":00Z");
    run.labels = {{"nightly", date}};
    RunOptions options;
    options.shard = ShardOptions{k, 2, {scenario}, "count", {}};
    run.options = stored_form(options);
    return add_run(store, run, {{scenario, {seconds, seconds}}});
  };
  shard("2026-01-01", 1, "one", 5);
  auto last_night = shard("2026-01-01", 2, "two", 7);
  auto tonight_one = shard("2026-01-02", 1, "one", 6);
  auto tonight_two = shard("2026-01-02", 2, "two", 8);
  auto input = gather_report_input(store, "nightly=2026-01-02", "", {});
  REQUIRE(input.runs.size() == 2);
  CHECK(input.runs[0].id == tonight_one);
  CHECK(input.scenario_order == std::vector<std::string>{"one", "two"});
  CHECK(input.samples.size() == 4);
  REQUIRE(input.history.size() == 2);  // not four: a night is its fleet
  CHECK(input.history[0].run_id == last_night);
  CHECK(input.history[0].date == "2026-01-01");
  CHECK(input.history[1].run_id == tonight_two);
  MetricKey one{{"one", SampleKind::kBuild, "cold"}, "build_seconds"};
  MetricKey two{{"two", SampleKind::kBuild, "cold"}, "build_seconds"};
  CHECK(input.history[1].medians.at(one) == 6);
  CHECK(input.history[1].medians.at(two) == 8);
}

TEMPLATE_TEST_CASE("gather: last night, the history and the trend keep to one testbed",
                   "[cli][testbed]", bb::test::SqliteBackend, bb::test::PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  Store store(db.location(), Store::Mode::kReadWrite);
  auto on = [&](const std::string& date, const std::string& testbed, const std::string& status) {
    RunRecord run = nightly_run(date);
    run.options = nlohmann::json{{"testbed", testbed}};
    return add_run(store, run, {{"one", {5, 5.1}}}, status);
  };
  auto a1 = on("2026-01-01", "a", "complete");
  auto b1 = on("2026-01-02", "b", "complete");
  auto a2 = on("2026-01-03", "a", "complete");
  auto b2 = on("2026-01-04", "b", "interrupted");
  auto a3 = on("2026-01-05", "a", "running");  // tonight's
  auto runs = store.runs();
  CHECK(previous_nightly(runs, "basic", std::string("a"))->id == a2);
  CHECK(previous_nightly(runs, "basic", std::string("b"))->id == b1);  // b2 did not complete
  CHECK_FALSE(previous_nightly(runs, "basic", std::string("c")));
  CHECK(previous_nightly(runs, "basic", std::nullopt)->id == a2);  // --across-testbeds
  CHECK_FALSE(previous_nightly(runs, "other", std::nullopt));

  auto ids = [](const std::vector<RunRecord>& nightlies) {
    std::vector<std::int64_t> out;
    for (const auto& r : nightlies) out.push_back(r.id);
    return out;
  };
  CHECK(ids(nightlies_up_to(store, "basic", a3, std::string("a"))) ==
        std::vector<std::int64_t>{a1, a2, a3});
  CHECK(ids(nightlies_up_to(store, "basic", a3)) == std::vector<std::int64_t>{a1, b1, a2, a3});
  CHECK(ids(nightlies_up_to(store, "basic", b2, std::string("b"))) ==
        std::vector<std::int64_t>{b1, b2});

  // The page's trend: a2's history is a's nights; across testbeds, every night.
  auto trend = gather_report_input(store, std::to_string(a2), "", {});
  REQUIRE(trend.history.size() == 2);
  CHECK(trend.history[0].run_id == a1);
  CHECK(trend.history[1].run_id == a2);
  CHECK(gather_report_input(store, std::to_string(a2), "", {}, kDefaultPool, true).history.size() ==
        3);
}
