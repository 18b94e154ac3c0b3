#include "session/shard.hpp"

#include <filesystem>

#include <catch2/catch.hpp>

#include "scenario/manifest.hpp"
#include "store/store_fixture.hpp"
#include "util/error.hpp"

using namespace bb;
using namespace bb::test;
using Names = std::vector<std::vector<std::string>>;

namespace {

// A complete run of suite "s" with `labels`, one cold build per scenario of `seconds`, and
// the shard it was, if any.
std::int64_t stored_run(Store& store, const std::map<std::string, double>& seconds,
                        const std::map<std::string, std::string>& labels = {},
                        std::optional<ShardOptions> shard = std::nullopt,
                        const std::string& suite = "s") {
  RunRecord run;
  run.suite_name = suite;
  run.labels = labels;
  RunOptions options;
  options.shard = shard;
  run.options = stored_form(options);
  auto id = store.begin_run(run);
  for (const auto& [name, value] : seconds) store.add_sample(id, build_sample(name, value));
  store.finish_run(id, "complete");
  return id;
}

}  // namespace

TEST_CASE("shard: K/N parses with 1 <= K <= N, anything else names the flag and the form") {
  auto spec = parse_shard("2/4");
  CHECK(spec.index == 2);
  CHECK(spec.count == 4);
  CHECK(parse_shard("1/1").count == 1);
  for (const char* bad : {"0/4", "5/4", "a/b", "4", "1/0", "-1/4", "2/4x", " 2/4", "2/", "/4"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_shard(bad), UsageError);
    CHECK_THROWS_WITH(parse_shard(bad),
                      Catch::StartsWith("--shard ") && Catch::Contains("1 <= K <= N"));
  }
}

TEST_CASE("shard: without costs, round robin in the suite's order") {
  auto partition = partition_scenarios({"a", "b", "c", "d", "e"}, {}, {}, 2);
  CHECK(partition.balanced_by == "count");
  CHECK(partition.shards == Names{{"a", "c", "e"}, {"b", "d"}});
  CHECK(partition.load == std::vector<double>{3, 2});
}

TEST_CASE("shard: by cost, longest first into the least loaded shard, each in the suite's order") {
  // a 10 -> 1; b 8 -> 2; c 6 -> 2 (8 < 10); d 5 -> 1 (10 < 14); e 4 -> 2 (14 < 15).
  auto partition = partition_scenarios({"e", "d", "c", "b", "a"}, {},
                                       {{"a", 10}, {"b", 8}, {"c", 6}, {"d", 5}, {"e", 4}}, 2);
  CHECK(partition.balanced_by == "cost");
  CHECK(partition.shards == Names{{"d", "a"}, {"e", "c", "b"}});
  CHECK(partition.load == std::vector<double>{15, 18});
  // Equal costs: the suite's order decides, and the lower shard takes a tie.
  auto ties =
      partition_scenarios({"a", "b", "c", "d"}, {}, {{"a", 5}, {"b", 5}, {"c", 5}, {"d", 5}}, 2);
  CHECK(ties.shards == Names{{"a", "c"}, {"b", "d"}});
}

TEST_CASE("shard: a scenario the basis lacks costs the mean of those it has") {
  // c: (10 + 2) / 2 = 6; a 10 -> 1, c 6 -> 2, b 2 -> 2.
  auto partition = partition_scenarios({"a", "b", "c"}, {}, {{"a", 10}, {"b", 2}}, 2);
  CHECK(partition.shards == Names{{"a"}, {"b", "c"}});
  CHECK(partition.load == std::vector<double>{10, 8});
}

TEST_CASE("shard: a claim's two scenarios land in one shard, by count and by cost") {
  auto by_count = partition_scenarios({"a", "b", "c", "d"}, {{"b", "a"}}, {}, 2);
  CHECK(by_count.shards == Names{{"a", "b"}, {"c", "d"}});  // round robin: a c / b d
  // Claims chain: a-c and c-d make one unit of 3 + 1 + 1 = 5 against b's 4.
  auto by_cost = partition_scenarios({"a", "b", "c", "d"}, {{"a", "c"}, {"d", "c"}, {"x", "a"}},
                                     {{"a", 3}, {"b", 4}, {"c", 1}, {"d", 1}}, 2);
  CHECK(by_cost.shards == Names{{"a", "c", "d"}, {"b"}});
}

TEST_CASE("shard: a shard with no scenario is refused, saying how many shards the suite fills") {
  auto partition = partition_scenarios({"a", "b"}, {}, {}, 3);
  CHECK(shard_of(partition, {2, 3}).scenarios == std::vector<std::string>{"b"});
  CHECK_THROWS_WITH(shard_of(partition, {3, 3}), Catch::Contains("shard 3 gets no scenario") &&
                                                     Catch::Contains("fill only 2 of 3") &&
                                                     Catch::Contains("--shard K/2"));
}

