#include "progress/eta.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <catch2/catch.hpp>

#include "docker/rawjson.hpp"
#include "model/metrics.hpp"
#include "scenario/manifest.hpp"
#include "session/plan.hpp"
#include "session/runner.hpp"
#include "stats/stopping.hpp"
#include "util/text.hpp"

using namespace bb;
namespace fs = std::filesystem;

namespace {

// A scripts/bench run, one line a sample in the order taken: what the store held, reduced to
// what the ETA reads. bench-2026-11-25: fresh clone of 9ecc75f, 322 samples; bench-2026-11-26:
// fresh clone of ed6279a (the +-20 ms floor, warm groups finished in one visit);
// bench-2026-11-26b: fresh clone of b2dbe41, 313 samples (a claim's groups +-3% in 5..6, the
// others +-10% in 3..4, Student's t below six); bench-2026-11-26c: fresh clone of 9f91578, 287
// samples (the others 3 times; its pull column is pull_onto_base_seconds).
std::vector<Sample> recorded_bench(const std::string& name) {
  std::ifstream in(fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/runs" / (name + ".csv"));
  std::vector<Sample> samples;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    auto f = split(line, ',');
    for (auto& field : f)
      if (field == "\"\"") field.clear();  // sqlite3 -csv writes an empty value as ""
    Sample s;
    s.scenario = f[0];
    s.kind = *parse_sample_kind(f[1]);
    s.state = f[2];
    s.warmup = f[3] == "1";
    s.status = *parse_sample_status(f[4]);
    s.started_at = f[5];
    if (!f[6].empty())
      s.set(s.kind == SampleKind::kBuild ? kBuildSeconds : kReadySeconds, std::stod(f[6]));
    if (!f[7].empty()) s.set(kPushSeconds, std::stod(f[7]));
    if (!f[8].empty()) s.set(kPullSeconds, std::stod(f[8]));
    samples.push_back(s);
  }
  return samples;
}

// The design a recorded job ran under (scripts/bench's of its day).
struct Recorded {
  const char* name;
  double floor = 0;           // seconds
  bool claim_target = false;  // claims' groups +-3% in 5..6, others +-10% in 3..unclaimed_max
  bool student_t = false;     // the stand-in rule that stopped its groups below six
  int unclaimed_max = 4;
};

RunOptions design_of(const Recorded& recorded) {
  RunOptions options;
  options.build_precision = 0.03;
  options.build_precision_floor = recorded.floor;
  options.min_runs = 3;
  options.max_runs = 6;
  if (recorded.claim_target) {
    options.build_precision = 0.10;
    options.max_runs = recorded.unclaimed_max;
    options.claim_precision = 0.03;
    options.claim_max_runs = 6;
  }
  options.student_t = recorded.student_t;
  options.startup_precision = 0.05;
  options.startup_runs = 20;
  return options;
}

const Suite& hermetic() {
  static const Suite suite = load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/hermetic");
  return suite;
}

// What the ETA knows of the plan: scripts/bench's design, the suite's claims, and the suite's
// last run (`last`, empty for none): each group's repetitions and each kind's task time.
EtaReplay replay(const std::vector<Sample>& samples, const RunOptions& options,
                 const std::vector<Sample>& last = {}) {
  const Suite& suite = hermetic();
  std::map<GroupKey, int> repetitions;
  std::vector<StoredSample> stored;
  for (const auto& s : last) {
    if (!s.warmup) ++repetitions[GroupKey::of(s)];
    stored.push_back({0, 0, s});
  }
  return replay_eta(
      samples,
      eta_groups(single_units(suite, options), options, claimed_groups(suite), repetitions),
      last.empty() ? std::map<std::string, double>{} : mean_task_seconds(stored));
}

std::string at(double seconds) {
  return std::to_string(static_cast<int>(seconds / 60)) + " min " +
         std::to_string(static_cast<int>(seconds) % 60) + " s";
}

// Each prediction from 10% of the run on within [low, high] of the real end (relative); the
// largest error.
double check_within(const EtaReplay& run, double low, double high) {
  for (const auto& point : run.points) {
    if (point.elapsed < 0.1 * run.total) continue;
    INFO("at " << at(point.elapsed) << " of " << at(run.total) << " the ETA said the job ends at "
               << at(point.predicted_end));
    double error = (point.predicted_end - run.total) / run.total;
    CHECK(error >= low);
    CHECK(error <= high);
  }
  return run.largest_error_after(0.10);
}

// An RFC 3339 time with milliseconds, what the store keeps of a sample's start.
std::string stamp(double seconds) {
  auto whole = static_cast<long long>(std::floor(seconds));
  auto text = iso8601_utc(std::chrono::system_clock::time_point(std::chrono::seconds(whole)));
  auto millis = static_cast<int>(std::llround((seconds - whole) * 1000)) % 1000;
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", millis);
  return text.substr(0, text.size() - 1) + fraction;
}

// A slow, noisy machine's main job, as the one in issue 29 (builds 1.7 times slower than the
// 13:11 job of 2026-11-26, start-ups about twice as long with a spread of 15%, so every
// start-up group runs to its maximum of 20), made deterministically: the recorded builds of
// bench-2026-11-26c stretched, then the start-up visits the plan makes (rounds of the units
// rotated, modes alternating), each group's values drawn until the stopping rule ends it.
std::vector<Sample> slow_machine_run(const RunOptions& options) {
  std::vector<Sample> samples;
  auto recorded = recorded_bench("bench-2026-11-26c");
  double first = *parse_rfc3339(recorded.front().started_at), clock = first;
  const double slower = 1.7;
  for (std::size_t i = 0; i < recorded.size() && recorded[i].kind == SampleKind::kBuild; ++i) {
    Sample s = recorded[i];
    double at = first + slower * (*parse_rfc3339(s.started_at) - first);
    s.started_at = stamp(at);
    for (auto metric : {kBuildSeconds, kPushSeconds, kPullSeconds})
      if (const double* v = s.get(metric)) s.set(metric, slower * *v);
    samples.push_back(s);
    clock = at;
  }
  clock += slower * 60 + 20;  // the last build, then the start-up tools and detection
  std::uint64_t state = 29;   // a fixed linear congruential sequence: the same run every time
  auto uniform = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(state >> 11) / 9007199254740992.0;
  };
  auto noise = [&] {  // about normal: the sum of twelve uniforms, minus six
    double sum = 0;
    for (int i = 0; i < 12; ++i) sum += uniform();
    return sum - 6;
  };
  const Suite& suite = hermetic();
  std::vector<const Unit*> units;
  auto all = single_units(suite, options);
  for (const auto& unit : all) units.push_back(&unit);
  GroupTally tally;
  auto claimed = claimed_groups(suite);
  for (int round = 1; round <= options.startup_runs; ++round) {
    auto order = units;
    std::rotate(order.begin(), order.begin() + (round - 1) % order.size(), order.end());
    for (const Unit* unit : order) {
      std::vector<std::string> modes = {"as-built", "no-bytecode"};
      if (round % 2 == 0) std::swap(modes[0], modes[1]);
      for (const auto& mode : modes) {
        GroupKey key{unit->name(), SampleKind::kStartup, mode};
        if (!needs_more(tally.values(key), tally.attempts(key),
                        group_target(options, key, claimed.count(key) > 0)))
          continue;
        double ready = (mode == "as-built" ? 1.4 : 1.9) * (1 + 0.15 * noise());
        Sample s;
        s.scenario = unit->name();
        s.kind = SampleKind::kStartup;
        s.state = mode;
        s.status = SampleStatus::kOk;
        s.started_at = stamp(clock);
        s.set(kReadySeconds, ready);
        samples.push_back(s);
        tally.add(key, true, ready);
        clock += ready + 0.9;  // create before, kill and remove after: twice the lab's
      }
    }
  }
  return samples;
}

}  // namespace

