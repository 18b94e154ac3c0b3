#pragma once
// A time budget (--budget) spent where the run needs it. The start-ups keep their minimums,
// the groups a claim compares theirs, the headline's other build groups one value each; a
// claim's pairs get their minimum (the first look) whole, cheapest first, while it fits, or
// stay at what they have. The repetitions past that go, while the predicted total fits, to
// those claims' groups (up to what their targets need), then the headline's groups (up to
// their minimums and on), then the start-ups, widest spread first, and last to the claims that
// did not fit. The stopping rule still stops any group early: the budget only caps, and
// stopping stays on precision and budget, never on significance. Pure, so the tests plan on
// hand-made costs and needs.
#include <limits>
#include <map>
#include <vector>

#include "model/group_tally.hpp"

namespace bb {

// In the order the budget serves them.
enum class BudgetPriority { kClaimed = 0, kBuild = 1, kStartup = 2 };

struct BudgetGroup {
  GroupTally::Key key;
  BudgetPriority priority = BudgetPriority::kBuild;
  int taken = 0;       // attempts so far, failed ones included
  int min_runs = 0;    // kept whatever the budget (a claim's pairs: when it holds them)
  int wanted = 0;      // what its target is predicted to take in all (taken + expected_more)
  double seconds = 0;  // predicted seconds of one more repetition (all its legs)
  // Start-ups: the median's spread for one value (median_unit_spread); the wider, the more a
  // repetition buys. NaN while unknown: served after the known ones.
  double spread = std::numeric_limits<double>::quiet_NaN();
  bool whole = false;  // a claim's pairs: their minimum (first look) whole, or one pair
};

// Each group's cap on its repetitions, given the seconds the budget has left for them: its
// floor (as above, or what it has, when more), then one repetition at a time in priority
// order, round robin within a priority (a claim's two sides grow together), each granted only
// while the predicted total stays within `seconds_left`. Floors are kept even when they
// overrun (the hard stop, budget_admits, ends those); a claim's minimum is not a floor.
// A claim's first look is granted when it ends within `seconds_left` plus `slack`, as the hard
// stop lets a visit end one build past the budget.
std::map<GroupTally::Key, int> budget_caps(const std::vector<BudgetGroup>& groups,
                                           double seconds_left, double slack = 0);

// Whether a visit may start `elapsed` seconds into a budget of `budget` seconds: never once the
// budget is spent, nor when its predicted seconds would end it more than `slack` (one build)
// past the budget, so the run ends within the budget plus one build. An unknown (NaN) cost
// or slack is judged on the time alone.
bool budget_admits(double elapsed, double budget, double visit_seconds, double slack);

}  // namespace bb
