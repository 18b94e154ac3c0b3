#include "compare/claims.hpp"

#include <array>
#include <string>

#include <catch2/catch.hpp>

using namespace bb;

namespace {

Claim faster(const std::string& metric = "build_seconds") {
  return Claim{"c", "b is faster than a", "b", "a", metric, "cold", "less"};
}

StoredSample sample(const std::string& scenario, const std::string& state, double seconds) {
  StoredSample stored;
  stored.sample.scenario = scenario;
  stored.sample.state = state;
  stored.sample.set("build_seconds", seconds);
  return stored;
}

CompareOptions at_alpha(double alpha) {
  CompareOptions options;
  options.alpha = alpha;
  return options;
}

}  // namespace

// 4 against 4, every subject value below every baseline value: the exact two-sided
// Mann-Whitney p is 2 / C(8, 4) = 0.0286, between the two alphas.
TEST_CASE("claims: the configured alpha decides significance, not a fixed 0.05") {
  std::vector<double> a = {20.0, 20.1, 20.2, 20.3}, b = {10.0, 10.1, 10.2, 10.3};
  auto at_5 = judge_claim(faster(), a, b, at_alpha(0.05));
  CHECK(at_5.p_value == Approx(2.0 / 70));
  CHECK(at_5.verdict == ClaimVerdict::kConfirmed);
  auto at_1 = judge_claim(faster(), a, b, at_alpha(0.01));
  CHECK(at_1.p_value == Approx(2.0 / 70));
  CHECK(at_1.verdict == ClaimVerdict::kInconclusive);
  CHECK(at_1.reason == "not significant");
}

TEST_CASE("claims: effect, interval and medians of the two sides") {
  std::vector<double> a = {20.0, 20.1, 20.2, 20.3, 20.4}, b = {10.0, 10.1, 10.2, 10.3, 10.4};
  auto r = judge_claim(faster(), a, b, {});
  CHECK(r.verdict == ClaimVerdict::kConfirmed);
  CHECK(r.subject_median == Approx(10.2));
  CHECK(r.baseline_median == Approx(20.2));
  CHECK(r.subject_count == 5);
  CHECK(r.baseline_count == 5);
  CHECK(r.unit == "s");
  CHECK(r.ci_available);
  CHECK(r.ci_low_percent <= r.change_percent);
  CHECK(r.change_percent <= r.ci_high_percent);
  CHECK(r.ci_high_percent < 0);
  CHECK(r.change_percent == Approx(-49.5).margin(0.5));
}

TEST_CASE("claims: the other way round, no difference, no data") {
  std::vector<double> a = {20.0, 20.1, 20.2, 20.3, 20.4}, b = {10.0, 10.1, 10.2, 10.3, 10.4};
  auto opposite = judge_claim(faster(), b, a, {});
  CHECK(opposite.verdict == ClaimVerdict::kRefutedOtherWay);
  CHECK(opposite.reason == "significant in the opposite direction");

  std::vector<double> same_a, same_b;
  for (int i = 0; i < 10; ++i) {
    same_a.push_back(10 + 0.01 * i);
    same_b.push_back(10.005 + 0.01 * i);
  }
  // A 0.05% shift: the 90% interval lies well inside the build time's default delta of 3%.
  auto none = judge_claim(faster(), same_a, same_b, {});
  CHECK(none.delta_percent == 3);
  REQUIRE(none.tost_available);
  CHECK(none.tost_low_percent > -3);
  CHECK(none.tost_high_percent < 3);
  CHECK(none.verdict == ClaimVerdict::kRefutedNoDifference);
  CHECK(none.reason.rfind("no practical difference: the 90% interval [", 0) == 0);
  CHECK(none.reason.find("lies within ±3% (two one-sided tests at 0.05)") != std::string::npos);

  auto empty = judge_claim(faster(), a, {}, {});
  CHECK(empty.verdict == ClaimVerdict::kInconclusive);
  CHECK(empty.subject_count == 0);
  CHECK(empty.baseline_count == 5);
}

TEST_CASE("claims: a deterministic metric is compared exactly, whatever alpha") {
  auto r = judge_claim(faster("image_bytes"), {4e8}, {1e8}, at_alpha(1e-6));
  CHECK(r.deterministic);
  CHECK(r.verdict == ClaimVerdict::kConfirmed);
  CHECK(r.change_percent == Approx(-75));
}

