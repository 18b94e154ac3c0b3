#include "session/pairing.hpp"

#include <catch2/catch.hpp>

using namespace bb;

TEST_CASE("abba orders every block of two pairs both ways, the seed decides which first") {
  PairOrderer orderer(PairOrder::kAbba, 42), again(PairOrder::kAbba, 42);
  GroupTally::Key a{"s", SampleKind::kBuild, "cold"}, b{"s", SampleKind::kBuild, "warm-code"};
  std::vector<bool> firsts;
  for (int i = 0; i < 20; ++i) {
    bool first = orderer.baseline_first(i % 2 ? a : b);  // two groups interleaved
    CHECK(first == again.baseline_first(i % 2 ? a : b));
    firsts.push_back(first);
  }
  for (int group = 0; group < 2; ++group) {
    std::vector<bool> own;
    for (std::size_t i = group; i < firsts.size(); i += 2) own.push_back(firsts[i]);
    for (std::size_t i = 0; i + 1 < own.size(); i += 2) CHECK(own[i] != own[i + 1]);
  }
  PairOrderer coin(PairOrder::kCoin, 1);
  int baseline_first = 0;
  for (int i = 0; i < 1000; ++i) baseline_first += coin.baseline_first(a);
  CHECK(baseline_first > 430);
  CHECK(baseline_first < 570);
}
