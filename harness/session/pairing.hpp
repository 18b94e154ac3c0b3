#pragma once
// The order within pairs, and how many pairs --detect asks for after its pilot.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "model/group_tally.hpp"
#include "progress/progress.hpp"

namespace bb {

// abba: pairs come in blocks of two, AB then BA or BA then AB, a coin deciding per block
// (balanced, and a linear drift cancels within each block); coin: a coin per pair.
enum class PairOrder { kAbba, kCoin };
std::string to_string(PairOrder order);

// Decides, pair after pair, which side runs first; the same seed gives the same orders.
class PairOrderer {
 public:
  PairOrderer(PairOrder order, std::uint32_t seed) : order_(order), random_(seed) {}
  // Whether the baseline runs first in the group's next pair.
  bool baseline_first(const GroupTally::Key& group);
  // A pair a resumed run took before, so that its block of two is completed the other way.
  void seed(const GroupTally::Key& group, bool baseline_first);

 private:
  bool coin() { return (random_() >> 31) != 0; }
  PairOrder order_;
  std::mt19937 random_;
  std::map<GroupTally::Key, std::pair<int, bool>> taken_;  // pairs so far, first of the block
};

// The pairs a group takes after its pilot's log ratios (--detect), said with the formula and
// what compare's threshold then does to detection.
int decide_pairs(const GroupTally::Key& key, const std::vector<double>& ratios, double detect,
                 int max_pairs, Progress& progress);

}  // namespace bb