TEST_CASE("claims: groups read a state, or for state \"\" cold first, else every state") {
  SampleGroups groups(std::vector<StoredSample>{sample("a", "cold", 1), sample("a", "warm-code", 2),
                                                sample("b", "warm-code", 3),
                                                sample("b", "warm-deps", 4)});
  CHECK(groups.get("a", "warm-code", "build_seconds") == std::vector<double>{2});
  CHECK(groups.get("a", "", "build_seconds") == std::vector<double>{1});
  CHECK(groups.get("b", "", "build_seconds") == std::vector<double>{3, 4});
  CHECK(groups.get("c", "cold", "build_seconds").empty());

  auto failed = sample("a", "cold", 9);
  failed.sample.status = SampleStatus::kFailed;
  auto warmup = sample("a", "cold", 9);
  warmup.sample.warmup = true;
  SampleGroups with_failures(std::vector<StoredSample>{failed, warmup, sample("a", "cold", 1)});
  CHECK(with_failures.get("a", "cold", "build_seconds") == std::vector<double>{1});
  CHECK(with_failures.failures.at({"a", SampleKind::kBuild, "cold"}) == 1);

  auto results = judge_claims({faster()}, groups, {});
  REQUIRE(results.size() == 1);
  CHECK(results[0].verdict == ClaimVerdict::kInconclusive);
  CHECK(results[0].reason == "no successful samples on one side");
}

TEST_CASE("claims: an interval wider than the noise says so, with the runs that would decide") {
  // 6 against 6 whose spread (~8%) hides a 1% effect: the interval holds zero and reaches
  // past ±3%, so neither a difference nor its absence is shown.
  std::vector<double> a = {20.0, 22.0, 18.5, 21.5, 19.0, 20.5},
                      b = {19.8, 21.7, 18.2, 21.4, 18.9, 20.4};
  auto r = judge_claim(faster(), a, b, {});
  REQUIRE(r.ci_available);
  CHECK(r.ci_low_percent < -5);
  CHECK(r.ci_high_percent > 0);
  CHECK(r.verdict == ClaimVerdict::kInconclusive);
  CHECK(r.reason.rfind("within the noise", 0) == 0);
  // By hand: the interval is [-10.0, +8.5] around -0.763%: SE = (ln 1.085 - ln 0.900) / 3.92
  // = 0.0477. Showing the -0.763% (ln 0.99237 = -0.00766) at 80% power needs SE 0.00766 /
  // 2.80 = 0.00273; showing it inside ±3% (ln 1.03 = 0.02956) needs (0.02956 - 0.00766) /
  // (1.645 + 0.842) = 0.00881, the sooner. 6 x (0.0477 / 0.00881)^2 = 175.9: 170 more a side.
  CHECK(r.change_percent == Approx(-0.763).margin(0.001));
  CHECK(r.ci_low_percent == Approx(-10.0).margin(0.01));
  CHECK(r.ci_high_percent == Approx(8.5).margin(0.01));
  CHECK(r.further_runs == Approx(170).margin(1));
  CHECK(r.reason.find("at 80% power about") != std::string::npos);
  CHECK(r.reason.find("more runs a side would decide it") != std::string::npos);
}

namespace {

// A measured result as decide_claim sees it, to check its rule on hand-made cases.
ClaimResult measured(double change, double low, double high, double tost_low, double tost_high,
                     bool significant, double delta) {
  ClaimResult r;
  r.claim = faster();
  r.change_percent = change;
  r.ci_low_percent = low;
  r.ci_high_percent = high;
  r.ci_available = true;
  r.tost_low_percent = tost_low;
  r.tost_high_percent = tost_high;
  r.tost_available = true;
  r.significant = significant;
  r.delta_percent = delta;
  return r;
}

}  // namespace

