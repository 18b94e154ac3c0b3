#pragma once
// What the benchmark page is built from: plain records gathered from the store (cli/gather)
// and the suite. Apart from benchmark_page.hpp so the page's parts (page.hpp) read it too.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/group_key.hpp"
#include "model/image.hpp"
#include "model/run.hpp"
#include "scenario/scenario.hpp"

namespace bb {

struct HistoryPoint {
  std::int64_t run_id = 0;
  std::string date;  // YYYY-MM-DD of the run
  std::map<MetricKey, double> medians;
};

// An earlier stored run whose claims the page pools with the reported run's (report --pool).
struct PoolRun {
  RunRecord run;
  std::vector<StoredSample> samples;
  std::vector<PairRecord> pairs;  // its claims' pairs (pair rows within the run)
};

struct ReportInput {
  std::string suite_name;
  std::string suite_description;
  std::vector<std::string> scenario_order;
  std::map<std::string, std::string> descriptions;
  std::map<std::string, std::string> differs;
  std::vector<Claim> claims;
  std::vector<FidelityCheck> fidelity;  // the suite's checks of its base images
  std::vector<StartupMode> modes;       // known start-up modes: labels and notes for the page
  bool python_suite = false;            // a scenario names a Python start-up mode
  std::string claims_title = "Claims";
  std::string differs_title = "Notes";
  std::vector<RunRecord> runs;
  std::vector<StoredSample> samples;
  // Pair rows within the reported run (its claims measured pair by pair); read when the page
  // reports one run.
  std::vector<PairRecord> pairs;
  std::map<std::string, ImageRecord> images;  // scenario -> image of its last good build
  std::vector<HistoryPoint> history;          // oldest first, including the reported run
  std::string reproduce;                      // the command that reproduces the run
  double alpha = 0.05;  // significance level of claims, step marks and drift (compare's --alpha)
  // The suite's earlier runs on the same engine, stand-ins, network profile and inputs,
  // newest first, that each claim is pooled over with this one; `pool`: the most runs a
  // pooled claim takes, this one included (report --pool; 1: this run only).
  std::vector<PoolRun> pool_runs;
  std::size_t pool = 1;
  // Earlier runs the pool would have taken but for their testbed (another than the reported
  // run's); with across_testbeds (report --across-testbeds) none is left out and the runs may
  // be of several testbeds.
  std::size_t pool_other_testbeds = 0;
  bool across_testbeds = false;
};

}  // namespace bb
