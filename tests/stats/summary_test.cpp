#include "stats/summary.hpp"

#include <cmath>

#include <catch2/catch.hpp>

using namespace bb::stats;

TEST_CASE("location and spread match hand-computed values") {
  std::vector<double> v = {2, 4, 4, 4, 5, 5, 7, 9};
  CHECK(median(v) == 4.5);
  CHECK(mean(v) == 5.0);
  // sum of squared deviations = 32, n - 1 = 7
  CHECK(stddev(v) == Approx(std::sqrt(32.0 / 7)));
  // |v - 4.5| = 2.5 .5 .5 .5 .5 .5 2.5 4.5 -> median 0.5
  CHECK(mad(v) == 0.5);
  CHECK(median({3, 1, 2}) == 2);
  CHECK(std::isnan(median({})));
  CHECK(stddev({1}) == 0);
}

TEST_CASE("median CI from order statistics uses exact binomial coverage") {
  std::vector<double> v;
  for (int i = 1; i <= 10; ++i) v.push_back(i);
  // n = 10: P(B <= 1) = 11/1024, coverage of [x(2), x(9)] = 1 - 22/1024 = 0.978515625;
  // [x(3), x(8)] covers 1 - 2 * 56/1024 = 0.890625 < 0.95.
  auto ci = median_ci(v);
  CHECK(ci.available);
  CHECK(ci.low == 2);
  CHECK(ci.high == 9);
  CHECK(ci.coverage == Approx(0.978515625));
  // n = 5: [min, max] covers 1 - 2/32 = 0.9375 < 0.95: not available at 95%.
  auto small = median_ci({5, 1, 4, 2, 3});
  CHECK_FALSE(small.available);
  CHECK(small.low == 1);
  CHECK(small.high == 5);
  // n = 6: [min, max] covers 1 - 2/64 = 0.96875.
  CHECK(median_ci({1, 2, 3, 4, 5, 6}).available);
}

TEST_CASE("outliers by modified z-score above 3.5") {
  std::vector<double> v = {10, 10.2, 9.9, 10.1, 10.0, 14.0};
  // median 10.05, MAD 0.1 -> z(14) = 0.6745 * 3.95 / 0.1 = 26.6
  auto z = modified_z_scores(v);
  CHECK(z[5] == Approx(0.6745 * 3.95 / 0.1));
  CHECK(outliers(v) == std::vector<std::size_t>{5});
  CHECK(outliers({1, 1, 1}).empty());
}

TEST_CASE("summary gathers everything and counts failures apart") {
  auto s = summarize({1, 2, 3, 4}, 2);
  CHECK(s.count == 4);
  CHECK(s.failures == 2);
  CHECK(s.min == 1);
  CHECK(s.max == 4);
  CHECK(s.median == 2.5);
  CHECK(s.cv == Approx(stddev({1, 2, 3, 4}) / 2.5));
  auto empty = summarize({}, 3);
  CHECK(empty.count == 0);
  CHECK(std::isnan(empty.median));
}
