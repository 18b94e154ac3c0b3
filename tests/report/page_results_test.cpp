// The page's text sections: warnings grouped and ordered, the headline and the claims.
#include "report/page.hpp"

#include <sstream>

#include <catch2/catch.hpp>

using namespace bb;
using namespace bb::bench_page;

namespace {

StoredSample sample(const std::string& scenario, SampleKind kind, const std::string& state,
                    SampleStatus status, double seconds = 1) {
  StoredSample s;
  s.sample.scenario = scenario;
  s.sample.kind = kind;
  s.sample.state = state;
  s.sample.status = status;
  if (status == SampleStatus::kOk)
    s.sample.set(kind == SampleKind::kBuild ? "build_seconds" : "ready_seconds", seconds);
  return s;
}

}  // namespace

TEST_CASE("page warnings: failed samples counted per group, groups by scenario then state") {
  auto failed = SampleStatus::kFailed;
  SampleGroups groups({sample("b", SampleKind::kBuild, "cold", failed),
                       sample("a", SampleKind::kBuild, "warm-code", failed),
                       sample("a", SampleKind::kStartup, "as-built", failed),
                       sample("a", SampleKind::kBuild, "warm-code", failed),
                       sample("a", SampleKind::kBuild, "cold", SampleStatus::kOk)});
  CHECK(failed_warning(groups) ==
        "4 failed sample(s) in 3 group(s): a as-built (1), a warm-code (2), b cold (1); each is "
        "stored with its reason, see 'buildbench export'");
  CHECK(failed_warning(SampleGroups({sample("a", SampleKind::kBuild, "cold", SampleStatus::kOk)}))
            .empty());
}

TEST_CASE("page warnings: noisy groups, those a claim compares first") {
  std::vector<StoredSample> samples;
  for (double v : {1.0, 2.0, 3.0}) {  // CV 50%
    samples.push_back(sample("a", SampleKind::kBuild, "cold", SampleStatus::kOk, v));
    samples.push_back(sample("b", SampleKind::kStartup, "as-built", SampleStatus::kOk, 2 * v - 1));
  }
  SampleGroups groups(samples);
  auto none_claimed = noisy_warning(groups, {});
  CHECK(none_claimed.find("2 group(s) noisy (CV > 10%): 2 other(s) (b as-built 67%, a cold 50%)") ==
        0);
  auto claimed = noisy_warning(groups, {{"b", SampleKind::kStartup, "as-built"}});
  CHECK(claimed.find("1 compared by a claim (b as-built 67%); 1 other(s) (a cold 50%)") !=
        std::string::npos);
  // The same name as a build group is another group: not the claimed one.
  auto other_kind = noisy_warning(groups, {{"b", SampleKind::kBuild, "as-built"}});
  CHECK(other_kind.find("compared by a claim") == std::string::npos);
}

TEST_CASE("page: the scenario notes list each scenario with its description") {
  ReportInput input;
  input.scenario_order = {"a", "b"};
  input.descriptions = {{"a", "first"}, {"b", "second"}};
  doc::Document d;
  add_scenario_notes(d, input);
  std::ostringstream md;
  doc::render_markdown(md, d);
  CHECK(md.str().find("| a | first |") != std::string::npos);
  CHECK(md.str().find("| b | second |") != std::string::npos);
}

namespace {

Claim two_faster() {
  return {"two-faster", "two builds faster than one", "two", "one", "build_seconds", "cold",
          "less"};
}

RunRecord budget_run(std::vector<ShortGroup> short_groups) {
  RunRecord run;
  run.id = 1;
  run.status = "complete";
  run.options = {{"budget_ms", 30 * 60 * 1000}};
  run.short_of_target = std::move(short_groups);
  return run;
}

}  // namespace

