#pragma once
// Pieces shared by sub-commands (run, compare, nightly).
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "compare/compare.hpp"
#include "scenario/scenario.hpp"
#include "session/runner.hpp"
#include "stats/edivisive.hpp"

namespace bb {

struct RunOutcome {
  std::int64_t run_id = 0;
  std::size_t samples = 0;
  std::size_t failed = 0;  // samples stored as failed
};
// Takes the daemon lock, runs, prints the summary line.
RunOutcome execute_run(const Suite& suite, const RunOptions& options, const std::string& db_path,
                       bool no_wait, const std::string& builder);

// The same for `buildbench ab`: both sides measured pair by pair.
AbResult execute_ab(const Suite& baseline, const Suite& candidate, const AbOptions& options,
                    const std::string& db_path, bool no_wait, const std::string& builder);

// Warns on stderr about groups that drift within their run (Mann-Kendall).
void print_drift(const std::vector<StoredSample>& samples);

// Compares two run selections from the store: paired when they hold pairs (and
// options.pairing allows), unpaired otherwise.
Comparison compare_selections(Store& store, const std::vector<std::int64_t>& base_ids,
                              const std::vector<std::int64_t>& cand_ids, CompareOptions options);

// 0 no regression, 1 regression, 3 failed samples.
int compare_exit_code(const Comparison& comparison);

// The history page of `nightlies` (history.md, history.html, an SVG per series) into
// `out_dir`; `git_dir` is the suite's checkout, where the causes' commits are looked up.
void write_history_page(Store& store, const std::vector<RunRecord>& nightlies,
                        const std::filesystem::path& git_dir, const std::filesystem::path& out_dir,
                        const stats::EDivisiveOptions& detector = {});

}  // namespace bb
