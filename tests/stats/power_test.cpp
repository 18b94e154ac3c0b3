#include "stats/power.hpp"

#include <cmath>

#include <catch2/catch.hpp>

using namespace bb;

TEST_CASE("pairs needed to detect a change follow the power formula, within bounds") {
  // ((1.95996 + 0.84162) x 0.06 / ln 1.05)^2 / (3 / pi) = 12.43
  CHECK(pairs_formula(0.06, 0.05) == Approx(12.43).epsilon(0.001));
  CHECK(pairs_to_detect(0.06, 0.05, 30) == 13);
  CHECK(pairs_to_detect(0.0, 0.05, 30) == kFewestPairs);  // no spread: the fewest that can decide
  CHECK(pairs_to_detect(0.5, 0.05, 30) == 30);            // capped at --max-pairs
  CHECK(pairs_to_detect(0.01, 0.05, 4) == kFewestPairs);  // never fewer than can reach p < 0.05
  // SE = 0.06 / sqrt(13 x 3/pi) = 0.01703; exp(ln 1.05 - 1.645 SE) - 1 = 2.10%.
  CHECK(paired_standard_error(0.06, 13) == Approx(0.017030).epsilon(0.001));
  CHECK(threshold_to_flag(0.06, 0.05, 13) == Approx(0.02099).epsilon(0.002));
  CHECK(threshold_to_flag(0.5, 0.05, 6) < 0);  // too few pairs for so wide a spread
}

TEST_CASE("the chance a change passes compare's threshold: half at the threshold itself") {
  CHECK(chance_to_pass(0.05, 0.05, 0.02) == Approx(0.5));
  // ln(1.10 / 1.05) = 0.04652; / 0.02 = 2.326 standard errors: 99.0%.
  CHECK(chance_to_pass(0.10, 0.05, 0.02) == Approx(0.990).epsilon(0.001));
  CHECK(chance_to_pass(0.03, 0.05, 0.0) == 0.0);  // no spread: below the threshold never passes
  CHECK(chance_to_pass(0.06, 0.05, 0.0) == 1.0);
}

TEST_CASE("the standard error a claim needs to be decided at 80% power") {
  // ln(0.97) = -0.030459; / (1.959964 + 0.841621) = 0.010872.
  CHECK(standard_error_to_detect(std::log(0.97), 0.05, 0.8) == Approx(0.010872).epsilon(1e-4));
  // (ln 1.03 - |ln 0.99|) / (1.644854 + 0.841621) = (0.029559 - 0.010050) / 2.486475 = 0.007846.
  CHECK(standard_error_for_equivalence(std::log(0.99), std::log(1.03), 0.05, 0.8) ==
        Approx(0.007846).epsilon(1e-3));
  CHECK(standard_error_for_equivalence(0.05, 0.03, 0.05, 0.8) == 0.0);
  // Halving the standard error takes four times the samples.
  CHECK(samples_for_standard_error(6, 0.02, 0.01) == Approx(24));
  CHECK(std::isinf(samples_for_standard_error(6, 0.02, 0.0)));
}

TEST_CASE("the fewest pairs that can reach alpha: the smallest n with 2 / 2^n below it") {
  CHECK(fewest_pairs(0.05) == kFewestPairs);  // 2/2^5 = 0.0625 is not below, 2/2^6 = 0.031 is
  CHECK(fewest_pairs(0.05) == 6);
  CHECK(fewest_pairs(0.01) == 8);    // 2/2^7 = 0.0156, 2/2^8 = 0.0078
  CHECK(fewest_pairs(0.10) == 5);    // 2/2^4 = 0.125, 2/2^5 = 0.0625
  CHECK(fewest_pairs(0.0625) == 6);  // strictly below: a floor equal to alpha never rejects
}
