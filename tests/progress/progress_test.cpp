#include "progress/progress.hpp"

#include <cmath>

#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace bb;

namespace {

// A recorded run: cold builds every 12 s, warm builds every 3 s, start-ups every 1 s.
std::vector<StoredSample> recorded_run() {
  std::vector<StoredSample> samples;
  int clock = 0;
  auto add = [&](SampleKind kind, const char* state, int seconds) {
    StoredSample stored;
    stored.sample.kind = kind;
    stored.sample.state = state;
    stored.sample.started_at =
        fmt::format("2026-11-25T20:{:02}:{:02}Z", clock / 60 % 60, clock % 60);
    clock += seconds;
    samples.push_back(stored);
  };
  for (int i = 0; i < 3; ++i) add(SampleKind::kBuild, "cold", 12);
  for (int i = 0; i < 4; ++i) add(SampleKind::kBuild, "warm-code", 3);
  for (int i = 0; i < 6; ++i) add(SampleKind::kStartup, "as-built", 1);
  return samples;
}

}  // namespace

TEST_CASE("ETA from a recorded run: each kind's mean task time times its remaining count") {
  auto seconds = mean_task_seconds(recorded_run());
  CHECK(seconds.at("cold") == Approx(12));
  // The last warm build is followed by a start-up: that gap is left out (other work).
  CHECK(seconds.at("warm-code") == Approx(3));
  CHECK(seconds.at("startup") == Approx(1));

  Progress progress(stderr, false, true);
  progress.begin();
  progress.expect({{"cold", 5}, {"warm-code", 10}, {"startup", 20}});
  CHECK(std::isnan(progress.eta_seconds()));  // nothing timed yet, no prior: no guess
  progress.prior(seconds);
  CHECK(progress.eta_seconds() == Approx(5 * 12 + 10 * 3 + 20 * 1));
  progress.expect({{"cold", 0}, {"warm-code", 0}, {"startup", 3}});
  CHECK(progress.eta_seconds() == Approx(3));
}

TEST_CASE("ETA before any start-up is timed: start-ups go by fully cached builds") {
  Progress progress(stderr, false, true);
  progress.begin();
  Sample cached;
  cached.kind = SampleKind::kBuild;
  cached.state = "warm-nochange";
  progress.task("a");
  progress.done(cached);
  progress.expect({{"startup", 100}});
  Sample cold = cached;
  cold.state = "cold";
  double one_cached = progress.eta_seconds() / 100;
  progress.task("b");
  progress.done(cold);  // a slow kind timed later does not change the start-up guess
  CHECK(progress.eta_seconds() == Approx(100 * one_cached));
}

TEST_CASE("work kinds: each cache state's builds apart, start-ups apart") {
  CHECK(work_kind(SampleKind::kBuild, "cold") == "cold");
  CHECK(work_kind(SampleKind::kBuild, "warm-deps") == "warm-deps");
  CHECK(work_kind(SampleKind::kBuild, "ci-registry") == "ci-registry");
  CHECK(work_kind(SampleKind::kStartup, "as-built") == "startup");
}

TEST_CASE("ETA: once-per-scenario work is timed apart and is not a task of its own") {
  Progress progress(stderr, false, true);
  progress.begin();
  Sample cold;
  cold.kind = SampleKind::kBuild;
  cold.state = "cold";
  progress.task("first cold build, with the registry push and pull");
  progress.done(cold, "", {{kRegistryWork, 30.0}});
  // The 30 s are the registry's, not a cold build's: two more of them cost 60 s.
  progress.expect({{kRegistryWork, 2}});
  CHECK(progress.eta_seconds() == Approx(60));
  progress.expect({{"cold", 1}});
  CHECK(progress.eta_seconds() < 30);
  progress.expect({{"cold", 3}, {kRegistryWork, 5}});
  CHECK(progress.left_total() == 3);
}

TEST_CASE("ETA of a budgeted run: never past the budget's end, where the run stops") {
  std::chrono::steady_clock::time_point now{};
  Progress progress(stderr, false, true);
  progress.use_clock([&now] { return now; });
  progress.begin();
  progress.prior({{"cold", 10.0}});
  progress.expect({{"cold", 100}});
  CHECK(progress.eta_seconds() == Approx(1000));  // no budget: the work left
  progress.end_by(now + std::chrono::seconds(600));
  CHECK(progress.eta_seconds() == Approx(600));
  now += std::chrono::seconds(550);
  CHECK(progress.eta_seconds() == Approx(50));
  progress.expect({{"cold", 2}});
  CHECK(progress.eta_seconds() == Approx(20));  // less work than budget left: the work
  now += std::chrono::seconds(100);
  progress.expect({{"cold", 5}});
  CHECK(progress.eta_seconds() == 0);  // past the end: the run is finishing its last task
  Progress unguessed(stderr, false, true);
  unguessed.end_by(now + std::chrono::seconds(600));
  unguessed.expect({{"cold", 1}});
  CHECK(std::isnan(unguessed.eta_seconds()));  // nothing to go by stays no guess
}
