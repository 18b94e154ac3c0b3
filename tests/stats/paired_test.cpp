#include "stats/paired.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <stdexcept>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "stats/scipy.hpp"
#include "util/process.hpp"

using namespace bb;
using namespace bb::stats;

namespace {

double two_sided_p(double z) {
  return std::erfc(std::abs(z) / std::sqrt(2.0));
}

// P(W+ <= w) by enumerating all 2^n sign patterns of the ranks 1..n.
double brute_force_cdf(int w, int n) {
  long hits = 0;
  for (long mask = 0; mask < (1L << n); ++mask) {
    int sum = 0;
    for (int r = 1; r <= n; ++r) {
      if (mask & (1L << (r - 1))) sum += r;
    }
    hits += sum <= w;
  }
  return static_cast<double>(hits) / static_cast<double>(1L << n);
}

// Pratt's signed-rank p by all 2^n sign flips of the non-zero differences: mid-ranks of |d|
// over all differences (zeros included), W+ the ranks of the positive ones, two-sided
// min(1, 2 min(P(W+ <= w), P(W+ >= w))).
double brute_force_pratt_p(const std::vector<double>& d) {
  std::vector<double> ranks;  // of the non-zero differences
  double observed = 0;
  for (double v : d) {
    if (v == 0) continue;
    double below = 0, equal = 0;
    for (double w : d) {
      below += std::abs(w) < std::abs(v);
      equal += std::abs(w) == std::abs(v);
    }
    ranks.push_back(below + (equal + 1) / 2);
    if (v > 0) observed += ranks.back();
  }
  long n = static_cast<long>(ranks.size()), below = 0, above = 0;
  for (long mask = 0; mask < (1L << n); ++mask) {
    double sum = 0;
    for (long r = 0; r < n; ++r) {
      if (mask & (1L << r)) sum += ranks[r];
    }
    below += sum <= observed + 1e-9;
    above += sum >= observed - 1e-9;
  }
  return std::min(1.0, 2 * static_cast<double>(std::min(below, above)) / (1L << n));
}

}  // namespace

TEST_CASE("signed-rank exact distribution matches hand counts and enumeration") {
  // n = 3: subsets of {1, 2, 3} sum to 0 1 2 3 3 4 5 6.
  CHECK(wilcoxon_exact_cdf(-1, 3) == 0);
  CHECK(wilcoxon_exact_cdf(0, 3) == 1.0 / 8);
  CHECK(wilcoxon_exact_cdf(2, 3) == 3.0 / 8);
  CHECK(wilcoxon_exact_cdf(3, 3) == 5.0 / 8);
  CHECK(wilcoxon_exact_cdf(6, 3) == 1);
  CHECK(wilcoxon_exact_cdf(100, 3) == 1);
  for (int n : {1, 5, 10, 14}) {
    for (int w = 0; w <= n * (n + 1) / 2; w += 3) {
      INFO("n " << n << " w " << w);
      CHECK(wilcoxon_exact_cdf(w, n) == Approx(brute_force_cdf(w, n)).epsilon(1e-14));
    }
  }
  // Symmetry: P(W+ <= w) = 1 - P(W+ <= M - 1 - w); at n = 50 the tail is 2^-50.
  CHECK(wilcoxon_exact_cdf(0, 50) == std::ldexp(1.0, -50));
  CHECK(wilcoxon_exact_cdf(600, 50) == Approx(1 - wilcoxon_exact_cdf(1275 - 601, 50)));
}

