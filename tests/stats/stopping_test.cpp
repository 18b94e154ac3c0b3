#include "stats/stopping.hpp"

#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "stats/rank_tests.hpp"

using namespace bb;

namespace {

// Draws until the stopping rule says enough: what the runner does for one group.
std::vector<double> run_group(std::mt19937& rng, double median, double spread,
                              const GroupTarget& target) {
  std::lognormal_distribution<double> draw(std::log(median), spread);
  std::vector<double> values;
  int attempts = 0;
  while (needs_more(values, attempts, target)) {
    values.push_back(draw(rng));
    ++attempts;
  }
  return values;
}

}  // namespace

TEST_CASE("the interval's relative half-width: infinite below six values, exact above") {
  CHECK(std::isinf(relative_half_width({1, 2, 3, 4, 5})));
  // Six values: the 95% interval is [min, max] (coverage 96.9%); median 3.5.
  CHECK(relative_half_width({1, 2, 3, 4, 5, 6}) == Approx(2.5 / 3.5));
  CHECK(relative_half_width({10, 10, 10, 10, 10, 10}) == 0);
}

TEST_CASE("the stopping rule: the minimum first, then precision, never past the maximum") {
  GroupTarget target{3, 10, 0.03};
  CHECK(needs_more({}, 0, target));
  CHECK(needs_more({1, 1}, 2, target));                    // below the minimum
  CHECK_FALSE(needs_more({10, 10.01, 9.99}, 3, target));   // quiet: the standard error suffices
  CHECK(needs_more({9, 10, 11}, 3, target));               // CV 10%: go on
  CHECK_FALSE(needs_more({1, 1, 1, 1, 1, 1}, 6, target));  // narrow: stop
  CHECK(needs_more({1, 2, 1, 2, 1, 2}, 6, target));        // wide: go on
  CHECK_FALSE(needs_more({1, 2, 1, 2, 1, 2, 1, 2, 1, 2}, 10, target));  // the maximum
  // Failed attempts count: a group that keeps failing stops at the maximum too.
  CHECK_FALSE(needs_more({}, 10, target));
  // The fixed design: exactly min = max runs, whatever the spread.
  GroupTarget fixed{3, 3, 0};
  CHECK(needs_more({1, 5}, 2, fixed));
  CHECK_FALSE(needs_more({1, 5, 9}, 3, fixed));
}

TEST_CASE("an absolute floor: a fast group within +-floor stops, whatever its percentage") {
  std::vector<double> cached = {0.150, 0.156, 0.153};  // a fully cached rebuild, ~2% spread
  GroupTarget relative{3, 6, 0.03};
  GroupTarget floored{3, 6, 0.03, 0.020};
  CHECK(needs_more(cached, 3, relative));
  CHECK_FALSE(needs_more(cached, 3, floored));
  CHECK(required_half_width(cached, floored) == Approx(0.020 / 0.153));
  // A slow group is judged by its percentage: the floor is then the narrower bound.
  std::vector<double> slow = {10.0, 11.0, 12.0};
  CHECK(required_half_width(slow, floored) == 0.03);
  CHECK(needs_more(slow, 3, floored));
  CHECK_FALSE(within_target(cached, GroupTarget{3, 3, 0, 0.020}));  // a fixed design aims at none
}

TEST_CASE("adaptive groups on simulated data: narrow ones stop early, none past the maximum") {
  std::mt19937 rng(42);
  GroupTarget target{3, 20, 0.03};
  int quiet_total = 0, noisy_total = 0;
  for (int trial = 0; trial < 200; ++trial) {
    auto quiet = run_group(rng, 10.0, 0.002, target);  // CV 0.2%
    auto noisy = run_group(rng, 10.0, 0.10, target);   // CV 10%
    CHECK(quiet.size() >= 3);
    CHECK(quiet.size() <= 20);
    CHECK(noisy.size() <= 20);
    if (quiet.size() < 20) CHECK(stopping_half_width(quiet) <= 0.03);
    quiet_total += static_cast<int>(quiet.size());
    noisy_total += static_cast<int>(noisy.size());
  }
  CHECK(quiet_total == 3 * 200);  // always stops at the minimum
  CHECK(noisy_total > 15 * 200);  // needs (nearly) the maximum
}

