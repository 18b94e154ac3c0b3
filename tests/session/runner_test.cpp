#include "session/runner.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <catch2/catch.hpp>

#include "fake_engine.hpp"
#include "model/metrics.hpp"
#include "scenario/manifest.hpp"
#include "session/session_fixture.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

using namespace bb;
using bb::testing::basic_suite;
using bb::testing::FakeDockerEngine;
namespace fs = std::filesystem;

namespace {

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

using Harness = bb::testing::SessionHarness<Runner>;

}  // namespace

TEST_CASE("plan: repetitions outermost, a scenario's states together cold first, rotated") {
  Suite suite = basic_suite();
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 2;
  options.warmup = 1;
  options.states = {CacheState::kWarmDeps, CacheState::kCold};  // as a user may name them
  auto tasks = plan_tasks(suite, options);
  // per repetition: cold x 2 scenarios + warm-deps x 1 (only "one" has a deps edit)
  REQUIRE(tasks.size() == 9);
  CHECK(tasks[0].warmup);
  CHECK(tasks[0].scenario->name == "one");
  CHECK(tasks[0].state == CacheState::kCold);
  CHECK(tasks[1].scenario->name == "one");
  CHECK(tasks[1].state == CacheState::kWarmDeps);
  CHECK(tasks[2].scenario->name == "two");
  CHECK_FALSE(tasks[3].warmup);
  CHECK(tasks[3].repetition == 1);
  CHECK(tasks[3].scenario->name == "two");  // rotated
  CHECK(tasks[4].scenario->name == "one");
  CHECK(tasks[4].state == CacheState::kCold);
  CHECK(tasks[8].repetition == 2);
}

TEST_CASE("run: a scenario's warm states follow its cold build, so they prime on its cache") {
  Harness h;
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 1;
  options.states = {CacheState::kWarmNoChange, CacheState::kCold};
  auto run_id = h.runner.run(bb::testing::unclaimed_suite(), options);  // a claim pairs cold
  auto samples = h.store.samples({run_id}, false);
  std::vector<std::string> order;
  for (const auto& s : samples) order.push_back(s.sample.scenario + " " + s.sample.state);
  CHECK(order ==
        std::vector<std::string>{"one cold", "one warm-nochange", "two cold", "two warm-nochange"});
}

TEST_CASE("adaptive: once a scenario's cold group stops, its warm groups finish in that visit") {
  Harness h;
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> noisy(1.0, 2.0);
  h.engine.seconds_for = [&](const BuildRequest&) {
    const auto& calls = h.engine.calls;
    bool cold = calls.size() >= 2 && calls[calls.size() - 2].rfind("rmi ", 0) == 0;
    return cold ? 10.0 : noisy(rng);  // cold quiet, warm-code too noisy to stop early
  };
  RunOptions options;
  options.startup_runs = 0;
  options.scenarios = {"one", "two"};
  options.states = {CacheState::kCold, CacheState::kWarmCode};
  options.build_precision = 0.03;
  options.min_runs = 5;
  options.max_runs = 6;  // cold stops at 5, warm-code runs to 6
  // Without the suite's claim, whose pairs would take the cold builds out of these visits.
  auto run_id = h.runner.run(bb::testing::unclaimed_suite(), options);
  auto samples = h.store.samples({run_id}, false);
  std::map<std::string, int> count;
  std::vector<std::string> order;
  for (const auto& s : samples) {
    ++count[s.sample.scenario + " " + s.sample.state];
    order.push_back(s.sample.scenario + " " + s.sample.state);
  }
  CHECK(count["one cold"] == 5);
  CHECK(count["two cold"] == 5);
  CHECK(count["one warm-code"] == 6);
  CHECK(count["two warm-code"] == 6);
  // Each scenario's sixth warm-code follows its fifth right after its last cold build: no
  // later visit rebuilds the scenario only to prime it.
  for (std::string scenario : {"one", "two"}) {
    auto last_cold = std::find(order.rbegin(), order.rend(), scenario + " cold");
    auto at = order.size() - 1 - static_cast<std::size_t>(last_cold - order.rbegin());
    REQUIRE(at + 2 < order.size());
    CHECK(order[at + 1] == scenario + " warm-code");
    CHECK(order[at + 2] == scenario + " warm-code");
    CHECK(std::count(order.begin() + static_cast<long>(at), order.end(), scenario + " warm-code") ==
          2);
  }
}

