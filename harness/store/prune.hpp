#pragma once
// What prune-history keeps: which runs lose their raw samples, and the per-group summaries
// that replace them. Pure functions over plain records; the store applies them.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/run.hpp"
#include "store/store.hpp"

namespace bb {

// Runs older than the newest `keep` (`runs` in id order, as Store::runs gives them), but not
// those already pruned or still running.
std::vector<std::int64_t> runs_to_prune(const std::vector<RunRecord>& runs, std::size_t keep);

// One row per scenario, kind, state and metric of the run's measured (non-warm-up) samples;
// each row counts its group's failed samples.
std::vector<Store::SummaryRow> prune_summaries(std::int64_t run_id,
                                               const std::vector<StoredSample>& samples);

}  // namespace bb