TEST_CASE("page claims: what the time budget left undecided, in its groups' runs") {
  GroupKey one{"one", SampleKind::kBuild, "cold"}, two{"two", SampleKind::kBuild, "cold"};
  CHECK(budget_undecided(two_faster(), budget_run({{two, 4, 6}, {one, 5, 6}})) ==
        "the 30-minute budget ended its groups (two cold, one cold) at 4 and 5 runs of 6");
  CHECK(budget_undecided(two_faster(), budget_run({{two, 4, 6}, {one, 5, 8}})) ==
        "the 30-minute budget ended its groups (two cold, one cold) at 4 runs of 6 and 5 runs "
        "of 8");
  CHECK(budget_undecided(two_faster(), budget_run({{two, 4, 6}})) ==
        "the 30-minute budget ended its group (two cold) at 4 runs of 6");
  // Groups the claim does not compare, or no short groups at all: nothing to say.
  CHECK(
      budget_undecided(two_faster(), budget_run({{{"two", SampleKind::kBuild, "warm-code"}, 3, 6}}))
          .empty());
  CHECK(budget_undecided(two_faster(), budget_run({})).empty());
  RunRecord hour = budget_run({{two, 4, 6}});
  hour.options["budget_ms"] = 90 * 60 * 1000;
  CHECK(budget_undecided(two_faster(), hour).rfind("the 90-minute budget", 0) == 0);
  hour.options["budget_ms"] = 2 * 3600 * 1000;
  CHECK(budget_undecided(two_faster(), hour).rfind("the 2-hour budget", 0) == 0);
}

TEST_CASE("page claims: an inconclusive claim the budget cut short says so under the table") {
  ReportInput input;
  input.suite_name = "s";
  input.scenario_order = {"one", "two"};
  input.claims = {two_faster()};
  for (double v : {10.0, 11.0, 12.0, 13.0, 14.0})
    input.samples.push_back(sample("one", SampleKind::kBuild, "cold", SampleStatus::kOk, v));
  for (double v : {10.5, 11.5, 12.5, 13.5})
    input.samples.push_back(sample("two", SampleKind::kBuild, "cold", SampleStatus::kOk, v));
  input.runs = {budget_run({{{"two", SampleKind::kBuild, "cold"}, 4, 6}})};
  auto render = [](const ReportInput& in) {
    Page page(in);
    doc::Document d;
    add_claims(d, page);
    std::ostringstream md;
    doc::render_markdown(md, d);
    return md.str();
  };
  auto md = render(input);
  INFO(md);
  CHECK(md.find("❔ inconclusive") != std::string::npos);
  CHECK(md.find("Left undecided by the time budget") != std::string::npos);
  CHECK(md.find("**two-faster**: inconclusive: the 30-minute budget ended its group (two cold) "
                "at 4 runs of 6") != std::string::npos);
  // Without a budget's short groups the page has nothing to blame on it.
  input.runs = {budget_run({})};
  CHECK(render(input).find("Left undecided") == std::string::npos);
}

namespace {

// A claim's two cold groups, `b` at `ratio` of `a`'s 20 s, with a little spread.
std::vector<StoredSample> claim_samples(double ratio, int count, double spread = 0.2) {
  std::vector<StoredSample> samples;
  for (int i = 0; i < count; ++i) {
    double jitter = spread * ((i % 3) - 1) + 0.01 * i;
    samples.push_back(sample("a", SampleKind::kBuild, "cold", SampleStatus::kOk, 20 + jitter));
    samples.push_back(
        sample("b", SampleKind::kBuild, "cold", SampleStatus::kOk, 20 * ratio + jitter));
  }
  return samples;
}

std::string claims_markdown(const ReportInput& input) {
  Page page(input);
  doc::Document d;
  add_claims(d, page);
  std::ostringstream out;
  doc::render_markdown(out, d);
  return out.str();
}

}  // namespace

