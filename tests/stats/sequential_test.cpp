#include "stats/sequential.hpp"

#include <cmath>
#include <random>
#include <stdexcept>

#include <catch2/catch.hpp>

using namespace bb::stats;

namespace {
const std::vector<double> kFiveLooks = {0.2, 0.4, 0.6, 0.8, 1.0};
}

TEST_CASE("O'Brien-Fleming spending spends almost nothing early and alpha at the end") {
  // Per side 2 - 2 Phi(2.2414 / sqrt(0.2)) = 5.38e-7, both sides 1.08e-6.
  CHECK(obrien_fleming_spending(0.2, 0.05) == Approx(1.0773e-6).epsilon(0.002));
  // 2 - 2 Phi(1.95996 / sqrt(0.5)) = 2 - 2 Phi(2.77181) = 0.005575.
  CHECK(obrien_fleming_spending(0.5, 0.05, Spending::kTwoSided) == Approx(0.005575).epsilon(0.001));
  CHECK(obrien_fleming_spending(1.0, 0.05) == 0.05);
  CHECK(obrien_fleming_spending(0.0, 0.05) == 0.0);
}

TEST_CASE("five equal looks give the published Lan-DeMets O'Brien-Fleming boundaries") {
  // ldbounds::ldBounds(t = 5, iuse = 1, alpha = 0.05, sides = 2) and gsDesign's sfLDOF at
  // 0.025 a side (Reboussin et al. 2000): 4.8769, 3.3569, 2.6803, 2.2898, 2.0310. The second
  // comes out 3.35701 here, unchanged to 1e-6 on a grid three times finer: the table's own
  // grid is coarser, hence the margin.
  auto z = spending_boundaries(kFiveLooks, 0.05);
  REQUIRE(z.size() == 5);
  CHECK(z[0] == Approx(4.8769).margin(1e-4));
  CHECK(z[1] == Approx(3.3569).margin(2e-4));
  CHECK(z[2] == Approx(2.6803).margin(1e-4));
  CHECK(z[3] == Approx(2.2898).margin(1e-4));
  CHECK(z[4] == Approx(2.0310).margin(1e-4));
  CHECK(crossing_probability(kFiveLooks, z) == Approx(0.05).margin(1e-7));
}

TEST_CASE("the two-sided form of the spending spends more early and keeps alpha overall") {
  auto z = spending_boundaries(kFiveLooks, 0.05, Spending::kTwoSided);
  // The first look has no earlier ones: its boundary is exact, Phi^-1(1 - 0.5 alpha*(0.2)).
  CHECK(z[0] == Approx(1.95996 / std::sqrt(0.2)).margin(1e-4));
  CHECK(z[4] == Approx(2.0635).margin(1e-3));
  CHECK(crossing_probability(kFiveLooks, z) == Approx(0.05).margin(1e-7));
}

TEST_CASE("one look is the fixed test, and unequal looks keep alpha") {
  CHECK(spending_boundaries({1.0}, 0.05)[0] == Approx(1.959964).margin(1e-6));
  std::vector<double> uneven = {0.15, 0.5, 0.7, 1.0};
  CHECK(crossing_probability(uneven, spending_boundaries(uneven, 0.05)) ==
        Approx(0.05).margin(1e-7));
  // Five looks at the fixed 1.96 cross far more often (Armitage et al.: about 14%).
  CHECK(crossing_probability(kFiveLooks, std::vector<double>(5, 1.959964)) ==
        Approx(0.142).margin(0.002));
}

TEST_CASE("looks that are not increasing fractions in (0, 1) or exactly 1 are refused") {
  CHECK_THROWS_AS(spending_boundaries({0.5, 0.4}, 0.05), std::invalid_argument);
  CHECK_THROWS_AS(spending_boundaries({0.0, 1.0}, 0.05), std::invalid_argument);
  CHECK_THROWS_AS(spending_boundaries({0.5, 1.2}, 0.05), std::invalid_argument);
  CHECK_THROWS_AS(spending_boundaries({1.0}, 0.0), std::invalid_argument);
}

TEST_CASE("a look continues, rejects past its boundary, or stops at the last one") {
  CHECK(decide_sequential({}, 0.05).decision == SequentialDecision::kContinue);
  // 3.0 at the first of five looks is far below 4.877.
  auto early = decide_sequential({{3.0, 0.2}}, 0.05);
  CHECK(early.decision == SequentialDecision::kContinue);
  CHECK(early.boundary == Approx(4.8769).margin(1e-4));
  auto crossed = decide_sequential({{1.0, 0.2}, {-3.5, 0.4}}, 0.05);  // either side
  CHECK(crossed.decision == SequentialDecision::kReject);
  CHECK(crossed.look == 1);
  std::vector<SequentialLook> all = {{0.5, 0.2}, {1.0, 0.4}, {1.5, 0.6}, {1.2, 0.8}, {2.0, 1.0}};
  CHECK(decide_sequential(all, 0.05).decision == SequentialDecision::kStop);  // 2.0 < 2.031
  all.back().z = 2.05;
  CHECK(decide_sequential(all, 0.05).decision == SequentialDecision::kReject);
  CHECK(z_of_two_sided_p(0.05) == Approx(1.959964).margin(1e-6));
  CHECK(z_of_two_sided_p(1.0) == 0.0);
}

TEST_CASE("the boundary keeps the false-positive rate of 10000 A/A claims at 5%") {
  // Each claim takes up to 30 pairs of log ratios with no true difference, looked at after
  // 6, 12, 18, 24 and 30 pairs; z is the pairs' mean over its standard error.
  auto bounds = spending_boundaries(kFiveLooks, 0.05);
  std::mt19937_64 rng(20261202);
  std::normal_distribution<double> noise(0.0, 0.03);
  constexpr int kClaims = 10000;
  int rejected = 0, naive_rejected = 0;
  for (int c = 0; c < kClaims; ++c) {
    double sum = 0;
    bool reject = false, naive = false;
    for (int look = 0; look < 5; ++look) {
      for (int i = 0; i < 6; ++i) sum += noise(rng);
      int n = 6 * (look + 1);
      double z = sum / (0.03 * std::sqrt(n));
      reject = reject || std::fabs(z) >= bounds[look];
      naive = naive || std::fabs(z) >= 1.959964;
    }
    rejected += reject;
    naive_rejected += naive;
  }
  double rate = static_cast<double>(rejected) / kClaims;
  // At most 5%, give or take the simulation's own error (sqrt(0.05 x 0.95 / 10000) = 0.22%).
  CHECK(rate <= 0.05 + 2 * 0.0022);
  CHECK(rate >= 0.05 - 3 * 0.0022);  // and not a boundary that never rejects
  CHECK(static_cast<double>(naive_rejected) / kClaims > 0.12);  // testing each look at 1.96
}
