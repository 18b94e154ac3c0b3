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

namespace {

// Mid-ranks of the pooled sample, in pooled order.
std::vector<double> mid_ranks(const std::vector<double>& pooled) {
  std::vector<double> ranks;
  for (double v : pooled) {
    double below = 0, equal = 0;
    for (double w : pooled) {
      below += w < v;
      equal += w == v;
    }
    ranks.push_back(below + (equal + 1) / 2);
  }
  return ranks;
}

// Two-sided p of x's rank sum over all C(m + n, m) assignments of the pooled values to x,
// min(1, 2 min(P(R <= r), P(R >= r))); and, in `floor`, the smallest p of any assignment.
double brute_force_p(const std::vector<double>& x, const std::vector<double>& y,
                     double* floor = nullptr) {
  std::vector<double> pooled = x;
  pooled.insert(pooled.end(), y.begin(), y.end());
  auto ranks = mid_ranks(pooled);
  std::size_t m = x.size(), total = pooled.size();
  double observed = 0;
  for (std::size_t i = 0; i < m; ++i) observed += ranks[i];
  std::vector<double> sums;
  std::vector<std::size_t> chosen;
  auto walk = [&](auto&& self, std::size_t next, double sum) -> void {
    if (chosen.size() == m) {
      sums.push_back(sum);
      return;
    }
    for (std::size_t i = next; i + (m - chosen.size()) <= total; ++i) {
      chosen.push_back(i);
      self(self, i + 1, sum + ranks[i]);
      chosen.pop_back();
    }
  };
  walk(walk, 0, 0.0);
  auto p_of = [&](double r) {
    double below = 0, above = 0;
    for (double s : sums) {
      below += s <= r + 1e-9;
      above += s >= r - 1e-9;
    }
    return std::min(1.0, 2 * std::min(below, above) / static_cast<double>(sums.size()));
  };
  if (floor) {
    *floor = 1;
    for (double s : sums) *floor = std::min(*floor, p_of(s));
  }
  return p_of(observed);
}

}  // namespace

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
  auto same = mann_whitney({1, 2, 3}, {1, 2, 3});  // ties, small: exact given the ties
  CHECK(same.exact);
  CHECK(same.p_value == 1);
}

TEST_CASE("Mann-Whitney with ties is exact given the ties on small samples") {
  // Two constant groups: only 2 of the C(6, 3) = 20 assignments are as extreme, p = 0.1,
  // where the normal approximation gave 0.047.
  auto constant = mann_whitney({1, 1, 1}, {2, 2, 2});
  CHECK(constant.exact);
  CHECK(constant.p_value == Approx(0.1).epsilon(1e-12));
  CHECK(smallest_p_value({1, 1, 1}, {2, 2, 2}) == Approx(0.1).epsilon(1e-12));
  // scipy.stats.permutation_test((x, y), rank sum of x by scipy.stats.rankdata,
  // permutation_type="independent", alternative="two-sided", n_resamples=inf), SciPy 1.10.1.
  struct Case {
    std::vector<double> x, y;
    double scipy_p;
  };
  std::vector<Case> cases = {
      {{1, 1, 1}, {2, 2, 2}, 0.1},
      {{1, 2, 2, 3, 5}, {2, 3, 4, 4, 6, 7}, 0.12554112554112554},
      {{3, 3, 4, 5, 5, 5}, {4, 5, 6, 6, 7}, 0.09523809523809523},
      {{1, 1, 2, 2, 2, 3, 4}, {2, 3, 3, 4, 4, 5, 5, 6}, 0.01926961926961927},
  };
  for (const auto& c : cases) {
    INFO(c.x.size() << " vs " << c.y.size());
    auto r = mann_whitney(c.x, c.y);
    double floor = 0;
    CHECK(r.exact);
    CHECK(r.p_value == Approx(brute_force_p(c.x, c.y, &floor)).margin(1e-9));
    CHECK(r.p_value == Approx(c.scipy_p).margin(1e-9));
    CHECK(smallest_p_value(c.x, c.y) == Approx(floor).margin(1e-9));
  }
  // Random coarse samples up to m + n = 18, with and without ties.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> value(0, 5), size(1, 9);
  for (int i = 0; i < 40; ++i) {
    std::vector<double> x(size(rng)), y(size(rng));
    for (auto& v : x) v = value(rng);
    for (auto& v : y) v = value(rng) + (i % 2 ? 0.0 : 0.5);
    INFO("case " << i);
    double floor = 0;
    CHECK(mann_whitney(x, y).p_value == Approx(brute_force_p(x, y, &floor)).margin(1e-9));
    CHECK(smallest_p_value(x, y) == Approx(floor).margin(1e-9));
  }
  // Without ties the floor is the size-only one.
  CHECK(smallest_p_value({1, 2, 3, 4}, {5, 6, 7, 8}) == Approx(smallest_p_value(4, 4)));
}

TEST_CASE("Mann-Whitney with ties: exact while cheap, then the normal approximation") {
  // 39 + 2 values, two distinct: cheap, and exact where the normal approximation said
  // p = 1.7e-5; the 2 in y is an outcome of probability 2 / 41, so p = 4 / 41.
  std::vector<double> ones(39, 1.0);
  auto few_values = mann_whitney(ones, {1, 2});
  CHECK(few_values.exact);
  CHECK(few_values.p_value == Approx(4.0 / 41).epsilon(1e-12));
  CHECK(smallest_p_value(ones, {1, 2}) == Approx(4.0 / 41).epsilon(1e-12));
  CHECK(mann_whitney({1, 2}, ones).p_value == Approx(4.0 / 41).epsilon(1e-12));
  // 25 + 25 values, 40 distinct: beyond the DP's budget.
  std::vector<double> x, y;
  for (int i = 0; i < 25; ++i) {
    x.push_back(i);
    y.push_back(i + 10);
  }
  CHECK_FALSE(mann_whitney(x, y).exact);
  // 20 + 20 values, 39 distinct, either side the larger rank sum: exact.
  std::vector<double> a, b;
  for (int i = 0; i < 20; ++i) {
    a.push_back(i);
    b.push_back(i + 19);
  }
  auto r = mann_whitney(a, b);
  CHECK(r.exact);
  CHECK(r.p_value == Approx(mann_whitney(b, a).p_value).epsilon(1e-12));
  CHECK(r.p_value < 1e-9);
}

TEST_CASE("Hodges-Lehmann's asymptotic bound has the continuity term") {
  // y_j - x_i = 1000 j - i are distinct and sorted by (j, -i), so the lower bound names its
  // rank: D(c) with c = floor(mn / 2 + 0.5 - z sqrt(mn (m + n + 1) / 12)) = 1427 at
  // m = n = 60 (1426 without the 0.5).
  std::vector<double> x, y;
  for (int i = 0; i < 60; ++i) {
    x.push_back(i);
    y.push_back(1000.0 * i);
  }
  auto s = hodges_lehmann(x, y);
  REQUIRE(s.interval_available);
  int j = static_cast<int>(std::ceil(s.low / 1000)), i = j * 1000 - static_cast<int>(s.low);
  CHECK(j * 60 + 59 - i + 1 == 1427);
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
    if (i % 3 == 0) {  // ties: exact given the ties (all of these are small), see below
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
    bool tied = ref["p_permutation"].is_number();
    double p_ref = !mw.exact ? ref["p_asymptotic"].get<double>()
                   : tied    ? ref["p_permutation"].get<double>()
                             : ref["p_exact"].get<double>();
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
