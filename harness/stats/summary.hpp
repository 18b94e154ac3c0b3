#pragma once
// Statistics as small free functions over plain vectors of values.
#include <cstddef>
#include <optional>
#include <vector>

namespace bb::stats {

double median(std::vector<double> values);  // NaN for an empty vector
double mean(const std::vector<double>& values);
double stddev(const std::vector<double>& values);  // sample (n - 1); 0 for n < 2
// Median absolute deviation, unscaled (multiply by 1.4826 for a normal sigma).
double mad(const std::vector<double>& values);

// Distribution-free confidence interval of the median from order statistics:
// [x(l), x(n-l+1)] with the largest l whose exact binomial coverage reaches `level`.
struct Interval {
  double low = 0;
  double high = 0;
  double coverage = 0;     // achieved (>= level when available)
  bool available = false;  // false: too few values for the level; low/high are min/max
};
Interval median_ci(std::vector<double> values, double level = 0.95);

// The rank l of that interval, [x(l), x(n-l+1)]: the largest whose coverage reaches the
// level; 0 when not even [min, max] does.
std::size_t median_ci_rank(std::size_t n, double level = 0.95);

// Modified z-scores (Iglewicz and Hoaglin): 0.6745 (x - median) / MAD.
std::vector<double> modified_z_scores(const std::vector<double>& values);
// Indices of values whose |modified z| exceeds `threshold` (3.5, as hyperfine uses).
std::vector<std::size_t> outliers(const std::vector<double>& values, double threshold = 3.5);

struct Summary {
  std::size_t count = 0;     // successful values
  std::size_t failures = 0;  // failed samples in the group
  double min = 0, max = 0, mean = 0, median = 0, stddev = 0, mad = 0;
  double cv = 0;  // stddev / mean
  Interval median_ci;
  std::vector<std::size_t> outliers;
};
Summary summarize(const std::vector<double>& values, std::size_t failures = 0);

}  // namespace bb::stats
