#pragma once
// How many repetitions a group (scenario x cache state, or scenario x start-up mode) gets.
// A fixed design runs every group `runs` times. The adaptive design runs each group at least
// `min_runs` times and stops once the 95% interval of its median is within the target
// half-width, or at `max_runs`: it stops on precision, never on significance, so the tests
// run on its samples keep their meaning.
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace bb {

namespace stats {
// The adaptive design's absolute floor for build medians (run --precision-floor, in seconds),
// and what compare takes a median to be known to: one place for both.
inline constexpr double kBuildPrecisionFloorSeconds = 0.020;
}  // namespace stats

struct GroupTarget {
  int min_runs = 3;
  int max_runs = 3;
  double precision = 0;  // relative half-width of the median's 95% interval; 0: fixed count
  // An absolute half-width (the values' unit) that is precise enough whatever its share of
  // the median: a fully cached rebuild of ~150 ms jitters by more than 3% from the docker
  // CLI's own start, and no claim turns on a few milliseconds of it.
  double floor = 0;
  // The stand-in below six values takes Student's t(n-1). Runs before 2026-11-26 took 1.96:
  // false replays them under the rule that stopped them.
  bool student_t = true;
};

// The relative half-width a group with these values must reach: the target's precision, or
// its floor over the median when that is wider.
double required_half_width(const std::vector<double>& values, const GroupTarget& target);

// Whether the median's stopping half-width is within the target (never for a fixed design).
bool within_target(const std::vector<double>& values, const GroupTarget& target);

// The relative half-width of the median's distribution-free 95% interval: the larger of
// (median - low) and (high - median) over the median. Infinite when the interval is not
// available (fewer than 6 values) or the median is 0.
double relative_half_width(const std::vector<double>& values);

// The median's normal-theory spread for one value, relative: 1.2533 sigma over the median
// (its standard error is this over sqrt(n)). NaN below two values or for a median that is
// not positive.
double median_unit_spread(const std::vector<double>& values);

// The median's normal-theory 95% half-width, relative: t(n-1) x 1.2533 sigma / sqrt(n) over
// the median, Student's t because sigma is estimated from the same n values (1.96 when
// !student_t, the rule of runs before 2026-11-26).
double normal_half_width(const std::vector<double>& values, bool student_t = true);

// The half-width the stopping rule judges: the interval's when it exists (six values or
// more); below that, from three values on, normal_half_width stands in, so quiet groups need
// not run six times. The report still shows no 95% interval for such a group and marks it.
double stopping_half_width(const std::vector<double>& values, bool student_t = true);

// Whether a group with these values after `attempts` (failed ones included) needs another.
bool needs_more(const std::vector<double>& values, int attempts, const GroupTarget& target);

// A group's stopping half-width scaled to one value and freed of its critical value
// (h sqrt(n) / t(n-1), from six values over the order-statistic interval's expected factor):
// comparable across group sizes, and pooled
// over the groups of a kind it predicts what a group with too few values of its own will need.
// NaN below three values.
double unit_half_width(const std::vector<double>& values, bool student_t = true);

// The fewest runs in [min_runs, max_runs] whose stopping half-width, for this unit width,
// is within `required` (the maximum when none is).
int runs_for(double unit_width, double required, const GroupTarget& target);

// Repetitions a group is expected to still take, for the ETA: the minimum still due, or for
// the adaptive design runs_for(its unit width) - n, from the group's own spread once it has
// three values. Before that, `typical_need` (a unit width over the half-width its group
// requires, pooled over the groups of its kind, or for a start-up of its mode, in this run: a
// ratio, so a fast group's floor counts even before it has a value; NaN when unknown), then
// `prior` (what the group took in the suite's last run, -1 when unknown), then max_runs:
// planning for the worst keeps the total from jumping late. A slow machine's start-ups, counted
// at their minimum until one was timed, put the time left 75% short at 79% of a main job.
int expected_more(const std::vector<double>& values, int attempts, const GroupTarget& target,
                  int prior = -1, double typical_need = std::numeric_limits<double>::quiet_NaN());

}  // namespace bb
