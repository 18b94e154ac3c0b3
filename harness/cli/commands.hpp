#pragma once
// Pieces shared by sub-commands (run, compare, nightly).
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "compare/compare.hpp"
#include "measure/runner.hpp"
#include "scenario/scenario.hpp"

namespace bb {

// Takes the daemon lock, runs, prints the summary line; returns the run id.
std::int64_t execute_run(const Suite& suite, const RunOptions& options, const std::string& db_path,
                         bool no_wait, const std::string& builder);

// Compares two run selections from the store.
Comparison compare_selections(Store& store, const std::vector<std::int64_t>& base_ids,
                              const std::vector<std::int64_t>& cand_ids, CompareOptions options);

// 0 no regression, 1 regression, 3 failed samples.
int compare_exit_code(const Comparison& comparison);

}  // namespace bb
