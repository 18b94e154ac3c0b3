// E-divisive means over nights of samples: q-hat by hand on a tiny input, steps found at the
// night they start with their size, flat series and single odd nights left alone, the same
// seed giving the same answer, and bad values refused.
#include "stats/edivisive.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

using namespace bb::stats;

namespace {

using Nights = std::vector<std::vector<double>>;

// One night of five samples around `level`: the night's own offset (at most +-1.5%, in no
// order: 7 i mod 11) and the samples' spread (+-1%) inside it. No trend, no ties across nights.
std::vector<double> night(double level, int i) {
  double offset = 1 + 0.003 * (((i * 7) % 11) - 5);
  std::vector<double> samples;
  for (double s : {-0.01, -0.005, 0.0, 0.005, 0.01}) samples.push_back(level * offset * (1 + s));
  return samples;
}

// Consecutive runs of nights at the given levels.
Nights series(const std::vector<std::pair<int, double>>& runs) {
  Nights nights;
  for (const auto& [count, level] : runs) {
    for (int k = 0; k < count; ++k) {
      nights.push_back(night(level, static_cast<int>(nights.size())));
    }
  }
  return nights;
}

}  // namespace

TEST_CASE("edivisive: q-hat of a tiny split, by hand") {
  // {0, 1} | {10, 11}: across 10 + 11 + 9 + 10 = 40, within 1 and 1; m = n = 2:
  // 2 * 40 / 4 - 1 / 1 - 1 / 1 = 18, times m n / (m + n) = 1.
  CHECK(q_hat({0, 1, 10, 11}, 2) == Approx(18));
  // {0} | {1, 4}: across 1 + 4 = 5, no pairs on the left, 3 on the right (one pair):
  // 2 * 5 / 2 - 0 - 3 = 2, times 1 * 2 / 3.
  CHECK(q_hat({0, 1, 4}, 1) == Approx(4.0 / 3));
}

TEST_CASE("edivisive: a 10% step after ten nights is found at night 10, with its size") {
  auto points = e_divisive(series({{10, 10.0}, {10, 11.0}}));
  REQUIRE(points.size() == 1);
  CHECK(points[0].first_night == 10);
  CHECK(points[0].p_value <= 0.05);
  CHECK(points[0].p_value == Approx(1.0 / 200));  // no permutation of nights comes close
  CHECK(points[0].ratio == Approx(1.1).epsilon(0.01));
  CHECK(points[0].ratio_low < points[0].ratio);
  CHECK(points[0].ratio_high > points[0].ratio);
  CHECK(points[0].ratio_low > 1.05);
  CHECK(points[0].before_level == Approx(10).epsilon(0.01));
  CHECK(points[0].after_level == Approx(11).epsilon(0.01));
  auto down = e_divisive(series({{10, 11.0}, {10, 10.0}}));
  REQUIRE(down.size() == 1);
  CHECK(down[0].ratio == Approx(1 / 1.1).epsilon(0.01));
}

TEST_CASE("edivisive: two steps are both found, each against its neighbouring segments") {
  auto points = e_divisive(series({{8, 10.0}, {8, 12.0}, {8, 10.5}}));
  REQUIRE(points.size() == 2);
  CHECK(points[0].first_night == 8);
  CHECK(points[1].first_night == 16);
  CHECK(points[0].ratio == Approx(1.2).epsilon(0.01));
  CHECK(points[1].ratio == Approx(10.5 / 12).epsilon(0.01));
  CHECK(points[1].before_level == Approx(12).epsilon(0.01));
}

TEST_CASE("edivisive: a step two nights old is found once two nights show it") {
  auto one = e_divisive(series({{12, 10.0}, {1, 11.0}}));
  CHECK(one.empty());  // one night cannot be a segment (min_nights 2)
  auto two = e_divisive(series({{12, 10.0}, {2, 11.0}}));
  REQUIRE(two.size() == 1);
  CHECK(two[0].first_night == 12);
  // 2 of C(14, 2) = 91 orders put the two high nights together at an end.
  CHECK(two[0].p_value < 0.05);
}

TEST_CASE("edivisive: a flat series and a single odd night have no change point") {
  CHECK(e_divisive(series({{24, 10.0}})).empty());
  auto odd = series({{20, 10.0}});
  for (auto& v : odd[9]) v *= 1.5;  // one slow night: anywhere among the nights, as likely
  CHECK(e_divisive(odd).empty());
  CHECK(e_divisive({}).empty());
  CHECK(e_divisive(series({{3, 10.0}})).empty());  // too short for two segments
}

TEST_CASE("edivisive: the samples inside each night count, not only its median") {
  // Every night's median is 10; from night 10 on the samples spread +-20% instead of +-0.1%.
  Nights nights;
  for (int i = 0; i < 20; ++i) {
    double spread = i < 10 ? 0.001 : 0.2;
    nights.push_back(
        {10 * (1 - spread), 10 * (1 - spread / 2), 10, 10 * (1 + spread / 2), 10 * (1 + spread)});
  }
  auto points = e_divisive(nights);
  REQUIRE(points.size() == 1);
  CHECK(points[0].first_night == 10);
  CHECK(points[0].ratio == Approx(1));  // the level did not move; the distribution did
}

TEST_CASE("edivisive: the same seed gives the same points and p-values") {
  // At alpha 1 every split is kept, so every p is shown, each a permutation estimate.
  auto nights = series({{6, 10.0}, {4, 10.4}});
  EDivisiveOptions options;
  options.alpha = 1;
  options.seed = 42;
  auto p_values = [&] {
    std::vector<double> p;
    for (const auto& point : e_divisive(nights, options)) p.push_back(point.p_value);
    return p;
  };
  auto first = p_values();
  REQUIRE(first.size() >= 2);
  CHECK(p_values() == first);
  bool differs = false;  // another seed, other estimates: the seed is what fixes them
  for (std::uint64_t seed = 1; seed < 10 && !differs; ++seed) {
    options.seed = seed;
    differs = p_values() != first;
  }
  CHECK(differs);
}

TEST_CASE("edivisive: a value that is not positive, or an empty night, is refused") {
  CHECK_THROWS_AS(e_divisive({{1.0, 2.0}, {0.0}}), std::invalid_argument);
  CHECK_THROWS_AS(e_divisive({{1.0, 2.0}, {-1.0}}), std::invalid_argument);
  CHECK_THROWS_AS(e_divisive({{1.0}, {}}), std::invalid_argument);
  CHECK_THROWS_AS(e_divisive({{1.0}, {std::nan("")}}), std::invalid_argument);
}
