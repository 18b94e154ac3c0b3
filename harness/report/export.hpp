#pragma once
// Every stored sample, one row per metric, as JSON or CSV.
#include <ostream>
#include <vector>

#include "model/image.hpp"
#include "model/run.hpp"

namespace bb {

inline constexpr int kExportSchemaVersion = 1;

void export_json(std::ostream& out, const std::vector<RunRecord>& runs,
                 const std::vector<StoredSample>& samples);
void export_csv(std::ostream& out, const std::vector<StoredSample>& samples);
std::string csv_field(std::string_view text);
// Google Benchmark's JSON (readable by its tools/compare.py and Bencher's adapter):
// one "iteration" entry per sample of each time metric, named scenario/state/metric.
void export_gbench(std::ostream& out, const std::vector<RunRecord>& runs,
                   const std::vector<StoredSample>& samples);
// hyperfine's --export-json shape: one result per scenario, state and time metric.
void export_hyperfine(std::ostream& out, const std::vector<StoredSample>& samples);

}  // namespace bb
