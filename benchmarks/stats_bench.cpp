#include <random>

#include <benchmark/benchmark.h>

#include "stats/rank_tests.hpp"
#include "stats/summary.hpp"

namespace {

std::vector<double> values(int n, int seed) {
  std::mt19937 rng(seed);
  std::lognormal_distribution<double> d(0, 0.1);
  std::vector<double> v;
  for (int i = 0; i < n; ++i) v.push_back(d(rng));
  return v;
}

void BM_Summarize(benchmark::State& state) {
  auto v = values(static_cast<int>(state.range(0)), 1);
  for (auto _ : state) benchmark::DoNotOptimize(bb::stats::summarize(v));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_Summarize)->Arg(10)->Arg(20)->Arg(100)->Arg(1000);

void BM_MannWhitney(benchmark::State& state) {
  auto x = values(static_cast<int>(state.range(0)), 1);
  auto y = values(static_cast<int>(state.range(0)), 2);
  for (auto _ : state) benchmark::DoNotOptimize(bb::stats::mann_whitney(x, y));
}
BENCHMARK(BM_MannWhitney)->Arg(5)->Arg(10)->Arg(20)->Arg(50)->Arg(200);

void BM_HodgesLehmann(benchmark::State& state) {
  auto x = values(static_cast<int>(state.range(0)), 1);
  auto y = values(static_cast<int>(state.range(0)), 2);
  for (auto _ : state) benchmark::DoNotOptimize(bb::stats::hodges_lehmann(x, y));
}
BENCHMARK(BM_HodgesLehmann)->Arg(5)->Arg(10)->Arg(20)->Arg(50)->Arg(200);

}  // namespace
