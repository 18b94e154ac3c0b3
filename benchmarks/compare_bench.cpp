// `buildbench compare` over a year of nightly history: 400 runs, 10 scenarios, 4 cache
// states, 10 samples each (plus start-up samples). Target: under 200 ms per compare.
#include <benchmark/benchmark.h>

#include "compare/compare.hpp"
#include "history.hpp"
#include "store/store.hpp"

namespace {

void BM_CompareLatestTwoNightlies(benchmark::State& state) {
  auto path = bb::bench::history_db();
  for (auto _ : state) {
    bb::Store store(path, bb::Store::Mode::kReadOnly);
    auto base_ids = store.select_runs("nightly=n398");
    auto cand_ids = store.select_runs("latest");
    std::vector<bb::RunRecord> base_runs, cand_runs;
    for (auto id : base_ids) base_runs.push_back(*store.run(id));
    for (auto id : cand_ids) cand_runs.push_back(*store.run(id));
    auto comparison = bb::compare(base_runs, store.samples(base_ids, false), cand_runs,
                                  store.samples(cand_ids, false), {});
    benchmark::DoNotOptimize(comparison.rows.size());
  }
}
BENCHMARK(BM_CompareLatestTwoNightlies)->Unit(benchmark::kMillisecond);

void BM_CompareLabelPool(benchmark::State& state) {
  // branch=main pools every one of the 400 runs against the latest.
  auto path = bb::bench::history_db();
  for (auto _ : state) {
    bb::Store store(path, bb::Store::Mode::kReadOnly);
    auto base_ids = store.select_runs("branch=main");
    auto cand_ids = store.select_runs("latest");
    std::vector<bb::RunRecord> base_runs, cand_runs;
    for (auto id : base_ids) base_runs.push_back(*store.run(id));
    for (auto id : cand_ids) cand_runs.push_back(*store.run(id));
    benchmark::DoNotOptimize(bb::compare(base_runs, store.samples(base_ids, false), cand_runs,
                                         store.samples(cand_ids, false), {}));
  }
}
BENCHMARK(BM_CompareLabelPool)->Unit(benchmark::kMillisecond);

}  // namespace
