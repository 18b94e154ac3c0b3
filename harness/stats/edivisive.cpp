#include "stats/edivisive.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

#include "stats/rank_tests.hpp"
#include "stats/summary.hpp"

namespace bb::stats {

namespace {

// The series on the log scale (a step is a ratio), with the sums the statistic needs per pair
// of nights: distance[a][b] = sum of |x - y| over x in night a, y in night b (for a == b, over
// ordered pairs of distinct samples). Every split's q-hat is then a sum of these blocks, so a
// permutation of nights costs O(nights^2), not O(samples^2).
struct NightTable {
  std::vector<std::vector<double>> logs;
  std::vector<double> counts;
  std::vector<std::vector<double>> distance;
};

NightTable night_table(const std::vector<std::vector<double>>& nights) {
  NightTable table;
  for (std::size_t i = 0; i < nights.size(); ++i) {
    if (nights[i].empty()) {
      throw std::invalid_argument("e_divisive: night " + std::to_string(i) + " has no samples");
    }
    std::vector<double> logs;
    for (double v : nights[i]) {
      if (!(v > 0) || !std::isfinite(v)) {
        throw std::invalid_argument("e_divisive: night " + std::to_string(i) +
                                    " has a value that is not positive and finite");
      }
      logs.push_back(std::log(v));
    }
    table.logs.push_back(std::move(logs));
    table.counts.push_back(static_cast<double>(nights[i].size()));
  }
  std::size_t k = nights.size();
  table.distance.assign(k, std::vector<double>(k, 0));
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = a; b < k; ++b) {
      double sum = 0;
      for (double x : table.logs[a]) {
        for (double y : table.logs[b]) sum += std::fabs(x - y);
      }
      table.distance[a][b] = table.distance[b][a] = sum;
    }
  }
  return table;
}

// q-hat from the sums of distances across (between), and within each side over unordered
// pairs, and the sides' sample counts. A side of one sample has no pairs: its term is 0.
double scaled_divergence(double between, double within_left, double within_right, double m,
                         double n) {
  double left_pairs = m * (m - 1) / 2, right_pairs = n * (n - 1) / 2;
  double divergence = 2 * between / (m * n) - (left_pairs > 0 ? within_left / left_pairs : 0) -
                      (right_pairs > 0 ? within_right / right_pairs : 0);
  return m * n / (m + n) * divergence;
}

struct Split {
  bool found = false;  // false: the segment is too short to split
  double q = 0;
  std::size_t at = 0;  // position of the first night of the right side
};

// The best split of the nights order[begin, end), moving one night at a time from the right
// side to the left and updating the three sums.
Split best_split(const NightTable& table, const std::vector<std::size_t>& order, std::size_t begin,
                 std::size_t end, std::size_t min_nights) {
  Split best;
  if (end - begin < 2 * min_nights) return best;
  const auto& d = table.distance;
  double left = 0, right = 0, between = 0, m = 0, n = 0;
  for (std::size_t i = begin; i < end; ++i) {
    n += table.counts[order[i]];
    right += d[order[i]][order[i]] / 2;
    for (std::size_t j = i + 1; j < end; ++j) right += d[order[i]][order[j]];
  }
  for (std::size_t i = begin; i + min_nights < end; ++i) {
    std::size_t t = order[i];
    double to_left = 0, to_right = 0;
    for (std::size_t j = begin; j < i; ++j) to_left += d[order[j]][t];
    for (std::size_t j = i + 1; j < end; ++j) to_right += d[t][order[j]];
    left += to_left + d[t][t] / 2;
    right -= to_right + d[t][t] / 2;
    between += to_right - to_left;
    m += table.counts[t];
    n -= table.counts[t];
    if (i + 1 - begin < min_nights) continue;
    double q = scaled_divergence(between, left, right, m, n);
    if (!best.found || q > best.q) best = {true, q, i + 1};
  }
  return best;
}

// The segment (between consecutive boundaries) whose best split is largest, and that split.
struct Candidate {
  Split split;
  std::size_t segment = 0;
};

Candidate best_candidate(const NightTable& table, const std::vector<std::size_t>& order,
                         const std::vector<std::size_t>& bounds, std::size_t min_nights) {
  Candidate best;
  for (std::size_t s = 0; s + 1 < bounds.size(); ++s) {
    Split split = best_split(table, order, bounds[s], bounds[s + 1], min_nights);
    if (split.found && (!best.split.found || split.q > best.split.q)) best = {split, s};
  }
  return best;
}

