#pragma once
// Every stored sample, one row per metric, as JSON or CSV.
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compare/claims.hpp"
#include "model/image.hpp"
#include "model/run.hpp"

namespace bb {

inline constexpr int kExportSchemaVersion = 1;
inline constexpr int kReportDataSchemaVersion = 1;

void export_json(std::ostream& out, const std::vector<RunRecord>& runs,
                 const std::vector<StoredSample>& samples);
void export_csv(std::ostream& out, const std::vector<StoredSample>& samples);
std::string csv_field(std::string_view text);
// A number for JSON; null when it is not finite (JSON has no NaN or infinity).
nlohmann::ordered_json json_number(double value);
// Google Benchmark's JSON (readable by its tools/compare.py and Bencher's adapter):
// one "iteration" entry per sample of each time metric, named scenario/state/metric.
void export_gbench(std::ostream& out, const std::vector<RunRecord>& runs,
                   const std::vector<StoredSample>& samples);
// hyperfine's --export-json shape: one result per scenario, state and time metric.
void export_hyperfine(std::ostream& out, const std::vector<StoredSample>& samples);

// The benchmark page's data.json: every group's statistics, scenario by scenario in the
// given order, and the claims with their verdicts.
void export_report_json(std::ostream& out, const std::string& suite,
                        const std::vector<RunRecord>& runs,
                        const std::vector<std::string>& scenario_order, const SampleGroups& groups,
                        const std::vector<ClaimResult>& claims);
// The page's data.csv: the same groups, a row each.
void export_report_csv(std::ostream& out, const std::vector<std::string>& scenario_order,
                       const SampleGroups& groups);

}  // namespace bb