TEST_CASE("Wilcoxon signed-rank with zeros and ties is exact and keeps its floor") {
  // Five rises and one unchanged pair: the floor is 2 / 2^5, not the 0.035 the normal
  // approximation gave (0.043 dropping the zero), so nothing here is significant at 0.05.
  std::vector<double> five_up = {0.1, 0.2, 0.3, 0.4, 0.5, 0};
  auto w = wilcoxon_signed_rank(five_up);
  CHECK(w.exact);
  CHECK(w.p_value == 0.0625);
  CHECK(wilcoxon_smallest_p_value(five_up) == 0.0625);
  CHECK_FALSE(w.p_value < 0.05);
  // scipy.stats.permutation_test((d,), sum of scipy.stats.rankdata(|d|) over d > 0,
  // permutation_type="samples", alternative="two-sided", n_resamples=inf), SciPy 1.10.1.
  struct Case {
    std::vector<double> d;
    double scipy_p;
  };
  std::vector<Case> cases = {
      {{1, 2, 3, 4, 5, 0}, 0.0625},
      {{0, 1, 0, 2, 3}, 0.25},
      {{1, -1, 2, 2}, 0.375},
      {{0, 0, 1, -1, 2, 2, 2, -3, 3, 4, 5, 5}, 0.048828125},
  };
  for (const auto& c : cases) {
    INFO(c.d.size() << " differences");
    CHECK(wilcoxon_signed_rank(c.d).p_value == Approx(brute_force_pratt_p(c.d)).margin(1e-9));
    CHECK(wilcoxon_signed_rank(c.d).p_value == Approx(c.scipy_p).margin(1e-9));
  }
  // Random coarse differences up to n = 14, zeros and ties among |d| included.
  std::mt19937 rng(11);
  std::uniform_int_distribution<int> value(-3, 4), size(1, 14);
  for (int i = 0; i < 40; ++i) {
    std::vector<double> d(size(rng));
    for (auto& v : d) v = value(rng);
    INFO("case " << i);
    auto r = wilcoxon_signed_rank(d);
    CHECK(r.p_value == Approx(brute_force_pratt_p(d)).margin(1e-9));
    std::vector<double> up;
    for (double v : d) up.push_back(std::abs(v));
    double floor = brute_force_pratt_p(up);  // every non-zero difference positive
    CHECK(wilcoxon_smallest_p_value(d) == Approx(floor).margin(1e-9));
    CHECK(r.p_value >= floor - 1e-12);
  }
}

TEST_CASE("Wilcoxon signed-rank on small samples, by hand") {
  // All positive: W- = 0, two-sided exact p = 2 / 2^5.
  auto all_up = wilcoxon_signed_rank({1, 2, 3, 4, 5});
  CHECK(all_up.exact);
  CHECK(all_up.statistic == 0);
  CHECK(all_up.p_value == 0.0625);
  CHECK(all_up.n_used == 5);
  CHECK(all_up.zeros == 0);
  // W+ = 1 + 3 + 4 = 8, W- = 7: the centre of an odd total, p = 1.
  auto centre = wilcoxon_signed_rank({1, -2, 3, 4, -5});
  CHECK(centre.statistic == 7);
  CHECK(centre.p_value == 1);
  // W- = 1 at n = 6: P(W+ <= 1) = 2 / 64, p = 4 / 64.
  CHECK(wilcoxon_signed_rank({-1, 2, 3, 4, 5, 6}).p_value == 0.0625);

  // Zeros (Pratt): ranked with the rest, then dropped. {0 1 0 2 3}: ranks 3 4 5 all
  // positive, the extreme of 2^3 flips, p = 2 / 8.
  auto zeros = wilcoxon_signed_rank({0, 1, 0, 2, 3});
  CHECK(zeros.exact);
  CHECK(zeros.n_used == 3);
  CHECK(zeros.zeros == 2);
  CHECK(zeros.statistic == 0);
  CHECK(zeros.p_value == 0.25);

  // Ties: |d| = 1 1 2 2 rank 1.5 1.5 3.5 3.5, W+ = 8.5, W- = 1.5; W+ >= 8.5 in 3 of 16.
  auto ties = wilcoxon_signed_rank({1, -1, 2, 2});
  CHECK(ties.exact);
  CHECK(ties.statistic == 1.5);
  CHECK(ties.p_value == 0.375);

  // Nothing left to rank: no evidence of a shift (SciPy returns NaN or raises here).
  for (const auto& none : {std::vector<double>{0, 0, 0}, std::vector<double>{}}) {
    auto r = wilcoxon_signed_rank(none);
    CHECK(r.p_value == 1);
    CHECK(r.statistic == 0);
    CHECK(r.n_used == 0);
    CHECK(r.zeros == none.size());
    CHECK_FALSE(r.exact);
  }
  CHECK_THROWS_AS(wilcoxon_signed_rank({1, std::nan("")}), std::invalid_argument);
}