TEST_CASE(
    "a rebuild's superseded image is removed when unused, the pre-run one too, and the tag's image "
    "stays") {
  Harness h;
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 3;
  options.scenarios = {"two"};
  options.states = {CacheState::kWarmCode};
  h.runner.run(basic_suite(), options);
  // The fake gives each build a new id, sha256:image1..N: all but the last are superseded.
  int built = h.engine.builds;
  REQUIRE(built == 6);  // a priming build and a measured one per sample
  std::vector<std::string> removed;
  for (const auto& call : h.engine.calls) {
    if (call.rfind("rmi-unused ", 0) == 0) removed.push_back(call.substr(11));
  }
  // First the image the tag named before the run (the fake's inspect answers with the tag
  // itself as the id): the first prime moved the tag off it.
  REQUIRE_FALSE(removed.empty());
  CHECK(removed.front().rfind("sha256:", 0) != 0);
  std::vector<std::string> expected = {removed.front()};
  for (int i = 1; i < built; ++i) expected.push_back("sha256:image" + std::to_string(i));
  CHECK(removed == expected);
}

TEST_CASE("plan: an unknown --scenario is a usage error with a suggestion") {
  RunOptions options;
  options.scenarios = {"onee"};
  CHECK_THROWS_WITH(plan_tasks(basic_suite(), options), Catch::Contains("did you mean 'one'?"));
}

TEST_CASE("cold samples prune the builder cache and remove the image before building") {
  Harness h;
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 1;
  options.scenarios = {"one"};
  options.states = {CacheState::kCold};
  h.runner.run(basic_suite(), options);
  auto prune = std::find(h.engine.calls.begin(), h.engine.calls.end(), "prune");
  REQUIRE(std::distance(prune, h.engine.calls.end()) >= 3);
  CHECK(prune[1].rfind("rmi buildbench/one-", 0) == 0);
  CHECK(prune[2].rfind("build buildbench/one-", 0) == 0);
}

TEST_CASE("warm-code primes, then edits a scratch copy, never the user's file") {
  Harness h;
  Suite suite = basic_suite();
  auto original = read(suite.scenarios[0].context / "app.py");
  h.engine.watch_file = "app.py";
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 2;
  options.scenarios = {"one"};
  options.states = {CacheState::kWarmCode};
  auto run_id = h.runner.run(suite, options);
  // priming build sees the content before the edit, the measured build after it
  REQUIRE(h.engine.built_contents.size() == 4);
  CHECK(h.engine.built_contents[0] == original);
  // {n} is the edit's number joined to the run's nonce: "# edit 1-<12 hex digits>".
  const auto& first = h.engine.built_contents[1];
  REQUIRE(first.size() == original.size() + std::string("# edit 1-0123456789ab\n").size());
  CHECK(first.rfind(original + "# edit 1-", 0) == 0);
  std::string nonce = first.substr(original.size() + 9, 12);
  CHECK(nonce.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(h.engine.built_contents[2] == first);
  CHECK(h.engine.built_contents[3] == first + "# edit 2-" + nonce + "\n");
  CHECK(read(suite.scenarios[0].context / "app.py") == original);
  auto samples = h.store.samples({run_id});
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].sample.state == "warm-code");
  CHECK(*samples[0].sample.get("image_bytes") == 1000);
  CHECK(*samples[0].sample.get("image_compressed_bytes") == 400);
  CHECK(h.store.run(run_id)->status == "complete");
}

