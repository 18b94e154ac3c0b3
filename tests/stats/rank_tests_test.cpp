#include "stats/rank_tests.hpp"

#include <filesystem>
#include <fstream>
#include <random>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "stats/scipy.hpp"
#include "stats/summary.hpp"
#include "util/process.hpp"

using namespace bb;
using namespace bb::stats;

TEST_CASE("Mann-Whitney exact distribution matches hand counts") {
  // m = n = 2: U in {0..4} with counts 1 1 2 1 1 over C(4,2) = 6 arrangements.
  CHECK(mann_whitney_cdf(0, 2, 2) == Approx(1.0 / 6));
  CHECK(mann_whitney_cdf(1, 2, 2) == Approx(2.0 / 6));
  CHECK(mann_whitney_cdf(2, 2, 2) == Approx(4.0 / 6));
  CHECK(mann_whitney_cdf(4, 2, 2) == Approx(1.0));
  CHECK(smallest_p_value(3, 3) == Approx(0.1));  // 2 / C(6, 3)
  CHECK(smallest_p_value(4, 4) == Approx(2.0 / 70));
}

TEST_CASE("Mann-Whitney on separated samples, by hand") {
  // Every y above every x: U1 = 0, two-sided exact p = 2 / C(8, 4) = 0.0285714
  auto r = mann_whitney({1, 2, 3, 4}, {5, 6, 7, 8});
  CHECK(r.exact);
  CHECK(r.u1 == 0);
  CHECK(r.p_value == Approx(2.0 / 70));
  auto same = mann_whitney({1, 2, 3}, {1, 2, 3});  // ties: normal approximation
  CHECK_FALSE(same.exact);
  CHECK(same.p_value == Approx(1.0));
}

TEST_CASE("Hodges-Lehmann shift and interval, by hand") {
  // differences y - x for x = {1, 2}, y = {3, 5}: {2, 1, 4, 3} -> median 2.5
  auto s = hodges_lehmann({1, 2}, {3, 5});
  CHECK(s.estimate == 2.5);
  CHECK_FALSE(s.interval_available);  // 2 vs 2 is too small for 95%
  std::vector<double> x, y;
  for (int i = 0; i < 10; ++i) {
    x.push_back(i);
    y.push_back(i + 100);
  }
  auto big = hodges_lehmann(x, y);
  CHECK(big.estimate == 100);
  CHECK(big.interval_available);
  CHECK(big.low <= 100);
  CHECK(big.high >= 100);
}

TEST_CASE("statistics agree with SciPy, an independent implementation") {
  std::mt19937 rng(42);
  std::lognormal_distribution<double> noise(0.0, 0.1);
  nlohmann::json cases = nlohmann::json::array();
  std::vector<std::pair<std::vector<double>, std::vector<double>>> samples;
  for (int i = 0; i < 12; ++i) {
    int m = 3 + i % 5 * 4, n = 4 + i % 3 * 7;
    std::vector<double> x, y;
    for (int k = 0; k < m; ++k) x.push_back(10 * noise(rng));
    for (int k = 0; k < n; ++k) y.push_back(10 * (1 + 0.03 * (i % 4)) * noise(rng));
    if (i % 3 == 0) {  // ties force the normal approximation
      for (auto& v : x) v = std::round(v);
      for (auto& v : y) v = std::round(v);
    }
    samples.emplace_back(x, y);
    cases.push_back({{"x", x}, {"y", y}});
  }
  auto reference = bb::testing::scipy_reference("scipy_reference.py", cases);
  REQUIRE(reference.size() == samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    INFO("case " << i);
    const auto& [x, y] = samples[i];
    const auto& ref = reference[i];
    auto mw = mann_whitney(x, y);
    CHECK(mw.u1 == Approx(ref["u1"].get<double>()));
    double p_ref = mw.exact ? ref["p_exact"].get<double>() : ref["p_asymptotic"].get<double>();
    CHECK(mw.p_value == Approx(p_ref).epsilon(1e-6));
    CHECK(median(x) == Approx(ref["median_x"].get<double>()));
    CHECK(stddev(x) == Approx(ref["std_x"].get<double>()));
    CHECK(mad(x) == Approx(ref["mad_x"].get<double>()));
    CHECK(hodges_lehmann(x, y).estimate == Approx(ref["hl"].get<double>()));
  }
}

#include "stats/changepoint.hpp"

TEST_CASE("change points: a lasting step is found at its first night, noise is not") {
  std::mt19937 rng(3);
  std::normal_distribution<double> noise(0, 0.2);
  std::vector<double> flat, step;
  for (int i = 0; i < 30; ++i) {
    flat.push_back(10 + noise(rng));
    step.push_back((i < 18 ? 10 : 11.5) + noise(rng));
  }
  CHECK_FALSE(detect_shift(flat).has_value());
  auto shift = detect_shift(step);
  REQUIRE(shift.has_value());
  CHECK(shift->index == 18);
  CHECK(shift->change_percent == Approx(15).margin(3));
  // A single outlier night is not a lasting shift.
  auto spike = flat;
  spike[20] = 20;
  CHECK_FALSE(detect_shift(spike).has_value());
}
