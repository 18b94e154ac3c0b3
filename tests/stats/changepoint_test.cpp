// Lasting shifts in a nightly series, on hand-made series whose p-values are known: a clean
// step of eight nights against eight is found where it is; shorter series, small steps and
// single spikes are not shifts.
#include "stats/changepoint.hpp"

#include <vector>

#include <catch2/catch.hpp>

using namespace bb::stats;

namespace {

// `n` nights at `before`, then `m` at `after` (16 at most), each with its own wiggle of at
// most 15 thousandths, in no order (5 i mod 16): no ties, no trend.
std::vector<double> step(int n, double before, int m, double after) {
  std::vector<double> series;
  for (int i = 0; i < n + m; ++i) {
    series.push_back((i < n ? before : after) + 0.001 * ((i * 5) % 16));
  }
  return series;
}

}  // namespace

TEST_CASE("changepoint: eight nights against eight, fully separated, is a shift at night 8") {
  // Exact U: p = 2 / C(16, 8) = 1.55e-4 at the true split; 11 splits tried: 0.0017 < 0.01.
  auto shift = detect_shift(step(8, 10, 8, 12));
  REQUIRE(shift);
  CHECK(shift->index == 8);
  CHECK(shift->before_median == Approx(10.007));  // wiggles 0 3 4 5 9 10 14 15
  CHECK(shift->after_median == Approx(12.0075));  // wiggles 1 2 6 7 8 11 12 13
  CHECK(shift->change_percent == Approx(19.99).margin(0.01));
  CHECK(shift->p_value == Approx(2.0 / 12870));
  auto down = detect_shift(step(8, 12, 8, 10));
  REQUIRE(down);
  CHECK(down->change_percent == Approx(-16.66).margin(0.01));
}

TEST_CASE("changepoint: too few nights to be significant after testing every split") {
  // Five against five: p = 2 / 252 = 0.0079 at the split, times the 5 splits tried = 0.04.
  CHECK_FALSE(detect_shift(step(5, 10, 5, 12)));
  CHECK_FALSE(detect_shift(step(3, 10, 2, 12)));  // shorter than two segments
  // A looser level finds the same step.
  auto loose = detect_shift(step(5, 10, 5, 12), 3, 0.05);
  REQUIRE(loose);
  CHECK(loose->index == 5);
}

TEST_CASE("changepoint: a significant step below the threshold, and a spike, are no shift") {
  CHECK_FALSE(detect_shift(step(8, 10, 8, 10.3)));  // 3%: below the 5% threshold
  CHECK(detect_shift(step(8, 10, 8, 10.3), 3, 0.01, 2));
  auto spiky = step(16, 10, 0, 0);
  spiky[9] = 20;
  CHECK_FALSE(detect_shift(spiky));
  // A step within the first min_segment nights cannot be placed there.
  auto early = detect_shift(step(2, 10, 14, 12));
  CHECK((!early || early->index >= 3));
}
