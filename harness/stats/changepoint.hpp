#pragma once
// Lasting shifts in a series of per-run medians (nightly history), not night-to-night
// noise: the split into "before" and "after" that a Mann-Whitney test separates best,
// kept only when significant and beyond a threshold (in the spirit of asv's step detection).
#include <cstddef>
#include <optional>
#include <vector>

namespace bb::stats {

struct LevelShift {
  std::size_t index = 0;  // first point of the new level
  double before_median = 0;
  double after_median = 0;
  double change_percent = 0;
  double p_value = 1;
};

std::optional<LevelShift> detect_shift(const std::vector<double>& series,
                                       std::size_t min_segment = 3, double alpha = 0.01,
                                       double threshold_percent = 5);

}  // namespace bb::stats