TEST_CASE("figures the engine reports by catalog name are stored on the sample as they are") {
  Harness h;
  h.engine.reported_metrics = {{std::string(kContextBytes), 2048}};
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 1;
  options.scenarios = {"one"};
  options.states = {CacheState::kCold};
  auto run_id = h.runner.run(basic_suite(), options);
  auto samples = h.store.samples({run_id}, false);
  REQUIRE_FALSE(samples.empty());
  for (const auto& s : samples) {
    const double* bytes = s.sample.get(kContextBytes);
    REQUIRE(bytes != nullptr);
    CHECK(*bytes == 2048);
  }
}

TEST_CASE("a failed build is stored as a failed sample and the run goes on") {
  Harness h;
  h.engine.fail_builds = true;
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 1;
  options.states = {CacheState::kCold};
  auto run_id = h.runner.run(basic_suite(), options);
  auto samples = h.store.samples({run_id});
  REQUIRE(samples.size() == 2);
  for (const auto& s : samples) {
    CHECK(s.sample.status == SampleStatus::kFailed);
    CHECK(s.sample.error.find("exit code: 3") != std::string::npos);
  }
}

TEST_CASE("an interrupt stops the run, keeps what was stored and marks it interrupted") {
  Harness h;
  int builds = 0;
  h.engine.on_build = [&] {
    if (++builds == 2) interrupt::request_for_test(2);
  };
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 3;
  options.states = {CacheState::kCold};
  CHECK_THROWS_AS(h.runner.run(basic_suite(), options), Interrupted);
  interrupt::reset_for_test();
  auto runs = h.store.runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == "interrupted");
  auto samples = h.store.samples({runs[0].id});
  CHECK(samples.size() == 2);  // both finished samples stored, none after the interrupt
}

std::vector<std::string> requirement_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line[0] != '#') lines.push_back(line);
  }
  return lines;
}

TEST_CASE("swap edits alternate the dependency set and carry a token new to the builder") {
  Harness h;
  Suite suite = load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/swap");
  h.engine.watch_file = "deps.txt";
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 2;
  options.states = {CacheState::kWarmDeps};
  h.runner.run(suite, options);
  REQUIRE(h.engine.built_contents.size() == 4);
  using Lines = std::vector<std::string>;
  CHECK(requirement_lines(h.engine.built_contents[0]) == Lines{"a==1"});          // priming
  CHECK(requirement_lines(h.engine.built_contents[1]) == Lines{"a==1", "b==2"});  // added
  CHECK(h.engine.built_contents[2] == h.engine.built_contents[1]);                // priming
  CHECK(requirement_lines(h.engine.built_contents[3]) == Lines{"a==1"});          // removed
  // ...but not the content of the first build: the edit's comment makes it new.
  CHECK(h.engine.built_contents[3] != h.engine.built_contents[0]);
  CHECK(h.engine.built_contents[3].find("# buildbench dependency edit 2-") != std::string::npos);
  CHECK(read(suite.scenarios[0].context / "deps.txt") == "a==1\n");  // user's file untouched
  // The second sample swaps back to content built in the same cache lifetime; a multi-stage
  // export would serve it from cache whatever the token, so the builder is emptied first.
  std::vector<std::string> kinds;
  for (const auto& call : h.engine.calls) {
    if (call == "prune" || call.rfind("build ", 0) == 0)
      kinds.push_back(call == "prune" ? "prune" : "build");
  }
  // The first, too: the builder may hold both sides from before the run.
  CHECK(kinds == std::vector<std::string>{"prune", "build", "build", "prune", "build", "build"});
}

TEST_CASE("a swap edit after a cold build needs no prune of its own") {
  Harness h;
  Suite suite = load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/swap");
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 2;
  options.states = {CacheState::kCold, CacheState::kWarmDeps};
  h.runner.run(suite, options);
  // Each round: the cold build's prune, its build, then warm-deps' prime and build.
  int prunes = static_cast<int>(std::count(h.engine.calls.begin(), h.engine.calls.end(), "prune"));
  CHECK(prunes == 2);
  CHECK(h.engine.builds == 6);
}

