#include "stats/fdr.hpp"

#include <catch2/catch.hpp>

using namespace bb::stats;

TEST_CASE("Benjamini-Hochberg adjusted p-values, by hand") {
  // Sorted 0.001 0.02 0.03 0.04 0.30 0.50 0.60 0.70 0.80 0.90 (m = 10), given shuffled.
  // m p_(i) / i: 0.01 0.1 0.1 0.1 0.6 0.8333 0.8571 0.875 0.8889 0.9; the running minimum from
  // the top leaves them as they are. At q = 0.05 only p_(1) <= i q / m (0.005): one discovery
  // where four rows have p < 0.05.
  std::vector<double> p = {0.30, 0.02, 0.90, 0.001, 0.04, 0.50, 0.03, 0.60, 0.80, 0.70};
  auto q = benjamini_hochberg(p);
  std::vector<double> expected = {0.6,          0.1, 0.9,          0.01,         0.1,
                                  0.5 * 10 / 6, 0.1, 0.6 * 10 / 7, 0.8 * 10 / 9, 0.875};
  REQUIRE(q.size() == p.size());
  for (std::size_t i = 0; i < p.size(); ++i) {
    INFO("p " << p[i]);
    CHECK(q[i] == Approx(expected[i]).epsilon(1e-12));
  }
}

TEST_CASE("Benjamini-Hochberg steps up: a p above its own line passes with a larger one") {
  // m = 4, lines i q / m = 0.0125 0.025 0.0375 0.05: p_(2) = 0.035 is above its line, but
  // p_(4) = 0.04 is below its own, so all four are discoveries. Adjusted: 4 p / i = 0.004
  // 0.07 0.048 0.04, the running minimum from the top 0.004 0.04 0.04 0.04.
  auto q = benjamini_hochberg({0.04, 0.001, 0.036, 0.035});
  CHECK(q[0] == Approx(0.04).epsilon(1e-12));
  CHECK(q[1] == Approx(0.004).epsilon(1e-12));
  CHECK(q[2] == Approx(0.04).epsilon(1e-12));
  CHECK(q[3] == Approx(0.04).epsilon(1e-12));
  // Never above 1; one test is its own p; none is none.
  CHECK(benjamini_hochberg({0.9, 0.8})[0] == Approx(0.9));
  CHECK(benjamini_hochberg({0.6, 0.7, 0.8})[2] == Approx(0.8));
  CHECK(benjamini_hochberg({0.7})[0] == 0.7);
  CHECK(benjamini_hochberg({}).empty());
  CHECK(benjamini_hochberg({0.5, 0.5})[1] == 0.5);  // ties: 2 x 0.5 / 2
}
