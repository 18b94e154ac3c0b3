#include "session/budget.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bb {

std::map<GroupTally::Key, int> budget_caps(const std::vector<BudgetGroup>& groups,
                                           double seconds_left) {
  std::map<GroupTally::Key, int> caps;
  double planned = 0;
  for (const auto& group : groups) {
    // A claim's groups and the start-ups keep their minimums; the headline's other build
    // groups keep one value (their cell), the rest of their minimum waits for the claims.
    int floor =
        group.priority == BudgetPriority::kBuild ? std::min(group.min_runs, 1) : group.min_runs;
    int cap = std::max(group.taken, floor);
    caps[group.key] = cap;
    planned += (cap - group.taken) * group.seconds;
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
    std::size_t to = from;
    while (to < order.size() && groups[order[to]].priority == priority) ++to;
    for (bool granted = true; granted;) {
      granted = false;
      for (std::size_t i = from; i < to; ++i) {
        const BudgetGroup& group = groups[order[i]];
        int& cap = caps[group.key];
        if (cap >= group.wanted || planned + group.seconds > seconds_left) continue;
        ++cap;
        planned += group.seconds;
        granted = true;
      }
    }
    from = to;
  }
  return caps;
}

bool budget_admits(double elapsed, double budget, double visit_seconds, double slack) {
  if (elapsed >= budget) return false;
  if (!std::isfinite(visit_seconds) || !std::isfinite(slack)) return true;
  return elapsed + visit_seconds <= budget + slack;
}

}  // namespace bb