TEST_CASE("a warm sample with more steps from cache than its group's first one is failed") {
  Harness h;
  h.engine.partly_cached = {4};  // prime, measured, prime, measured: the second measured
  RunOptions options;
  options.startup_runs = 0;
  options.scenarios = {"one"};
  options.states = {CacheState::kWarmDeps};
  options.runs = 2;
  auto run_id = h.runner.run(basic_suite(), options);
  auto samples = h.store.samples({run_id});
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].sample.status == SampleStatus::kOk);
  CHECK(samples[1].sample.status == SampleStatus::kFailed);
  CHECK(samples[1].sample.error ==
        "1 RUN step(s) from cache, 0 in this group's other samples: part of the rebuild was "
        "served by an earlier build of the same content, so it did not measure warm-deps");
}

TEST_CASE("warm edits stay new across repetitions and runs: no sample is a cache hit") {
  // One engine (one builder cache) for two runs, no cold state in between: the case where
  // a swap alone or a per-run counter rebuilt content the builder had already cached.
  Harness h;
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 3;
  options.states = {CacheState::kWarmCode, CacheState::kWarmDeps};
  for (int run = 0; run < 2; ++run) {
    Runner runner{h.engine, h.store, h.progress};
    auto run_id = runner.run(basic_suite(), options);
    auto samples = h.store.samples({run_id});
    // warm-code on both scenarios and warm-deps on "one", 3 times each: the loop below
    // must have samples to judge.
    REQUIRE(samples.size() == 9);
    for (const auto& stored : samples) {
      INFO(stored.sample.scenario << " " << stored.sample.state << ": " << stored.sample.error);
      CHECK(stored.sample.status == SampleStatus::kOk);
    }
  }
}

TEST_CASE("a warm sample served from cache is stored as failed with the reason") {
  Harness h;
  RunOptions options;
  options.startup_runs = 0;
  options.runs = 1;
  options.scenarios = {"one"};
  options.states = {CacheState::kWarmCode};
  // The builder answers every build from cache: the edit never reaches it.
  h.engine.on_build = [&] { h.engine.seen.clear(); };
  h.engine.always_cached = true;
  auto run_id = h.runner.run(basic_suite(), options);
  auto samples = h.store.samples({run_id});
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].sample.status == SampleStatus::kFailed);
  CHECK(samples[0].sample.error == "code edit did not invalidate `COPY . .`: served from cache");
}

std::vector<Sample> startup_samples(Harness& h, std::int64_t run_id) {
  std::vector<Sample> startup;
  for (auto& s : h.store.samples({run_id})) {
    if (s.sample.kind == SampleKind::kStartup) startup.push_back(s.sample);
  }
  return startup;
}

RunOptions startup_options(int runs) {
  RunOptions options;
  options.runs = 1;
  options.states = {CacheState::kCold};
  options.startup_runs = runs;
  return options;
}

