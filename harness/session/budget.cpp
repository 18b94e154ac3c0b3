#include "session/budget.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

namespace bb {

namespace {

bool whole_or_none(const BudgetGroup& group) {
  return group.whole && group.priority == BudgetPriority::kClaimed;
}

// One repetition at a time, round robin over `members`, each while the total stays within
// `seconds_left` and the group wants more.
void grant_round_robin(const std::vector<const BudgetGroup*>& members,
                       std::map<GroupTally::Key, int>& caps, double& planned, double seconds_left) {
  for (bool granted = true; granted;) {
    granted = false;
    for (const BudgetGroup* group : members) {
      int& cap = caps[group->key];
      if (cap >= group->wanted || planned + group->seconds > seconds_left) continue;
      ++cap;
      planned += group->seconds;
      granted = true;
    }
  }
}

}  // namespace

std::map<GroupTally::Key, int> budget_caps(const std::vector<BudgetGroup>& groups,
                                           double seconds_left, double slack) {
  std::map<GroupTally::Key, int> caps;
  double planned = 0;
  for (const auto& group : groups) {
    // A claim's groups and the start-ups keep their minimums, a claim's pairs one until room
    // is found for their first look below; the headline's other build groups keep one value
    // (their cell), the rest of their minimum waits for the claims.
    bool one = group.priority == BudgetPriority::kBuild || whole_or_none(group);
    int floor = one ? std::min(group.min_runs, 1) : group.min_runs;
    int cap = std::max(group.taken, floor);
    caps[group.key] = cap;
    planned += (cap - group.taken) * group.seconds;
  }
  // A claim's pairs reach their minimum (the first look) or stay at what they have: pairs
  // short of a look decide nothing. The cheapest to finish first, so that the budget
  // decides as many claims as it holds; one already under way costs less, so a replan keeps it.
  auto still_to_minimum = [&](const BudgetGroup& group) {
    return std::max(0, group.min_runs - caps[group.key]) * group.seconds;
  };
  std::vector<const BudgetGroup*> claims, left_out;
  for (const auto& group : groups)
    if (whole_or_none(group)) claims.push_back(&group);
  std::stable_sort(claims.begin(), claims.end(), [&](const BudgetGroup* a, const BudgetGroup* b) {
    return still_to_minimum(*a) < still_to_minimum(*b);
  });
  std::set<GroupTally::Key> fitted;
  for (const BudgetGroup* group : claims) {
    double cost = still_to_minimum(*group);
    if (planned + cost > seconds_left + slack) {
      left_out.push_back(group);
      continue;
    }
    caps[group->key] = std::max(caps[group->key], group->min_runs);
    planned += cost;
    fitted.insert(group->key);
  }

  std::vector<std::size_t> order(groups.size());
  std::iota(order.begin(), order.end(), 0);
  // Priority first; among start-ups the wider spread first, unknown ones last.
  auto rank = [&](std::size_t i) {
    double spread = groups[i].spread;
    return std::make_pair(static_cast<int>(groups[i].priority),
                          std::isfinite(spread) ? -spread : std::numeric_limits<double>::max());
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return rank(a) < rank(b); });
  for (std::size_t from = 0; from < order.size();) {
    auto priority = groups[order[from]].priority;
    std::vector<const BudgetGroup*> members;
    std::size_t to = from;
    for (; to < order.size() && groups[order[to]].priority == priority; ++to) {
      const BudgetGroup& group = groups[order[to]];
      if (!whole_or_none(group) || fitted.count(group.key)) members.push_back(&group);
    }
    grant_round_robin(members, caps, planned, seconds_left);
    from = to;
  }
  // What is left goes to the claims that did not fit: their cells' precision, not a verdict.
  grant_round_robin(left_out, caps, planned, seconds_left);
  return caps;
}

bool budget_admits(double elapsed, double budget, double visit_seconds, double slack) {
  if (elapsed >= budget) return false;
  if (!std::isfinite(visit_seconds) || !std::isfinite(slack)) return true;
  return elapsed + visit_seconds <= budget + slack;
}

}  // namespace bb
