// The page's charts: the history's trend lines read each run's median of the group.
#include "report/page.hpp"

#include <catch2/catch.hpp>

using namespace bb;
using namespace bb::bench_page;

namespace {

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Two runs of history: scenario a's cold build medians, and b's under `b_kind`.
ReportInput history(SampleKind b_kind) {
  ReportInput input;
  input.scenario_order = {"a", "b"};
  for (int run = 1; run <= 2; ++run) {
    HistoryPoint point;
    point.run_id = run;
    point.date = "2026-11-2" + std::to_string(run);
    point.medians[{{"a", SampleKind::kBuild, "cold"}, "build_seconds"}] = 40 + run;
    point.medians[{{"b", b_kind, "cold"}, "build_seconds"}] = 70;
    input.history.push_back(point);
  }
  return input;
}

}  // namespace

TEST_CASE("page charts: a trend line per scenario, a point per run with the group's median") {
  auto svg =
      trend_chart(history(SampleKind::kBuild), "Cold build", "s", "cold", "build_seconds", 1);
  CHECK(svg.find("2026-11-21 #1") != std::string::npos);
  CHECK(svg.find("2026-11-22 #2") != std::string::npos);
  // A group of another kind under the same names is not the build's: b has no points then.
  auto other =
      trend_chart(history(SampleKind::kStartup), "Cold build", "s", "cold", "build_seconds", 1);
  CHECK(count(svg, "<circle") == count(other, "<circle") + 2);
}

TEST_CASE("page charts: no history section with fewer than two runs") {
  ReportInput input;
  input.history.resize(1);
  doc::Document d;
  add_history(d, Page(input));
  CHECK(d.blocks.empty());
  input.history.resize(2);
  add_history(d, Page(input));
  CHECK_FALSE(d.blocks.empty());
}