TEST_CASE("start-up: a Python service (found by the probe) gets both modes, interleaved") {
  Harness h;
  auto run_id = h.runner.run(basic_suite(), startup_options(2));
  auto startup = startup_samples(h, run_id);
  REQUIRE(startup.size() == 8);  // 2 scenarios x 2 modes x 2 repetitions
  CHECK(startup[0].state == "as-built");
  CHECK(startup[1].state == "no-bytecode");
  CHECK(startup[4].state == "no-bytecode");  // second repetition starts with the other mode
  for (const auto& s : startup) {
    CHECK(s.status == SampleStatus::kOk);
    CHECK(*s.get("startup_seconds") == 0.5);
    CHECK(*s.get("ready_seconds") == Approx(0.3));   // stamp to ready line, not a difference
    CHECK(s.get("startup_net_seconds") == nullptr);  // no baseline container any more
    CHECK(*s.get("interpreter_ready_seconds") == Approx(0.4));
    CHECK(*s.get("modules_compiled") == 10);
    CHECK(*s.get("stop_seconds") < 1);
  }
  // One unmeasured start per scenario asked the probe; then 8 measured ones.
  REQUIRE(h.engine.created.size() == 10);
  int hidden = 0;
  for (const auto& spec : h.engine.created) {
    // The stamp runs first, then the image's own command.
    CHECK(spec.entrypoint == "/opt/buildbench-start/buildbench-start");
    CHECK(spec.command == std::vector<std::string>{"python", "app.py"});
    CHECK(spec.env.at("PYTHONPATH").rfind("/opt/buildbench-probe", 0) == 0);
    hidden += spec.env.count("PYTHONPYCACHEPREFIX") && spec.env.count("PYTHONDONTWRITEBYTECODE");
  }
  CHECK(hidden == 4);
  for (const auto& watch : h.engine.watches) {
    CHECK(watch.linger == std::chrono::milliseconds(500));  // never until the timeout
    CHECK(watch.markers == std::vector<std::string>{"buildbench-start:", "buildbench-inside:"});
  }
  CHECK(h.engine.removed.size() == h.engine.created.size());
}

TEST_CASE("start-up: a service that is not Python is measured as built only, without the probe") {
  Harness h;
  h.engine.python_service = false;
  auto run_id = h.runner.run(basic_suite(), startup_options(2));
  auto startup = startup_samples(h, run_id);
  REQUIRE(startup.size() == 4);  // 2 scenarios x as-built x 2 repetitions
  for (const auto& s : startup) {
    CHECK(s.state == "as-built");
    CHECK(*s.get("ready_seconds") == Approx(0.3));
    CHECK(s.get("interpreter_ready_seconds") == nullptr);
  }
  REQUIRE(h.engine.created.size() == 6);
  for (std::size_t i = 2; i < h.engine.created.size(); ++i) {  // after the two detections
    CHECK(h.engine.created[i].env.count("PYTHONPATH") == 0);
    CHECK(h.engine.created[i].readonly_mounts.size() == 1);  // the stamp only
    CHECK(h.engine.watches[i].markers == std::vector<std::string>{"buildbench-start:"});
  }
}

TEST_CASE("start-up: modes named by the scenario are used as given, with the suite's own") {
  Harness h;
  Suite suite = load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/modes");
  auto run_id = h.runner.run(suite, startup_options(2));
  auto startup = startup_samples(h, run_id);
  REQUIRE(startup.size() == 4);
  CHECK(startup[0].state == "as-built");
  CHECK(startup[1].state == "debug-off");
  CHECK(startup[2].state == "debug-off");
  REQUIRE(h.engine.created.size() == 4);  // nothing detected: no unmeasured start
  const auto& debug_off = h.engine.created[1];
  CHECK(debug_off.env.at("APP_DEBUG") == "0");
  CHECK(debug_off.env.count("PYTHONPATH") == 0);
  bool mounted = false;
  for (const auto& [host, target] : debug_off.readonly_mounts) {
    mounted |= target == "/etc/app.conf" && fs::path(host).filename() == "app.conf";
  }
  CHECK(mounted);
}

TEST_CASE("start-up: a container that never gets ready is a failed sample with its output") {
  Harness h;
  h.engine.never_ready = true;
  RunOptions options = startup_options(1);
  options.scenarios = {"one"};
  auto run_id = h.runner.run(basic_suite(), options);
  auto startup = startup_samples(h, run_id);
  REQUIRE(startup.size() == 1);  // never ready, so the probe could not say Python
  CHECK(startup[0].status == SampleStatus::kFailed);
  CHECK(startup[0].error.find("Booting worker") != std::string::npos);
  CHECK(h.engine.removed.size() == h.engine.created.size());
}

