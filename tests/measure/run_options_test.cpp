#include "measure/run_options.hpp"

#include <catch2/catch.hpp>

using namespace bb;

namespace {

// Every field away from its default: a field the stored form forgets comes back different.
RunOptions unusual() {
  RunOptions o;
  o.scenarios = {"final", "step-1"};
  o.states = {CacheState::kWarmDeps, CacheState::kCold};
  o.runs = 7;
  o.build_precision = 0.04;
  o.claim_precision = 0.02;
  o.claim_max_runs = 9;
  o.startup_precision = 0.06;
  o.build_precision_floor = 0.025;
  o.student_t = false;
  o.min_runs = 4;
  o.max_runs = 11;
  o.startup_min_runs = 10;
  o.claim_min_runs = 6;
  o.warmup = 2;
  o.labels = {{"branch", "main"}};
  o.secrets = {"id=token,src=/run/secrets/token"};
  o.build_timeout = std::chrono::milliseconds(123456);
  o.image_stats = false;
  o.startup_runs = 17;
  o.startup_timeout = std::chrono::milliseconds(4500);
  o.image_variant = "candidate";
  o.command = "buildbench run --runs 7";
  o.resume = 42;
  o.registry = "127.0.0.1:5000";
  o.network_profile = "ci";
  o.pull_engine = "unix:///var/run/buildbench-pull.sock";
  o.pull_onto = "empty";
  o.budget = std::chrono::minutes(30);
  o.shard = ShardOptions{2, 4, {"final"}, "cost", {17}};
  o.testbed = "rack-3";
  return o;
}

}  // namespace

// A new field changes the size: add it to stored_form, read_stored_form and unusual() above,
// then this number (libstdc++ on x86-64, the only toolchain the project builds with).
static_assert(sizeof(RunOptions) == 576, "RunOptions changed: round-trip its new field");

TEST_CASE("run options round-trip whole through the stored form") {
  RunOptions given = unusual();
  RunRecord record;
  record.id = 42;
  record.options = stored_form(given);
  record.labels = given.labels;
  record.command = given.command;
  CHECK_FALSE(record.options.dump().find("token") != std::string::npos);  // never stored
  RunOptions back = resumed_options(record, given);
  CHECK(back == given);
  // The secrets come from the resuming command, not the record.
  CHECK(resumed_options(record, RunOptions{}).secrets.empty());
}

TEST_CASE("a run recorded before a key resumes with what it had in effect") {
  RunRecord old;
  old.id = 3;
  old.options = {{"runs", 2}, {"build_precision", 0.03}};
  auto o = resumed_options(old, {});
  CHECK(o.runs == 2);
  CHECK_FALSE(o.student_t);        // before the t stand-in: 1.96
  CHECK(o.pull_onto == "empty");   // before --pull-onto: an empty pull engine
  CHECK(o.startup_min_runs == 8);  // the default
  CHECK(o.network_profile == "loopback");
  CHECK(*o.resume == 3);
}

TEST_CASE("a run recorded before the lab's keys resumes with the resuming command's lab") {
  RunRecord old;
  old.id = 4;
  old.options = {{"runs", 2}};
  RunOptions given;
  given.registry = "127.0.0.1:5000";
  given.pull_engine = "unix:///var/run/buildbench-pull.sock";
  given.network_profile = "ci";
  auto o = resumed_options(old, given);
  CHECK(o.registry == given.registry);
  CHECK(o.pull_engine == given.pull_engine);
  CHECK(o.network_profile == "ci");
  old.options["network_profile"] = "loopback";  // recorded: the record wins
  CHECK(resumed_options(old, given).network_profile == "loopback");
}
