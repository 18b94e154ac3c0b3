#include "session/pairing.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "stats/power.hpp"
#include "stats/summary.hpp"
#include "util/text.hpp"

namespace bb {

std::string to_string(PairOrder order) {
  return order == PairOrder::kAbba ? "abba" : "coin";
}

bool PairOrderer::baseline_first(const GroupTally::Key& group) {
  auto& [taken, block_first] = taken_[group];
  bool first;
  if (order_ == PairOrder::kCoin) {
    first = coin();
  } else {
    // The first pair of each block of two draws; the second takes the other order.
    first = taken % 2 == 0 ? (block_first = coin()) : !block_first;
  }
  ++taken;
  return first;
}

void PairOrderer::seed(const GroupTally::Key& group, bool baseline_first) {
  auto& [taken, block_first] = taken_[group];
  if (taken % 2 == 0) block_first = baseline_first;
  ++taken;
}

namespace {

// compare calls a regression only when the estimate also passes its threshold (5% for
// times), so a change the size of the threshold is called about half the time, whatever n.
std::string threshold_advice(const GroupTally::Key& key, double sigma, double detect, int n) {
  double passes = chance_to_pass(detect, 0.05, paired_standard_error(sigma, n));
  double flag_at = threshold_to_flag(sigma, detect, n);
  std::string advice;
  if (flag_at < 0.001) {  // below 0.1% no threshold is a usable advice
    advice = "no threshold passes it reliably at these pairs; raise --max-pairs";
  } else if (flag_at < 0.05) {
    // Rounded down: the printed threshold keeps the 95%.
    advice = fmt::format("--threshold {}:build_seconds={:.1f} passes it in 95%",
                         printable(key.scenario), std::floor(flag_at * 1000) / 10);
  }
  return fmt::format(
      "buildbench: --detect {:g}%: {} {}: compare also needs the estimate beyond its threshold "
      "(5% for times), which a {:g}% change passes in about {:.0f}% of sessions{}{}",
      detect * 100, printable(key.scenario), key.state, detect * 100, passes * 100,
      advice.empty() ? "" : "; ", advice);
}

}  // namespace

int decide_pairs(const GroupTally::Key& key, const std::vector<double>& ratios, double detect,
                 int max_pairs, Progress& progress) {
  std::string where = fmt::format("{} {}", printable(key.scenario), key.state);
  if (ratios.size() < 2) {
    int n = std::max(max_pairs, kFewestPairs);
    progress.message(fmt::format(
        "buildbench: --detect: {}: fewer than 2 good pilot pairs; taking --max-pairs ({})", where,
        n));
    return n;
  }
  double sigma = stats::stddev(ratios);
  int n = pairs_to_detect(sigma, detect, max_pairs);
  progress.message(fmt::format(
      "buildbench: --detect {:g}%: {}: log-ratio SD {:.4f} over {} pilot pairs; n = ((1.960 + "
      "0.842) x {:.4f} / ln {:g})^2 / (3/pi) = {:.1f} -> {} pairs (at least {}, at most "
      "--max-pairs {})",
      detect * 100, where, sigma, ratios.size(), sigma, 1 + detect, pairs_formula(sigma, detect), n,
      kFewestPairs, max_pairs));
  progress.message(threshold_advice(key, sigma, detect, n));
  return n;
}

}  // namespace bb