TEST_CASE("ready time: a stamp after the ready line (a clock step) fails the sample") {
  Harness h;
  h.engine.ready_seconds = -0.002;
  RunOptions options = startup_options(1);
  options.scenarios = {"one"};
  auto startup = startup_samples(h, h.runner.run(basic_suite(), options));
  REQUIRE_FALSE(startup.empty());
  CHECK(startup[0].status == SampleStatus::kFailed);
  CHECK(startup[0].error.find("clock was stepped") != std::string::npos);
  CHECK(startup[0].get("ready_seconds") == nullptr);
}

TEST_CASE("resume takes only the samples an interrupted run is missing") {
  Harness h;
  int builds = 0;
  h.engine.on_build = [&] {
    if (++builds == 3) interrupt::request_for_test(15);
  };
  RunOptions options;
  options.runs = 2;
  options.states = {CacheState::kCold};
  options.startup_runs = 1;
  Suite suite = bb::testing::unclaimed_suite();  // claim pairs resume: claim_pairs_test
  CHECK_THROWS_AS(h.runner.run(suite, options), Interrupted);
  interrupt::reset_for_test();
  auto run = h.store.runs().at(0);
  REQUIRE(run.status == "interrupted");
  auto before = h.store.samples({run.id});
  CHECK(before.size() == 3);  // the fake finishes the build during which Ctrl-C came
  h.engine.on_build = nullptr;
  int builds_before = h.engine.builds;
  auto resumed = resumed_options(run, {});
  CHECK(resumed.runs == 2);
  CHECK(resumed.startup_runs == 1);
  REQUIRE(resumed.states.size() == 1);
  auto id = h.runner.run(suite, resumed);
  CHECK(id == run.id);
  CHECK(h.store.run(id)->status == "complete");
  auto after = h.store.samples({id});
  // 2 scenarios x 2 cold repetitions + 2 scenarios x 2 modes x 1 start-up
  CHECK(after.size() == 8);
  CHECK(h.engine.builds - builds_before == 1);  // only the missing build was taken
  for (const auto& s : after) CHECK(s.sample.status == SampleStatus::kOk);
}

TEST_CASE("a daemon that dies stops the run but earlier samples stay and the run is failed") {
  Harness h;
  int builds = 0;
  h.engine.on_build = [&] {
    if (++builds == 2) {
      h.engine.fail_builds = true;
      h.engine.daemon_alive = false;
    }
  };
  RunOptions options;
  options.runs = 3;
  options.states = {CacheState::kCold};
  options.startup_runs = 0;
  CHECK_THROWS_WITH(h.runner.run(basic_suite(), options),
                    Catch::Contains("stopped answering") && Catch::Contains("--resume"));
  auto run = h.store.runs().at(0);
  CHECK(run.status == "failed");
  auto samples = h.store.samples({run.id});
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].sample.status == SampleStatus::kOk);
  CHECK(samples[1].sample.status == SampleStatus::kFailed);
  CHECK(samples[1].sample.error.find("the Docker daemon stopped answering") == 0);
}

TEST_CASE("resume keeps the resuming command's secrets and the defaults of RunOptions") {
  RunRecord run;
  run.id = 7;
  run.options = {{"runs", 2}};
  RunOptions given;
  given.secrets = {"id=token,src=/run/secrets/token"};
  auto resumed = resumed_options(run, given);
  CHECK(resumed.secrets == given.secrets);
  CHECK(resumed.runs == 2);
  CHECK(resumed.startup_runs == RunOptions{}.startup_runs);  // not a second default
  CHECK(resumed.build_timeout == RunOptions{}.build_timeout);
  CHECK(*resumed.resume == 7);
}

TEST_CASE("image tags are derived by a stable hash: the same with every toolchain") {
  Scenario scenario;
  scenario.name = "final";
  // FNV-1a 64 of "final", low 32 bits: fixed, unlike std::hash.
  CHECK(image_tag(scenario) == "buildbench/final-22a76537:latest");
  scenario.name = "a b/c";
  CHECK(image_tag(scenario).rfind("buildbench/a-b-c-", 0) == 0);
}