TEST_CASE("stopping on precision, not on significance, keeps the test's false alarms at alpha") {
  // Two groups of one distribution, each stopped by the adaptive rule on its own values: the
  // Mann-Whitney test on what they took finds a difference no more often than alpha says. A
  // rule that peeked at the test (stop once p < alpha) would find one far more often: the
  // second count shows this simulation can tell the two apart.
  std::mt19937 rng(7);
  GroupTarget target{3, 12, 0.02};
  const int trials = 1000;
  int adaptive_alarms = 0, peeking_alarms = 0;
  std::lognormal_distribution<double> draw(std::log(10.0), 0.03);
  for (int trial = 0; trial < trials; ++trial) {
    auto a = run_group(rng, 10.0, 0.03, target);
    auto b = run_group(rng, 10.0, 0.03, target);
    if (stats::mann_whitney(a, b).p_value < 0.05) ++adaptive_alarms;
    std::vector<double> x, y;
    bool alarm = false;
    while (!alarm && static_cast<int>(x.size()) < target.max_runs) {
      x.push_back(draw(rng));
      y.push_back(draw(rng));
      alarm = x.size() >= 3 && stats::mann_whitney(x, y).p_value < 0.05;
    }
    if (alarm) ++peeking_alarms;
  }
  CHECK(adaptive_alarms <= 0.065 * trials);  // alpha and three standard errors of 1000 trials
  CHECK(peeking_alarms >= 2 * adaptive_alarms);
  CHECK(peeking_alarms > 0.08 * trials);
}

TEST_CASE("expected repetitions for the ETA: minimum due, spread, this run's pool, prior, max") {
  GroupTarget fixed{3, 3, 0};
  CHECK(expected_more({}, 0, fixed) == 3);
  CHECK(expected_more({1}, 1, fixed) == 2);
  GroupTarget adaptive{3, 9, 0.03};
  // Nothing known: the maximum, so the total can only shrink as groups stop early.
  CHECK(expected_more({}, 0, adaptive) == 9);
  CHECK(expected_more({}, 0, adaptive, 4) == 4);  // the suite's last run took 4
  CHECK(expected_more({10, 10, 10, 10, 10, 10}, 6, adaptive) == 0);
  CHECK(expected_more({8, 12, 8, 12, 8, 12}, 6, adaptive) == 3);  // wide: up to the maximum
  // Two values are not extrapolated (their spread is luck): the kind's other groups speak.
  CHECK(expected_more({10, 14}, 2, adaptive) == 7);  // no pool, no prior: the maximum
  // The pool gives a unit width over the required half-width: 2/3 is 0.02 a value against 3%:
  // t(3) 3.18 x 0.02 / 2 = 0.032 at four, t(4) 2.78 x 0.02 / 2.24 = 0.025 at five.
  CHECK(expected_more({10, 14}, 2, adaptive, -1, 2.0 / 3) == 3);
  CHECK(expected_more({10, 14}, 2, adaptive, -1, 2.0) == 7);   // never within: the maximum
  CHECK(expected_more({10, 14}, 2, adaptive, -1, 0.03) == 1);  // the minimum is still due
  // This run's pool before the last run: it is this machine, now.
  CHECK(expected_more({10, 14}, 2, adaptive, 5, 0.03) == 1);
  CHECK(expected_more({10, 14}, 2, adaptive, 5) == 3);      // no pool: the last run's 5
  CHECK(expected_more({}, 0, adaptive, -1, 2.0 / 3) == 5);  // no value: the pool alone
  CHECK(expected_more({}, 0, adaptive, 20) == 9);           // a prior past the maximum: clamped
  CHECK(expected_more({10, 14}, 8, adaptive) == 1);         // failed attempts count: 9 - 8
}

TEST_CASE("a unit half-width scales a group's spread to one value") {
  CHECK(std::isnan(unit_half_width({10, 11})));
  std::vector<double> values = {10, 10.2, 9.8, 10.1};
  CHECK(unit_half_width(values) == Approx(stopping_half_width(values) * 2 / 3.182446));
  CHECK(unit_half_width(values) == Approx(median_unit_spread(values)));
}

TEST_CASE("the stand-in below six values uses Student's t: three values claim no more than six") {
  // SciPy: t.ppf(0.975, 2) = 4.302653, t.ppf(0.975, 4) = 2.776445.
  std::vector<double> three = {9.8, 10.0, 10.2};
  CHECK(normal_half_width(three) ==
        Approx(4.302653 * median_unit_spread(three) / std::sqrt(3.0)).epsilon(1e-6));
  std::vector<double> five = {9.8, 10.0, 10.2, 10.1, 9.9};
  CHECK(normal_half_width(five) ==
        Approx(2.776445 * median_unit_spread(five) / std::sqrt(5.0)).epsilon(1e-6));
  // A spread of 1.5% a value: three values give +-3.7%, not the +-1.7% 1.96 would claim.
  GroupTarget target{3, 12, 0.03};
  CHECK(runs_for(0.015, 0.03, target) == 4);
  CHECK(runs_for(0.001, 0.03, target) == 3);
  CHECK(runs_for(1.0, 0.03, target) == 12);
}