TEST_CASE("claims: two one-sided tests refute a claim only inside ±delta") {
  // Not significant, 90% interval [-3.2, +2.4]: outside ±3 (by its lower end), inside ±4.
  auto r = measured(-0.5, -4.0, 3.0, -3.2, 2.4, false, 3);
  decide_claim(r, 0.05, 10);
  CHECK(r.verdict == ClaimVerdict::kInconclusive);
  r.delta_percent = 4;
  decide_claim(r, 0.05, 10);
  CHECK(r.verdict == ClaimVerdict::kRefutedNoDifference);
  // A bound exactly at -delta is not inside it.
  auto edge = measured(-0.5, -4.0, 3.0, -3.0, 2.4, false, 3);
  decide_claim(edge, 0.05, 10);
  CHECK(edge.verdict == ClaimVerdict::kInconclusive);
  // The other way, significantly, whatever delta.
  auto other = measured(4.0, 1.0, 7.0, 1.5, 6.5, true, 10);
  decide_claim(other, 0.05, 10);
  CHECK(other.verdict == ClaimVerdict::kRefutedOtherWay);
}

TEST_CASE("claims: confirmed, and by at least delta when the interval lies beyond it") {
  auto r = measured(-5.0, -7.0, -3.5, -6.5, -3.8, true, 3);
  decide_claim(r, 0.05, 10);
  CHECK(r.verdict == ClaimVerdict::kConfirmed);
  CHECK(r.beyond_delta);
  auto small = measured(-1.0, -1.8, -0.2, -1.6, -0.4, true, 3);  // real, but under delta
  decide_claim(small, 0.05, 10);
  CHECK(small.verdict == ClaimVerdict::kConfirmed);
  CHECK_FALSE(small.beyond_delta);
  CHECK(small.reason.find("smaller than 3%") != std::string::npos);
  auto short_of = measured(-4.0, -6.0, -2.0, -5.7, -2.3, true, 3);  // beyond 0, not beyond 3
  decide_claim(short_of, 0.05, 10);
  CHECK(short_of.verdict == ClaimVerdict::kConfirmed);
  CHECK_FALSE(short_of.beyond_delta);
}

TEST_CASE("claims: the runs that would decide come from an 80% power computation") {
  // 0% [-4, +4] over 10 a side, delta 3: SE = (ln 1.04 - ln 0.96) / 3.92 = 0.020420; the
  // zero estimate is decided only by equivalence, at SE ln 1.03 / (1.645 + 0.842) = 0.011888:
  // 10 x (0.020420 / 0.011888)^2 = 29.5 a side, so 20 more.
  auto r = measured(0.0, -4.0, 4.0, -3.4, 3.4, false, 3);
  decide_claim(r, 0.05, 10);
  CHECK(r.verdict == ClaimVerdict::kInconclusive);
  CHECK(r.further_runs == 20);
  // A delta of 0 can never be shown for an estimate of exactly zero.
  auto never = measured(0.0, -4.0, 4.0, -3.4, 3.4, false, 0);
  decide_claim(never, 0.05, 10);
  CHECK(never.further_runs == 0);
  CHECK(never.reason.find("no number of runs") != std::string::npos);
}

TEST_CASE("claims: the suite's delta, else the metric kind's default") {
  CHECK(claim_delta_percent(faster()) == 3);
  CHECK(claim_delta_percent(faster("image_bytes")) == 1);
  CHECK(claim_delta_percent(faster("ready_seconds")) == 5);
  CHECK(claim_delta_percent(faster("steps_cached")) == 0);
  Claim own = faster();
  own.delta_percent = 1.5;
  CHECK(claim_delta_percent(own) == 1.5);
  std::vector<double> a = {20.0, 20.1, 20.2, 20.3, 20.4}, b = {10.0, 10.1, 10.2, 10.3, 10.4};
  auto r = judge_claim(own, a, b, {});
  CHECK(r.delta_percent == 1.5);
  CHECK(r.verdict == ClaimVerdict::kConfirmed);
  CHECK(r.beyond_delta);  // -49.5%
}

TEST_CASE("claims: a deterministic metric inside delta is no practical difference") {
  auto same = judge_claim(faster("image_bytes"), {4e8}, {4e8}, {});
  CHECK(same.verdict == ClaimVerdict::kRefutedNoDifference);
  auto bit_larger = judge_claim(faster("image_bytes"), {4e8}, {4.02e8}, {});  // +0.5% < 1%
  CHECK(bit_larger.verdict == ClaimVerdict::kRefutedNoDifference);
  auto larger = judge_claim(faster("image_bytes"), {4e8}, {4.4e8}, {});
  CHECK(larger.verdict == ClaimVerdict::kRefutedOtherWay);
  auto slimmer = judge_claim(faster("image_bytes"), {4e8}, {3.98e8}, {});  // -0.5%: true, small
  CHECK(slimmer.verdict == ClaimVerdict::kConfirmed);
  CHECK_FALSE(slimmer.beyond_delta);
}