TEST_CASE("a run resumes under the stopping rule it was recorded with") {
  RunRecord old_run;
  old_run.id = 3;
  old_run.options = {{"build_precision", 0.03}};  // recorded before the t stand-in
  CHECK_FALSE(resumed_options(old_run, {}).student_t);
  CHECK_FALSE(group_target(resumed_options(old_run, {}), {"a", SampleKind::kBuild, "cold"}, false)
                  .student_t);
  RunOptions now;
  now.build_precision = 0.03;
  RunRecord new_run;
  new_run.id = 4;
  new_run.options = stored_form(now);
  CHECK(new_run.options.value("stand_in", "") == "student-t");
  CHECK(resumed_options(new_run, {}).student_t);
  // A resumed old run keeps its record's rule: no stand_in is written for it.
  CHECK_FALSE(stored_form(resumed_options(old_run, {})).contains("stand_in"));
}

TEST_CASE("a claim's build groups aim at the claim's target, the others at the run's") {
  RunOptions options;
  options.build_precision = 0.10;
  options.min_runs = 3;
  options.max_runs = 4;
  options.claim_precision = 0.03;
  options.claim_max_runs = 6;
  GroupTarget other = group_target(options, {"a", SampleKind::kBuild, "cold"}, false);
  CHECK(other.precision == 0.10);
  CHECK(other.min_runs == 3);
  CHECK(other.max_runs == 4);
  GroupTarget claimed = group_target(options, {"a", SampleKind::kBuild, "cold"}, true);
  CHECK(claimed.precision == 0.03);
  CHECK(claimed.min_runs == 5);  // claim_min_runs: decidable by an exact U test
  CHECK(claimed.max_runs == 6);
  // Start-ups keep their own target; a claim raises only their minimum.
  options.startup_precision = 0.05;
  CHECK(group_target(options, {"a", SampleKind::kStartup, "as-built"}, true).precision == 0.05);
  // Unset, a claim's groups take the run's target; set, it survives a resume.
  options.claim_precision = 0;
  options.claim_max_runs = 0;
  CHECK(group_target(options, {"a", SampleKind::kBuild, "cold"}, true).precision == 0.10);
  CHECK(group_target(options, {"a", SampleKind::kBuild, "cold"}, true).max_runs == 5);
  RunOptions tight = options;
  tight.claim_precision = 0.03;
  tight.claim_max_runs = 6;
  RunRecord record;
  record.id = 5;
  record.options = stored_form(tight);
  auto resumed = resumed_options(record, {});
  CHECK(resumed.claim_precision == 0.03);
  CHECK(resumed.claim_max_runs == 6);
  CHECK_FALSE(stored_form(options).contains("claim_precision"));
}

TEST_CASE("layer statistics are taken from a scenario's cold image only, when it has one") {
  Harness h;
  RunOptions options;
  options.startup_runs = 0;
  options.scenarios = {"one"};
  options.runs = 2;
  auto run_id = h.runner.run(basic_suite(), options);
  int saves = static_cast<int>(
      std::count_if(h.engine.calls.begin(), h.engine.calls.end(),
                    [](const std::string& c) { return c.rfind("layers ", 0) == 0; }));
  CHECK(saves == 1);  // the first cold image; an edit's image differs by the edit alone
  for (const auto& stored : h.store.samples({run_id})) {
    INFO(stored.sample.state);
    CHECK(stored.sample.get(kImageBytes));  // every image gets its size
  }
  // Without a cold group, each state's first image is measured.
  Harness warm;
  options.states = {CacheState::kWarmCode};
  warm.runner.run(basic_suite(), options);
  CHECK(std::count_if(warm.engine.calls.begin(), warm.engine.calls.end(),
                      [](const std::string& c) { return c.rfind("layers ", 0) == 0; }) == 1);
}
