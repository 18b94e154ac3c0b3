#include "session/budget.hpp"

#include <cmath>

#include <catch2/catch.hpp>

using namespace bb;

namespace {

GroupTally::Key build(const std::string& scenario, const std::string& state) {
  return {scenario, SampleKind::kBuild, state};
}
GroupTally::Key startup(const std::string& scenario, const std::string& mode) {
  return {scenario, SampleKind::kStartup, mode};
}

BudgetGroup group(GroupTally::Key key, BudgetPriority priority, int taken, int min_runs, int wanted,
                  double seconds, double spread = std::nan("")) {
  return {std::move(key), priority, taken, min_runs, wanted, seconds, spread};
}

}  // namespace

TEST_CASE("budget: with room for all, every group gets what its target needs") {
  std::vector<BudgetGroup> groups = {
      group(build("one", "cold"), BudgetPriority::kClaimed, 1, 5, 6, 20),
      group(build("two", "cold"), BudgetPriority::kBuild, 1, 3, 4, 20),
      group(startup("two", "as-built"), BudgetPriority::kStartup, 0, 8, 12, 1, 0.1)};
  auto caps = budget_caps(groups, 1000);
  CHECK(caps[build("one", "cold")] == 6);
  CHECK(caps[build("two", "cold")] == 4);
  CHECK(caps[startup("two", "as-built")] == 12);
}

TEST_CASE("budget: claimed groups first, then the headline's builds, then start-ups") {
  // Floors: 4 x 10 (one's minimum) + 0 (two has its one value) + 8 x 1 (start-ups) = 48 s;
  // then one's two extra runs (20 s), then two's (30 s of the 50 left).
  std::vector<BudgetGroup> groups = {
      group(startup("two", "as-built"), BudgetPriority::kStartup, 0, 8, 20, 1, 0.5),
      group(build("two", "cold"), BudgetPriority::kBuild, 1, 3, 6, 10),
      group(build("one", "cold"), BudgetPriority::kClaimed, 1, 5, 7, 10)};
  auto caps = budget_caps(groups, 98);
  CHECK(caps[build("one", "cold")] == 7);        // both extra runs: 20 s
  CHECK(caps[build("two", "cold")] == 4);        // one of three: 10 s, the rest does not fit
  CHECK(caps[startup("two", "as-built")] == 8);  // nothing left after the builds
}

TEST_CASE("budget: minimums are kept even when they overrun, and nothing is granted past it") {
  std::vector<BudgetGroup> groups = {
      group(build("one", "cold"), BudgetPriority::kClaimed, 2, 5, 6, 30),
      group(build("two", "warm-code"), BudgetPriority::kBuild, 4, 3, 6, 5),  // past its minimum
      group(startup("one", "as-built"), BudgetPriority::kStartup, 0, 8, 20, 1)};
  auto caps = budget_caps(groups, 10);
  CHECK(caps[build("one", "cold")] == 5);        // its minimum, 90 s over a 10 s budget
  CHECK(caps[build("two", "warm-code")] == 4);   // what it has: never taken back
  CHECK(caps[startup("one", "as-built")] == 8);  // start-ups keep theirs: reserved
}

TEST_CASE("budget: when not every minimum fits, the headline's give way to the claims'") {
  // The 2026-12-03 main job: 30 minutes could not hold every group's minimum, the visits went
  // in the units' order, and four claims' cold groups ended at 1 run of 6.
  std::vector<BudgetGroup> groups = {
      group(build("a", "warm-code"), BudgetPriority::kBuild, 1, 3, 3, 10),
      group(build("b", "warm-code"), BudgetPriority::kBuild, 1, 3, 3, 10),
      group(build("one", "cold"), BudgetPriority::kClaimed, 1, 6, 6, 20),
      group(build("two", "cold"), BudgetPriority::kClaimed, 1, 6, 6, 20)};
  auto caps = budget_caps(groups, 220);  // the claims' 10 more runs take 200 s
  CHECK(caps[build("one", "cold")] == 6);
  CHECK(caps[build("two", "cold")] == 6);
  CHECK(caps[build("a", "warm-code")] == 2);  // one more of the 20 s left: round robin
  CHECK(caps[build("b", "warm-code")] == 2);
  auto none = budget_caps(groups, 0);
  CHECK(none[build("a", "warm-code")] == 1);  // its cell's one value, kept
  CHECK(none[build("one", "cold")] == 6);     // a claim's minimum, kept (the hard stop ends it)
}