TEST_CASE("claims: issue 26's five step-4 runs pool to a confirmed -2.7%") {
  // Per run: confirmed twice, inconclusive three times; pooled by inverse variance on the log
  // scale: -2.747% [-4.330, -1.138], Q = 0.394 on 4 df (stats/pooling_test.cpp by hand).
  std::vector<ClaimResult> runs;
  for (auto [change, low, high] : std::vector<std::array<double, 3>>{{-2.4, -5.8, -1.3},
                                                                     {-2.1, -9.3, 14.9},
                                                                     {-2.2, -8.7, 0.7},
                                                                     {-3.4, -6.3, -0.2},
                                                                     {-3.4, -7.2, 2.8}}) {
    ClaimResult r = measured(change, low, high, 0, 0, false, 3);
    r.subject_count = r.baseline_count = 6;
    runs.push_back(r);
  }
  auto pooled = pool_claim(runs, 0.05);
  CHECK(pooled.runs == 5);
  CHECK(pooled.q == Approx(0.394).margin(0.001));
  CHECK_FALSE(pooled.random_effects);
  CHECK(pooled.result.change_percent == Approx(-2.747).margin(0.002));
  CHECK(pooled.result.ci_low_percent == Approx(-4.330).margin(0.002));
  CHECK(pooled.result.ci_high_percent == Approx(-1.138).margin(0.002));
  CHECK(pooled.result.verdict == ClaimVerdict::kConfirmed);
  CHECK_FALSE(pooled.result.beyond_delta);  // -1.1% is not beyond 3%
  CHECK(pooled.result.subject_count == 30);
  // A deterministic claim has nothing to pool.
  ClaimResult exact = runs[0];
  exact.deterministic = true;
  CHECK(pool_claim({exact}, 0.05).runs == 0);
}

TEST_CASE("claims: a paired claim is judged on its per-pair ratios with the paired test") {
  // Six pairs, the subject 8-11% faster in each: all six log ratios negative and distinct, so
  // the exact Wilcoxon signed-rank p is 2 / 2^6 = 0.03125 (Mann-Whitney on the same twelve
  // values would give 2 / C(12, 6) = 0.0022), and at six pairs the 95% Walsh interval is the
  // extreme Walsh averages: [ln 0.89, ln 0.92] = [-11.0%, -8.0%].
  ClaimPairs pairs;
  for (double s : {9.0, 9.1, 8.9, 9.2, 9.05, 8.95}) pairs.values.push_back({10.0, s});
  auto r = judge_paired_claim(faster(), pairs, at_alpha(0.05));
  CHECK(r.pairs == 6);
  CHECK(r.looks == 0);
  CHECK(r.p_value == Approx(2.0 / 64));
  CHECK(r.ci_available);
  CHECK(r.ci_low_percent == Approx(-11.0));
  CHECK(r.ci_high_percent == Approx(-8.0));
  CHECK(r.subject_median == Approx(9.025));
  CHECK(r.baseline_median == 10.0);
  CHECK(r.verdict == ClaimVerdict::kConfirmed);
  CHECK(r.beyond_delta);
  // At alpha 0.01 six pairs cannot be significant (their smallest p is 0.031).
  CHECK(judge_paired_claim(faster(), pairs, at_alpha(0.01)).verdict != ClaimVerdict::kConfirmed);
}

TEST_CASE("claims: a sequential paired claim is judged at the look its boundary decided") {
  ClaimPairs pairs;
  for (double s : {9.0, 9.1, 8.9, 9.2, 9.05, 8.95, 9.02, 8.97}) pairs.values.push_back({10.0, s});
  pairs.looks = {6, 12};
  // Look 1 (6 pairs, fraction 0.5): |z| 2.15 is inside the boundary (about 2.96); the pairs
  // ended at 8, the last look at fraction 1: p = 2/256, |z| 2.66, beyond about 1.97.
  auto r = judge_paired_claim(faster(), pairs, at_alpha(0.05));
  CHECK(r.look == 2);
  CHECK(r.looks == 2);
  CHECK(r.pairs == 8);
  CHECK(r.p_value == Approx(2.0 / 256));
  CHECK(r.verdict == ClaimVerdict::kConfirmed);
  // Six pairs with two looks planned: the first look is the last, at fraction 1.
  pairs.values.resize(6);
  CHECK(judge_paired_claim(faster(), pairs, at_alpha(0.05)).look == 1);
}