TEST_CASE("Walsh Hodges-Lehmann shift and interval, by hand") {
  // Walsh averages of {1, 2, 3}: 1 1.5 2 2 2.5 3; n = 3 is too small for 95%.
  auto small = walsh_hodges_lehmann({3, 1, 2});
  CHECK(small.estimate == 2);
  CHECK_FALSE(small.interval_available);
  CHECK(small.low == 1);
  CHECK(small.high == 3);
  // n = 6: P(W+ <= 0) = 1/64 <= 0.025 < P(W+ <= 1), so k = 1: the extremes, now a real
  // 96.9% interval.
  auto six = walsh_hodges_lehmann({1, 2, 3, 4, 5, 6});
  CHECK(six.estimate == 3.5);
  CHECK(six.interval_available);
  CHECK(six.low == 1);
  CHECK(six.high == 6);
  // n = 5 reaches 90% (1/32 <= 0.05) but not 95%.
  CHECK_FALSE(walsh_hodges_lehmann({1, 2, 3, 4, 5}).interval_available);
  CHECK(walsh_hodges_lehmann({1, 2, 3, 4, 5}, 0.90).interval_available);
  // Zeros are observations of no change and stay in: Walsh averages of {0, 0, 0, 0, 1}
  // are ten 0s, four 0.5s and one 1.
  CHECK(walsh_hodges_lehmann({0, 0, 0, 0, 1}).estimate == 0);
  // The estimate moves with a shift of the data.
  auto moved = walsh_hodges_lehmann({101, 102, 103, 104, 105, 106});
  CHECK(moved.estimate == 103.5);
  CHECK(walsh_hodges_lehmann({}).estimate == 0);
}

TEST_CASE("Mann-Kendall trend, by hand") {
  std::vector<double> up, down, flat;
  for (int i = 0; i < 10; ++i) {
    up.push_back(i + 1);
    down.push_back(10 - i);
    flat.push_back(7);
  }
  // Strictly increasing n = 10: S = 45, variance 10 * 9 * 25 / 18 = 125, z = 44 / sqrt(125).
  auto rising = mann_kendall(up);
  CHECK(rising.s == 45);
  CHECK(rising.z == Approx(44 / std::sqrt(125.0)));
  CHECK(rising.p_value == Approx(two_sided_p(44 / std::sqrt(125.0))).epsilon(1e-12));
  CHECK(rising.sen_slope == 1);
  CHECK(rising.trending);
  auto falling = mann_kendall(down);
  CHECK(falling.s == -45);
  CHECK(falling.z == Approx(-44 / std::sqrt(125.0)));
  CHECK(falling.sen_slope == -1);
  CHECK(falling.trending);
  auto level = mann_kendall(flat);
  CHECK(level.s == 0);
  CHECK(level.p_value == 1);
  CHECK(level.sen_slope == 0);
  CHECK_FALSE(level.trending);
  // Ties {1 1 2 2 3 3}: 12 rising pairs, 3 tied; variance (6 * 5 * 17 - 3 * 18) / 18.
  auto steps = mann_kendall({1, 1, 2, 2, 3, 3});
  CHECK(steps.s == 12);
  CHECK(steps.z == Approx(11 / std::sqrt(456.0 / 18)));
  CHECK(steps.sen_slope == 0.5);
  CHECK(steps.trending);
  // Fewer than 4 values: S and the slope, but no test.
  auto short_series = mann_kendall({1, 2, 3});
  CHECK(short_series.s == 3);
  CHECK(short_series.sen_slope == 1);
  CHECK(short_series.p_value == 1);
  CHECK_FALSE(short_series.trending);
  CHECK(mann_kendall({}).p_value == 1);
}