TEST_CASE(
    "budget: a claim's pairs get their first look whole or stay as they are, cheapest first") {
  // Pairs short of the first look decide nothing: the 2026-12-03 15:07 main job spread its
  // budget over every claim and left four at 2 or 3 pairs of 6, none decided.
  auto pairs = [](const std::string& claim, int taken, double seconds) {
    BudgetGroup g = group({"claim:" + claim, SampleKind::kBuild, "cold"}, BudgetPriority::kClaimed,
                          taken, 6, 6, seconds);
    g.whole = true;
    return g;
  };
  std::vector<BudgetGroup> groups = {
      pairs("a", 1, 20),                                                    // 5 more: 100 s
      pairs("b", 1, 10),                                                    // 50 s
      pairs("c", 3, 30),                                                    // under way: 90 s
      group(build("x", "warm-code"), BudgetPriority::kBuild, 0, 3, 3, 5)};  // its cell: 5 s
  auto caps = budget_caps(groups, 165);
  CHECK(caps[{"claim:b", SampleKind::kBuild, "cold"}] == 6);  // 5 + 50
  CHECK(caps[{"claim:c", SampleKind::kBuild, "cold"}] == 6);  // 145
  CHECK(caps[{"claim:a", SampleKind::kBuild, "cold"}] == 1);  // 100 more would not fit
  CHECK(caps[build("x", "warm-code")] == 3);                  // the headline's next: 155; 10 s left
  // What the headline leaves goes to the claim that did not fit: its cells, not a verdict.
  auto roomier = budget_caps(groups, 185);
  CHECK(roomier[{"claim:a", SampleKind::kBuild, "cold"}] == 2);
  CHECK(roomier[build("x", "warm-code")] == 3);
  // A first look that ends within one build past the budget is granted, as the hard stop
  // lets it run: 245 s of floors and looks against 240 s and a 10 s build.
  auto slack = budget_caps(groups, 240, 10);
  CHECK(slack[{"claim:a", SampleKind::kBuild, "cold"}] == 6);
  CHECK(slack[build("x", "warm-code")] == 1);
  // Nothing to spare: every claim keeps what it has, not its minimum.
  auto none = budget_caps(groups, 0);
  CHECK(none[{"claim:a", SampleKind::kBuild, "cold"}] == 1);
  CHECK(none[{"claim:c", SampleKind::kBuild, "cold"}] == 3);
  // A claim's compared group (unpaired claims) keeps its minimum as before.
  CHECK(budget_caps({group(build("one", "cold"), BudgetPriority::kClaimed, 1, 5, 6, 30)},
                    0)[build("one", "cold")] == 5);
}

TEST_CASE("budget: start-ups' minimums are reserved before builds get extra runs") {
  // 40 s left: the start-ups' 8 x 2 s are set aside, so the builds get 24 s, not 40.
  std::vector<BudgetGroup> groups = {
      group(build("one", "cold"), BudgetPriority::kBuild, 3, 3, 10, 6),
      group(startup("one", "as-built"), BudgetPriority::kStartup, 0, 8, 8, 2)};
  auto caps = budget_caps(groups, 40);
  CHECK(caps[build("one", "cold")] == 7);  // 4 x 6 s = 24 s
  CHECK(caps[startup("one", "as-built")] == 8);
}

TEST_CASE("budget: a claim's two groups grow together, round robin") {
  std::vector<BudgetGroup> groups = {
      group(build("one", "cold"), BudgetPriority::kClaimed, 5, 5, 8, 10),
      group(build("two", "cold"), BudgetPriority::kClaimed, 5, 5, 8, 10)};
  auto caps = budget_caps(groups, 40);
  CHECK(caps[build("one", "cold")] == 7);
  CHECK(caps[build("two", "cold")] == 7);
}

TEST_CASE("budget: start-ups with the wider spread get the runs first, unknown ones last") {
  std::vector<BudgetGroup> groups = {
      group(startup("a", "as-built"), BudgetPriority::kStartup, 8, 8, 12, 1, 0.05),
      group(startup("b", "as-built"), BudgetPriority::kStartup, 8, 8, 12, 1),  // no spread yet
      group(startup("c", "as-built"), BudgetPriority::kStartup, 8, 8, 12, 1, 0.30)};
  auto caps = budget_caps(groups, 2);  // two runs: one for each of the first two in order
  CHECK(caps[startup("c", "as-built")] == 9);
  CHECK(caps[startup("a", "as-built")] == 9);
  CHECK(caps[startup("b", "as-built")] == 8);
}

TEST_CASE("budget: a visit starts only within the budget and within one build past it") {
  CHECK(budget_admits(0, 60, 10, 20));
  CHECK(budget_admits(59, 60, 20, 20));         // ends at 79: the budget plus one build
  CHECK_FALSE(budget_admits(59, 60, 25, 20));   // would end 24 s past it
  CHECK_FALSE(budget_admits(60, 60, 0.1, 20));  // spent
  CHECK_FALSE(budget_admits(75, 60, 1, 20));
  CHECK(budget_admits(59, 60, std::nan(""), std::nan("")));  // nothing timed: the clock alone
  CHECK_FALSE(budget_admits(61, 60, std::nan(""), 20));
}