TEST_CASE("claims: a claim's pairs are found by its scenarios and state, in the order taken") {
  std::vector<StoredSample> samples;
  auto add = [&](const std::string& scenario, double seconds, bool ok = true) {
    StoredSample s = sample(scenario, "cold", seconds);
    s.id = static_cast<std::int64_t>(samples.size()) + 1;
    s.sample.kind = SampleKind::kBuild;
    if (!ok) s.sample.status = SampleStatus::kFailed;
    samples.push_back(s);
    return s.id;
  };
  std::vector<PairRecord> rows;
  auto a1 = add("a", 10), b1 = add("b", 9);
  auto b2 = add("b", 8), a2 = add("a", 10);
  auto a3 = add("a", 10), b3 = add("b", 7, false);  // a failed leg: one pair fewer
  rows.push_back({"p", a2, b2, "candidate"});       // stored out of order
  rows.push_back({"p", a1, b1, "baseline"});
  rows.push_back({"p", a3, b3, "baseline"});
  rows.push_back({"p", b1, a1, "candidate"});  // the other way round: another claim's
  nlohmann::json design = {{"looks", {6, 11}}, {"alpha", 0.05}};
  auto found = claim_pairs({faster()}, samples, rows, design);
  REQUIRE(found.count("c") == 1);
  const auto& c = found.at("c");
  CHECK(c.values == std::vector<std::pair<double, double>>{{10, 9}, {10, 8}});
  CHECK(c.looks == std::vector<int>{6, 11});
  CHECK(claim_pairs({faster()}, samples, {}, design).empty());  // no rows: judged unpaired
}

TEST_CASE("claims: a claim of two states is paired and judged per state, not on one id") {
  // One suite claim naming cold and warm-deps is two Claims with one id: the cold state's
  // pairs must not stand in for the warm-deps verdict (the bug: both keyed by the id).
  Claim cold = faster(), warm = faster();
  cold.setting = "on a runner that keeps its cache";
  warm.state = "warm-deps";
  warm.setting = "after a dependency edit";
  CHECK(claim_key(cold) == "c (cold)");
  CHECK(claim_key(warm) == "c (warm-deps)");
  CHECK(claim_key(faster()) == "c");  // a one-state claim keeps its id: stored runs still match

  std::vector<StoredSample> samples;
  std::vector<PairRecord> rows;
  auto add = [&](const std::string& scenario, const std::string& state, double seconds) {
    StoredSample s = sample(scenario, state, seconds);
    s.id = static_cast<std::int64_t>(samples.size()) + 1;
    s.sample.kind = SampleKind::kBuild;
    samples.push_back(s);
    return s.id;
  };
  for (double s : {9.0, 9.1, 8.9, 9.2, 9.05, 8.95}) {
    auto a = add("a", "cold", 10);
    rows.push_back({"p", a, add("b", "cold", s), "baseline"});
  }
  for (double s : {20.0, 20.4, 19.8}) add("b", "warm-deps", s);  // unpaired, and no faster
  for (double s : {20.1, 20.2, 19.9}) add("a", "warm-deps", s);
  auto found = claim_pairs({cold, warm}, samples, rows, nullptr);
  REQUIRE(found.size() == 1);
  CHECK(found.count("c (cold)") == 1);

  auto results = judge_claims({cold, warm}, SampleGroups(samples), {}, found);
  REQUIRE(results.size() == 2);
  CHECK(results[0].pairs == 6);
  CHECK(results[0].verdict == ClaimVerdict::kConfirmed);
  CHECK(results[1].pairs == 0);  // judged on its own samples, 3 against 3
  CHECK(results[1].subject_count == 3);
  CHECK(results[1].verdict != ClaimVerdict::kConfirmed);
}