// Fisher-Yates with the generator's raw output: mt19937_64 is specified by the standard, so
// the same seed shuffles alike on every platform (std::shuffle's use of it is not).
void shuffle(std::vector<std::size_t>& order, std::size_t begin, std::size_t end,
             std::mt19937_64& rng) {
  for (std::size_t i = end - begin; i > 1; --i) {
    std::size_t j = static_cast<std::size_t>(rng() % i);
    std::swap(order[begin + i - 1], order[begin + j]);
  }
}

// Permutation p of the largest q-hat over the current segments. Whole nights are permuted
// within each segment, never single samples: the samples of one night share that night's
// drift, so only nights are exchangeable under "no change"; permuting samples would make
// every night-to-night wobble look like a change. Stops once p can no longer reach alpha
// (the decision is the full test's), and then returns a p above alpha.
double permutation_p(const NightTable& table, const std::vector<std::size_t>& bounds,
                     double observed, const EDivisiveOptions& options, std::mt19937_64& rng) {
  std::vector<std::size_t> order(table.logs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  int at_least = 0;  // permutations whose statistic reaches the observed one
  double tolerance = 1e-12 * std::max(1.0, std::fabs(observed));
  for (int r = 1; r <= options.permutations; ++r) {
    for (std::size_t s = 0; s + 1 < bounds.size(); ++s)
      shuffle(order, bounds[s], bounds[s + 1], rng);
    Candidate permuted = best_candidate(table, order, bounds, options.min_nights);
    if (permuted.split.q >= observed - tolerance) {
      ++at_least;
    }
    if ((at_least + 1) > options.alpha * (options.permutations + 1)) {
      return (at_least + 1.0) / (r + 1.0);
    }
  }
  return (at_least + 1.0) / (options.permutations + 1.0);
}

std::vector<double> night_medians(const NightTable& table, std::size_t begin, std::size_t end) {
  std::vector<double> medians;
  for (std::size_t i = begin; i < end; ++i) medians.push_back(median(table.logs[i]));
  return medians;
}

// Size of each point against its neighbouring segments. Hodges-Lehmann over the night
// medians, not the samples: nights are the independent units, so an interval from the
// samples would be as narrow as if night-to-night drift did not exist.
std::vector<ChangePoint> sized(const NightTable& table, const std::vector<std::size_t>& bounds,
                               const std::vector<std::pair<std::size_t, double>>& found) {
  std::vector<ChangePoint> points;
  for (std::size_t s = 1; s + 1 < bounds.size(); ++s) {
    auto before = night_medians(table, bounds[s - 1], bounds[s]);
    auto after = night_medians(table, bounds[s], bounds[s + 1]);
    Shift shift = hodges_lehmann(before, after, 0.95);
    ChangePoint point;
    point.first_night = bounds[s];
    point.p_value = std::find_if(found.begin(), found.end(), [&](const auto& f) {
                      return f.first == bounds[s];
                    })->second;
    point.ratio = std::exp(shift.estimate);
    point.ratio_low = std::exp(shift.low);
    point.ratio_high = std::exp(shift.high);
    point.before_level = std::exp(median(before));
    point.after_level = std::exp(median(after));
    points.push_back(point);
  }
  return points;
}

}  // namespace

double q_hat(const std::vector<double>& values, std::size_t split) {
  double between = 0, left = 0, right = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (std::size_t j = i + 1; j < values.size(); ++j) {
      double d = std::fabs(values[i] - values[j]);
      if (j < split) {
        left += d;
      } else if (i >= split) {
        right += d;
      } else {
        between += d;
      }
    }
  }
  double m = static_cast<double>(split), n = static_cast<double>(values.size() - split);
  return scaled_divergence(between, left, right, m, n);
}

std::vector<ChangePoint> e_divisive(const std::vector<std::vector<double>>& nights,
                                    const EDivisiveOptions& options) {
  NightTable table = night_table(nights);
  std::size_t min_nights = std::max<std::size_t>(1, options.min_nights);
  EDivisiveOptions test = options;
  test.min_nights = min_nights;
  std::mt19937_64 rng(options.seed);
  std::vector<std::size_t> identity(nights.size());
  for (std::size_t i = 0; i < identity.size(); ++i) identity[i] = i;
  std::vector<std::size_t> bounds = {0, nights.size()};
  std::vector<std::pair<std::size_t, double>> found;  // first night, p
  while (true) {
    Candidate candidate = best_candidate(table, identity, bounds, min_nights);
    if (!candidate.split.found) break;
    double p = permutation_p(table, bounds, candidate.split.q, test, rng);
    if (p > options.alpha) break;
    found.emplace_back(candidate.split.at, p);
    bounds.insert(bounds.begin() + static_cast<std::ptrdiff_t>(candidate.segment) + 1,
                  candidate.split.at);
  }
  return sized(table, bounds, found);
}

}  // namespace bb::stats