// The lab's jobs, replayed without a last run: groups with nothing to go by are planned at
// their maximum, so on this quick machine the first round's ETA is long (start-ups at 20 each,
// timed as fully cached builds until one is timed; claimed build groups at 6). Asserted: never
// short by more than 25% (the defect), and within +80% (the figure for the record).
TEST_CASE("ETA replayed on recorded main jobs: never 25% short once 10% is done") {
  auto recorded = GENERATE(Recorded{"bench-2026-11-25"}, Recorded{"bench-2026-11-26", 0.02},
                           Recorded{"bench-2026-11-26b", 0.02, true, true},
                           Recorded{"bench-2026-11-26c", 0.02, true, true, 3});
  std::string name = recorded.name;
  INFO(name);
  auto run = replay(recorded_bench(name), design_of(recorded));
  REQUIRE(run.total > 1200);  // each recorded job measured for more than 20 minutes
  double worst = check_within(run, -0.25, 0.80);
  // The figure for the record (run with -s to see it).
  WARN("largest ETA error after 10% of " << name << ": " << worst * 100 << "%");
}

TEST_CASE("ETA on a slow, noisy machine: start-ups at their maximum are expected from the start") {
  auto options = design_of({"slow", 0.02, true, true, 3});
  auto samples = slow_machine_run(options);
  int startups =
      static_cast<int>(std::count_if(samples.begin(), samples.end(), [](const Sample& s) {
        return s.kind == SampleKind::kStartup;
      }));
  REQUIRE(startups == 18 * 20);  // the noise ran every start-up group to its maximum
  auto run = replay(samples, options);
  REQUIRE(run.total > 3000);
  double worst = check_within(run, -0.25, 0.25);
  WARN("largest ETA error after 10% of the slow machine's run: " << worst * 100 << "%");
  // The counter's total from the first minute on: never short by the start-ups (issue 29's
  // jumped from ~276 to ~492 when they began), and never below what has been taken.
  for (std::size_t i = 0; i < run.points.size(); ++i) {
    const auto& point = run.points[i];
    if (point.elapsed < 60) continue;
    INFO("after sample " << i + 1 << " at " << at(point.elapsed));
    CHECK(point.predicted_tasks >= static_cast<int>(i + 1));
    CHECK(std::abs(point.predicted_tasks - run.tasks) <= 0.10 * run.tasks);
  }
}

