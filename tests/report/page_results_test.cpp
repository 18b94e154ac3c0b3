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
