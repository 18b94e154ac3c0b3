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

TEST_CASE("a claim's looks: from the first reachable one, evenly to the most pairs, at most four") {
  CHECK(planned_looks(6, 20) == std::vector<int>{6, 11, 15, 20});
  CHECK(planned_looks(6, 8) == std::vector<int>{6, 7, 8});
  CHECK(planned_looks(6, 6) == std::vector<int>{6});
  CHECK(planned_looks(6, 5) == std::vector<int>{5});  // a maximum below the first: one look
  CHECK(planned_looks(6, 30, 2) == std::vector<int>{6, 30});
}

TEST_CASE("paired looks: a clear shift crosses at the second look, not the first") {
  std::vector<double> up;
  for (int i = 0; i < 20; ++i) up.push_back(0.09 + 0.001 * i);  // all positive, no ties
  std::vector<int> looks = {6, 11, 15, 20};
  // Six pairs: the exact p is 2/64 (|z| 2.154), inside the first look's boundary.
  auto six = paired_sequential({up.begin(), up.begin() + 6}, looks, 0.05, false);
  CHECK(six.decision == SequentialDecision::kContinue);
  CHECK(six.look == 1);
  CHECK(six.p_value == Approx(2.0 / 64));
  CHECK(six.z == Approx(z_of_two_sided_p(2.0 / 64)));
  CHECK(six.boundary == Approx(spending_boundaries({0.3}, 0.05)[0]));
  // Eleven: 2/2048 (|z| 3.30) against the second look's boundary at fractions 0.3, 0.55.
  auto eleven = paired_sequential({up.begin(), up.begin() + 11}, looks, 0.05, false);
  double boundary = spending_boundaries({0.3, 0.55}, 0.05)[1];
  CHECK(boundary < 3.0);
  CHECK(eleven.decision == SequentialDecision::kReject);
  CHECK(eleven.look == 2);
  CHECK(eleven.pairs == 11);
  CHECK(eleven.boundary == Approx(boundary));
  // All twenty: still the second look decides (the first crossing stops the claim).
  CHECK(paired_sequential(up, looks, 0.05, true).pairs == 11);
  // Negative shifts cross the same way, with a negative z.
  for (double& d : up) d = -d;
  CHECK(paired_sequential(up, looks, 0.05, false).z < 0);
}

TEST_CASE("paired looks: pairs that end early take their last look at fraction 1") {
  std::vector<double> mixed = {0.01, -0.02, 0.015, -0.005, 0.02, -0.01, 0.004, -0.012};
  std::vector<int> looks = {6, 11, 15, 20};
  auto going = paired_sequential(mixed, looks, 0.05, false);
  CHECK(going.decision == SequentialDecision::kContinue);
  CHECK(going.pairs == 6);
  auto ended = paired_sequential(mixed, looks, 0.05, true);
  CHECK(ended.decision == SequentialDecision::kStop);  // not significant, and no more pairs
  CHECK(ended.look == 2);
  CHECK(ended.pairs == 8);
  CHECK(ended.looks_planned == 4);
  // No planned look reached: the one look is the fixed test at 1.96.
  auto short_run = paired_sequential({0.1, 0.11, 0.12}, looks, 0.05, true);
  CHECK(short_run.look == 1);
  CHECK(short_run.boundary == Approx(1.959964).margin(1e-5));
  CHECK(paired_sequential({}, looks, 0.05, true).look == 0);
}