TEST_CASE("ETA replay: the error at a share of the run, and the largest after it") {
  EtaReplay run;
  run.total = 100;
  run.tasks = 4;
  run.points = {{5, 50, 4}, {20, 130, 4}, {60, 90, 4}};
  CHECK(std::isnan(run.error_at(0.01)));                // nothing finished by 1 s
  CHECK(run.error_at(0.10) == Approx(-0.5));            // the point at 5 s
  CHECK(run.error_at(0.50) == Approx(0.3));             // the point at 20 s
  CHECK(run.largest_error_after(0.10) == Approx(0.3));  // 5 s is before 10%
  CHECK(run.largest_error_after(0.0) == Approx(-0.5));
}

TEST_CASE("expected work: a group with no value yet borrows its kind's need, floor included") {
  GroupTarget target{3, 6, 0.03, 0.020};  // +-3% or +-20 ms, whichever is wider
  GroupTally::Key measured{"a", SampleKind::kBuild, "warm-nochange"},
      pending{"b", SampleKind::kBuild, "warm-nochange"};
  std::vector<GroupWork> groups = {{measured, "warm-nochange", target},
                                   {pending, "warm-nochange", target}};
  GroupTally tally;
  for (double v : {0.150, 0.165, 0.158}) tally.add(measured, true, v);  // ~150 ms, 5% spread
  // Each needs 4 values: +-20 ms is 12.7% of 158 ms, and t(3) puts four within it. Judged
  // against 3% alone, the pending group would be expected to run to the maximum of 6.
  CHECK(expected_work(groups, tally).at("warm-nochange") == 1 + 4);
}

