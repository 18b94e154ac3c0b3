#include "stats/changepoint.hpp"

#include <cmath>

#include "stats/rank_tests.hpp"
#include "stats/summary.hpp"

namespace bb::stats {

std::optional<LevelShift> detect_shift(const std::vector<double>& series, std::size_t min_segment,
                                       double alpha, double threshold_percent) {
  std::optional<LevelShift> best;
  if (series.size() < 2 * min_segment) return best;
  for (std::size_t k = min_segment; k + min_segment <= series.size(); ++k) {
    std::vector<double> before(series.begin(), series.begin() + k);
    std::vector<double> after(series.begin() + k, series.end());
    auto test = mann_whitney(before, after);
    if (best && test.p_value >= best->p_value) continue;
    LevelShift shift;
    shift.index = k;
    shift.before_median = median(before);
    shift.after_median = median(after);
    shift.change_percent = shift.before_median != 0 ? (shift.after_median - shift.before_median) /
                                                          std::fabs(shift.before_median) * 100
                                                    : 0;
    shift.p_value = test.p_value;
    best = shift;
  }
  // Testing every split inflates false alarms: Bonferroni over the splits tried.
  std::size_t splits = series.size() - 2 * min_segment + 1;
  if (!best || best->p_value * splits >= alpha ||
      std::fabs(best->change_percent) < threshold_percent) {
    return std::nullopt;
  }
  return best;
}

}  // namespace bb::stats