TEST_CASE("shard: a scenario's cost is its samples' seconds in the newest basis run holding it") {
  TempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  auto old_run = stored_run(store, {{"a", 100}, {"b", 7}});
  auto new_run = stored_run(store, {{"a", 3}});
  Sample startup = build_sample("a", 0);
  startup.kind = SampleKind::kStartup;
  startup.metrics = {{"startup_seconds", 0.5}, {"ready_seconds", 0.25}};
  store.add_sample(new_run, startup);
  Sample failed = build_sample("a", 0, SampleStatus::kFailed);
  failed.set("build_seconds", 2);  // time spent all the same
  store.add_sample(new_run, failed);
  auto cost = scenario_costs(store, {old_run, new_run});
  CHECK(cost == std::map<std::string, double>{{"a", 5.5}, {"b", 7}});
}

TEST_CASE("shard: every runner of a fleet balances on the same runs, however starts interleave") {
  TempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  CHECK(shard_basis(store, "s", {{"nightly", "2"}}, 2, "").empty());  // nothing yet: by count
  auto plain = stored_run(store, {{"a", 1}});
  CHECK(shard_basis(store, "s", {{"nightly", "2"}}, 2, "") == std::vector<std::int64_t>{plain});
  // Last night's fleet: two shards; the newest complete run is one, so both are the basis.
  ShardOptions first{1, 2, {"a"}, "cost", {plain}}, second{2, 2, {"b"}, "cost", {plain}};
  auto one = stored_run(store, {{"a", 1}}, {{"nightly", "1"}}, first);
  auto two = stored_run(store, {{"b", 1}}, {{"nightly", "1"}}, second);
  std::vector<std::int64_t> last_night{one, two};
  CHECK(shard_basis(store, "s", {{"nightly", "2"}}, 2, "") == last_night);
  // Tonight's shard 1 starts and finishes; an ad-hoc run completes; then shard 2 starts.
  first.basis_runs = last_night;
  stored_run(store, {{"a", 1}}, {{"nightly", "2"}}, first);
  auto ad_hoc = stored_run(store, {{"a", 9}}, {{"branch", "x"}});
  stored_run(store, {{"a", 1}}, {}, std::nullopt, "other-suite");
  CHECK(shard_basis(store, "s", {{"nightly", "2"}}, 2, "") == last_night);
  // Another fleet (other labels, or other N) chooses afresh.
  CHECK(shard_basis(store, "s", {{"nightly", "2"}}, 3, "") == std::vector<std::int64_t>{ad_hoc});
  // --shard-by pins it, to runs of this suite only.
  CHECK(shard_basis(store, "s", {{"nightly", "3"}}, 2, "nightly=1") == last_night);
  CHECK(shard_basis(store, "s", {}, 2, std::to_string(plain)) == std::vector<std::int64_t>{plain});
  CHECK_THROWS_WITH(shard_basis(store, "s", {}, 2, "latest"),
                    Catch::Contains("measured suite 'other-suite'"));
}

TEST_CASE("shard: the partition of a suite's selection, balanced on the database's last run") {
  Suite suite =
      load_suite(std::filesystem::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/basic");
  suite.claims.clear();  // basic's claim would keep its two scenarios together
  TempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  RunOptions options;
  options.labels = {{"fleet", "7"}};
  auto by_count = plan_partition(nullptr, suite, options, 2, "");
  CHECK(by_count.shards == Names{{"one"}, {"two"}});
  auto basis = stored_run(store, {{"one", 1}, {"two", 5}}, {}, std::nullopt, "basic");
  auto by_cost = plan_partition(&store, suite, options, 2, "");
  CHECK(by_cost.balanced_by == "cost");
  CHECK(by_cost.basis_runs == std::vector<std::int64_t>{basis});
  CHECK(by_cost.shards == Names{{"two"}, {"one"}});
  options.scenarios = {"two"};
  CHECK(plan_partition(&store, suite, options, 1, "").shards == Names{{"two"}});
}

TEST_CASE("shard: stored with the run's options and read back whole for --resume") {
  RunOptions options;
  options.scenarios = {"b", "d"};
  options.shard = ShardOptions{2, 4, {"b", "d"}, "cost", {17, 18}};
  auto stored = stored_form(options);
  CHECK(stored["shard"]["index"] == 2);
  CHECK(stored["shard"]["scenarios"] == nlohmann::json{"b", "d"});
  CHECK(read_stored_form(stored).shard == options.shard);
  CHECK_FALSE(read_stored_form(stored_form(RunOptions{})).shard);
}
