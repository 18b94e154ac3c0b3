#include "stats/fdr.hpp"

#include <algorithm>
#include <numeric>

namespace bb::stats {

std::vector<double> benjamini_hochberg(const std::vector<double>& p_values) {
  std::size_t m = p_values.size();
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p_values[a] < p_values[b]; });
  std::vector<double> adjusted(m, 1.0);
  double running = 1.0;  // the minimum over the larger p's, from the top down
  for (std::size_t rank = m; rank >= 1; --rank) {
    std::size_t i = order[rank - 1];
    running = std::min(running, p_values[i] * static_cast<double>(m) / static_cast<double>(rank));
    adjusted[i] = std::min(1.0, running);
  }
  return adjusted;
}

}  // namespace bb::stats
