#pragma once
// The benchmark page: markdown (and HTML) with charts, claims checked, and the data
// behind it as JSON and CSV. Built from plain data; it never queries docker or SQLite.
#include <map>
#include <string>
#include <vector>

#include "compare/claims.hpp"
#include "report/report_input.hpp"  // ReportInput, HistoryPoint

namespace bb {

// The suite's claims judged (in compare/) on the reported samples at the input's alpha.
std::vector<ClaimResult> check_claims(const ReportInput& input);

// File name -> content: benchmark.md, benchmark.html, *.svg, data.json, data.csv.
std::map<std::string, std::string> build_report(const ReportInput& input);

}  // namespace bb