TEST_CASE("expected work: start-ups at their maximum until a group of theirs has two values") {
  GroupTarget target{8, 20, 0.05};
  GroupTally::Key a{"a", SampleKind::kStartup, "as-built"},
      b{"b", SampleKind::kStartup, "as-built"}, c{"c", SampleKind::kStartup, "no-bytecode"};
  std::vector<GroupWork> groups = {
      {a, "startup", target}, {b, "startup", target}, {c, "startup", target}};
  GroupTally tally;
  CHECK(expected_work(groups, tally).at("startup") == 3 * 20);  // nothing to go by: the maximum
  tally.add(a, true, 0.5);
  CHECK(expected_work(groups, tally).at("startup") == 19 + 2 * 20);  // one value: no spread yet
  tally.add(a, true, 0.5);
  // a's two equal values need no more than the minimum: a 6 more, b by its mode's pool 8, and c,
  // whose mode has no pool yet, by every start-up's 8.
  CHECK(expected_work(groups, tally).at("startup") == 6 + 8 + 8);
  // The suite's last run speaks only where this run's groups do not.
  groups[2].prior = 12;
  CHECK(expected_work(groups, tally).at("startup") == 6 + 8 + 8);
}

TEST_CASE("a budget plans an untimed start-up at the mean task, not the ETA's cached-build guess") {
  EtaModel eta;
  CHECK(std::isnan(eta.planning_seconds("startup")));
  eta.timed("warm-nochange", 0.25);
  eta.timed("cold", 19.75);
  // The ETA's first guess for a start-up is a cached build; the budget's is every task's mean.
  CHECK(eta.seconds_left({{"startup", 1}}) == Approx(0.25));
  CHECK(eta.planning_seconds("startup") == Approx(10.0));
  eta.prior({{"startup", 2.0}});
  CHECK(eta.planning_seconds("startup") == Approx(2.0));  // the last run's, once known
  eta.timed("startup", 3.0);
  CHECK(eta.planning_seconds("startup") == Approx(3.0));  // this run's, once timed
  CHECK(eta.planning_seconds("cold") == Approx(19.75));
  // A fresh runner's build, untimed, is at least a cold build: not the mean task.
  CHECK(eta.planning_seconds("cold-pull") == Approx(19.75));
  eta.timed("cold-pull", 50);
  CHECK(eta.planning_seconds("cold-pull") == Approx(50));
}

TEST_CASE("ETA replay of a budgeted run: the predicted end is capped at the budget") {
  // Ten cold builds of 10 s each into a group that still wants 100 more: uncapped, the end
  // is predicted some 1 000 s out; a 120 s budget ends the run by then, and the ETA says so.
  std::vector<Sample> samples;
  for (int i = 0; i < 10; ++i) {
    Sample s;
    s.scenario = "a";
    s.kind = SampleKind::kBuild;
    s.state = "cold";
    s.repetition = i + 1;
    s.started_at = stamp(1'700'000'000.0 + 10 * i);
    s.set("build_seconds", 10 + 0.01 * i);
    samples.push_back(s);
  }
  GroupTarget wants_many;
  wants_many.min_runs = 110;
  wants_many.max_runs = 110;
  std::vector<GroupWork> groups = {{{"a", SampleKind::kBuild, "cold"}, "cold", wants_many, -1}};
  auto free = replay_eta(samples, groups);
  REQUIRE_FALSE(free.points.empty());
  CHECK(free.points.back().predicted_end > 1000);
  auto budgeted = replay_eta(samples, groups, {}, 120.0);
  CHECK(budgeted.points.back().predicted_end == Approx(120));
  CHECK(budgeted.points.front().predicted_end == Approx(120));
}