TEST_CASE("page claims: the verdict's words say which refutation, and by how much") {
  ReportInput input;
  input.scenario_order = {"a", "b"};
  input.claims = {Claim{"c", "b faster", "b", "a", "build_seconds", "cold", "less"}};
  input.samples = claim_samples(0.5, 6);
  CHECK(claims_markdown(input).find("✅ confirmed, by at least 3%") != std::string::npos);
  input.samples = claim_samples(1.5, 6);
  CHECK(claims_markdown(input).find("❌ refuted — the other way") != std::string::npos);
  input.samples = claim_samples(1.0, 12, 0.01);
  auto same = claims_markdown(input);
  CHECK(same.find("❌ refuted — no practical difference (within ±3%)") != std::string::npos);
  CHECK(same.find("two one-sided tests") != std::string::npos);
  input.claims[0].delta_percent = 0.001;  // far below the spread: cannot be shown either way
  input.samples = claim_samples(1.0, 6, 2.0);
  auto open = claims_markdown(input);
  CHECK(open.find("❔ inconclusive") != std::string::npos);
  CHECK(open.find("more runs a side would decide it") != std::string::npos);
  CHECK(open.find("Pooled over") == std::string::npos);  // no earlier run, nothing pooled
}

TEST_CASE("page claims: pooled over earlier runs, with how many and Q") {
  ReportInput input;
  input.scenario_order = {"a", "b"};
  input.claims = {Claim{"c", "b faster", "b", "a", "build_seconds", "cold", "less"}};
  input.samples = claim_samples(0.97, 6, 1.0);
  Page alone(input);
  REQUIRE(alone.claims.size() == 1);
  CHECK(alone.pooled.empty());
  input.pool = 5;
  for (int r = 0; r < 6; ++r) input.pool_runs.push_back({RunRecord{}, claim_samples(0.97, 6, 1.0)});
  Page page(input);
  REQUIRE(page.pooled.size() == 1);
  CHECK(page.pooled[0].runs == 5);  // this run and 4 earlier: --pool 5
  // Five identical runs: Q = 0, and the pooled interval is narrower by sqrt(5).
  CHECK(page.pooled[0].q == Approx(0).margin(1e-9));
  double width = alone.claims[0].ci_high_percent - alone.claims[0].ci_low_percent;
  double pooled_width =
      page.pooled[0].result.ci_high_percent - page.pooled[0].result.ci_low_percent;
  CHECK(pooled_width < width / 2);
  auto md = claims_markdown(input);
  CHECK(md.find("Pooled over this run and the suite's earlier stored runs") != std::string::npos);
  CHECK(md.find("| Pooled verdict |") != std::string::npos);
  CHECK(md.find("0.00 (4)") != std::string::npos);
  input.pool = 1;  // --pool 1: this run only
  CHECK(Page(input).pooled.empty());
}

TEST_CASE("page claims: a claim of several states gives a row per setting, each with its why") {
  ReportInput input;
  input.scenario_order = {"a", "b"};
  Claim cold{"c", "b faster", "b", "a", "build_seconds", "cold", "less"};
  cold.setting = "from an empty builder";
  cold.why = "nothing is cached";
  Claim pull = cold;
  pull.state = "cold-pull";
  pull.setting = "on a fresh runner";
  pull.why = "the -slim stage is one more base image to pull";
  input.claims = {cold, pull};
  input.samples = claim_samples(0.5, 6);  // cold groups only: cold-pull was not measured
  auto md = claims_markdown(input);
  auto cold_row = md.find("| b faster — from an empty builder (cold) | ✅ confirmed");
  auto pull_row = md.find("| b faster — on a fresh runner (cold-pull) | ❔ inconclusive");
  CHECK(cold_row != std::string::npos);
  REQUIRE(pull_row != std::string::npos);
  CHECK(cold_row < pull_row);  // in the suite's order
  // (The page escapes markdown: build_seconds reads build\_seconds in its source.)
  CHECK(md.find("nothing is cached; build\\_seconds (cold)") != std::string::npos);
  CHECK(md.find("the -slim stage is one more base image to pull; build\\_seconds (cold-pull)") !=
        std::string::npos);
  CHECK(md.substr(pull_row).find("b: no data") != std::string::npos);
  // A one-state claim reads as before: its text alone.
  input.claims = {Claim{"c", "b faster", "b", "a", "build_seconds", "cold", "less"}};
  CHECK(claims_markdown(input).find("| b faster | ✅") != std::string::npos);
}
