// `buildbench report` over a year of nightly history (the page, its charts and the trend
// over 400 runs). Target: under one second.
#include <benchmark/benchmark.h>

#include "cli/gather.hpp"
#include "history.hpp"

namespace {

void BM_ReportYearOfHistory(benchmark::State& state) {
  auto path = bb::bench::history_db();
  for (auto _ : state) {
    bb::Store store(path, bb::Store::Mode::kReadOnly);
    auto input = bb::gather_report_input(store, "latest-complete", "", {});
    auto files = bb::build_report(input);
    benchmark::DoNotOptimize(files.size());
  }
}
BENCHMARK(BM_ReportYearOfHistory)->Unit(benchmark::kMillisecond);

}  // namespace
