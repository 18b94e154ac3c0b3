#include "compare/claims.hpp"

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
  CHECK(opposite.verdict == ClaimVerdict::kRefuted);
  CHECK(opposite.reason == "significant in the opposite direction");

  std::vector<double> same_a, same_b;
  for (int i = 0; i < 10; ++i) {
    same_a.push_back(10 + 0.01 * i);
    same_b.push_back(10.005 + 0.01 * i);
  }
  auto none = judge_claim(faster(), same_a, same_b, {});
  CHECK(none.verdict == ClaimVerdict::kRefuted);
  CHECK(none.reason == "no difference: the interval lies within ±5%");

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
  // past ±5%, so neither a difference nor its absence is shown.
  std::vector<double> a = {20.0, 22.0, 18.5, 21.5, 19.0, 20.5},
                      b = {19.8, 21.7, 18.2, 21.4, 18.9, 20.4};
  auto r = judge_claim(faster(), a, b, {});
  REQUIRE(r.ci_available);
  CHECK(r.ci_low_percent < -5);
  CHECK(r.ci_high_percent > 0);
  CHECK(r.verdict == ClaimVerdict::kInconclusive);
  CHECK(r.reason.rfind("within this run's noise", 0) == 0);
  // By hand: the interval is [-10.0, +8.5] around -0.76%, half-width h = 9.25. It decides
  // once h falls below max(0.76, 5 - 0.76) = 4.24: 6 x (9.25 / 4.24)^2 = 28.6, so 29 a side.
  CHECK(r.change_percent == Approx(-0.763).margin(0.001));
  CHECK(r.ci_low_percent == Approx(-10.0).margin(0.01));
  CHECK(r.ci_high_percent == Approx(8.5).margin(0.01));
  CHECK(r.reason.find("about 29 runs a side would decide it") != std::string::npos);
}