TEST_CASE("log ratios of paired samples") {
  auto r = log_ratios({10, 20, 5}, {10, 10, 10});
  REQUIRE(r.size() == 3);
  CHECK(r[0] == 0);
  CHECK(r[1] == Approx(std::log(0.5)));
  CHECK(r[2] == Approx(std::log(2.0)));
  CHECK(log_ratios({}, {}).empty());
  CHECK_THROWS_AS(log_ratios({1, 2}, {1}), std::invalid_argument);
  CHECK_THROWS_AS(log_ratios({1, 0}, {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(log_ratios({1, 1}, {1, -2}), std::invalid_argument);
  CHECK_THROWS_AS(log_ratios({1, std::nan("")}, {1, 1}), std::invalid_argument);
  CHECK_THROWS_AS(log_ratios({1, std::numeric_limits<double>::infinity()}, {1, 1}),
                  std::invalid_argument);
}

TEST_CASE("paired statistics agree with SciPy and brute force, independent implementations") {
  std::mt19937 rng(7);
  std::lognormal_distribution<double> noise(0.0, 0.05);
  // Log ratios of two noisy timings with a relative shift.
  auto differences = [&](int n, double shift) {
    std::vector<double> d;
    for (int i = 0; i < n; ++i) d.push_back(std::log((1 + shift) * noise(rng) / noise(rng)));
    return d;
  };
  auto rounded = [](std::vector<double> d, double step) {  // coarse timers make ties and zeros
    for (auto& v : d) v = std::round(v / step) * step;
    return d;
  };

  std::vector<std::vector<double>> wilcoxon_cases;
  for (int n : {5, 8, 12, 20, 33, 50}) {  // exact: no ties, no zeros, n <= 50 (as SciPy)
    wilcoxon_cases.push_back(differences(n, 0.0));
    wilcoxon_cases.push_back(differences(n, 0.04));
  }
  std::vector<double> all_faster;  // the extreme tail at n = 50: p = 2^-49
  for (int i = 1; i <= 50; ++i) all_faster.push_back(-0.001 * i);
  wilcoxon_cases.push_back(all_faster);
  for (int n : {51, 80, 200}) wilcoxon_cases.push_back(differences(n, 0.02));  // n > 50
  for (int n : {10, 30, 60}) {  // ties among |d|, including +x against -x
    auto d = rounded(differences(n, 0.01), 0.02);
    for (auto& v : d) {
      if (v == 0) v = 0.02;  // ties without zeros
    }
    wilcoxon_cases.push_back(d);
  }
  for (int n : {12, 40, 70}) {  // zeros (and then ties as well)
    wilcoxon_cases.push_back(rounded(differences(n, 0.01), 0.02));
    auto d = differences(n, 0.03);
    d[1] = d[n / 2] = 0;  // zeros without ties
    wilcoxon_cases.push_back(d);
  }

  struct HlCase {
    std::vector<double> d;
    double level;
  };
  std::vector<HlCase> hl_cases;
  for (int n : {1, 2, 5, 6, 7, 11, 20, 50, 51, 75})
    hl_cases.push_back({differences(n, 0.02), 0.95});
  hl_cases.push_back({differences(9, 0.0), 0.90});
  hl_cases.push_back({differences(25, 0.0), 0.99});
  hl_cases.push_back({rounded(differences(24, 0.02), 0.02), 0.95});  // ties and zeros

  std::vector<std::vector<double>> mk_cases;
  std::normal_distribution<double> jitter(0, 1);
  for (int n : {4, 12, 40, 100}) {
    std::vector<double> up, down, flat, steady, tied;
    for (int i = 0; i < n; ++i) {
      up.push_back(100 + 0.5 * i + jitter(rng));
      down.push_back(100 - 0.3 * i + jitter(rng));
      flat.push_back(100 + jitter(rng));
      steady.push_back(42);
      tied.push_back(std::round(100 + 0.05 * i + jitter(rng)));
    }
    for (auto* series : {&up, &down, &flat, &steady, &tied}) mk_cases.push_back(*series);
  }

  nlohmann::json cases = {{"wilcoxon", wilcoxon_cases},
                          {"hodges_lehmann", nlohmann::json::array()},
                          {"mann_kendall", mk_cases}};
  for (const auto& c : hl_cases)
    cases["hodges_lehmann"].push_back({{"d", c.d}, {"level", c.level}});
  auto reference = bb::testing::scipy_reference("scipy_paired_reference.py", cases);

  // Relative disagreement, the worst kept to be reported below.
  double worst = 0;
  auto agree = [&worst](double ours, double theirs) {
    double scale = std::max(std::abs(theirs), std::numeric_limits<double>::min());
    double relative = ours == theirs ? 0 : std::abs(ours - theirs) / scale;
    worst = std::max(worst, relative);
    return relative <= 1e-9;
  };

  REQUIRE(reference["wilcoxon"].size() == wilcoxon_cases.size());
  int exact_cases = 0, approx_cases = 0;
  for (std::size_t i = 0; i < wilcoxon_cases.size(); ++i) {
    const auto& ref = reference["wilcoxon"][i];
    auto w = wilcoxon_signed_rank(wilcoxon_cases[i]);
    INFO("wilcoxon case " << i << " n " << wilcoxon_cases[i].size() << " " << ref.dump());
    CHECK(w.exact == (ref["method"] == "exact"));
    (w.exact ? exact_cases : approx_cases)++;
    CHECK(w.n_used == ref["n_used"].get<std::size_t>());
    CHECK(w.zeros == ref["zeros"].get<std::size_t>());
    CHECK(agree(w.statistic, ref["statistic"].get<double>()));
    if (ref["p_value"].is_number()) {  // null: exact given zeros or ties, too many to flip
      CHECK(agree(w.p_value, ref["p_value"].get<double>()));
    }
  }
  CHECK(exact_cases >= 17);
  CHECK(approx_cases >= 5);
  double worst_wilcoxon = worst;
  CHECK(worst_wilcoxon <= 1e-9);

  REQUIRE(reference["hodges_lehmann"].size() == hl_cases.size());
  for (std::size_t i = 0; i < hl_cases.size(); ++i) {
    const auto& ref = reference["hodges_lehmann"][i];
    auto s = walsh_hodges_lehmann(hl_cases[i].d, hl_cases[i].level);
    INFO("Hodges-Lehmann case " << i << " n " << hl_cases[i].d.size() << " " << ref.dump());
    CHECK(s.interval_available == ref["available"].get<bool>());
    CHECK(agree(s.estimate, ref["estimate"].get<double>()));
    CHECK(agree(s.low, ref["low"].get<double>()));
    CHECK(agree(s.high, ref["high"].get<double>()));
    // Beyond n = 50 the normal approximation stays within one rank of the exact k.
    if (hl_cases[i].d.size() > 50) {
      CHECK(std::abs(ref["k_normal"].get<int>() - ref["k_exact"].get<int>()) <= 1);
    }
  }

  REQUIRE(reference["mann_kendall"].size() == mk_cases.size());
  int trending = 0;
  for (std::size_t i = 0; i < mk_cases.size(); ++i) {
    const auto& ref = reference["mann_kendall"][i];
    auto t = mann_kendall(mk_cases[i]);
    INFO("Mann-Kendall case " << i << " n " << mk_cases[i].size() << " " << ref.dump());
    CHECK(t.s == ref["s"].get<double>());
    CHECK(t.s == Approx(ref["s_kendalltau"].get<double>()).margin(1e-9));
    CHECK(agree(t.sen_slope, ref["sen_slope"].get<double>()));
    CHECK(agree(t.sen_slope, ref["sen_theilslopes"].get<double>()));
    if (mk_cases[i].size() >= 4) {
      CHECK(agree(t.z, ref["z"].get<double>()));
      CHECK(agree(t.p_value, ref["p_value"].get<double>()));
      CHECK(t.trending == (ref["p_value"].get<double>() < 0.05));
    }
    trending += t.trending;
  }
  CHECK(trending >= 6);  // the rising and falling series beyond n = 4
  CHECK(worst <= 1e-9);
}
