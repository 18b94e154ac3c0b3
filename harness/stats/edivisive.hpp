#pragma once
// STUB (replaced by the edivisive branch): the agreed declarations only.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace bb::stats {

struct ChangePoint {
  std::size_t first_night;
  double p_value;
  double ratio, ratio_low, ratio_high;
  double before_level, after_level;
};
struct EDivisiveOptions {
  double alpha = 0.05;
  int permutations = 199;
  std::size_t min_nights = 2;
  std::uint64_t seed = 1;
};
std::vector<ChangePoint> e_divisive(const std::vector<std::vector<double>>& nights,
                                    const EDivisiveOptions& options = {});

}  // namespace bb::stats
