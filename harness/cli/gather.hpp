#pragma once
// Collects, from the store, the plain data a report is built from.
#include <string>

#include "report/benchmark_page.hpp"
#include "scenario/manifest.hpp"
#include "store/store.hpp"

namespace bb {

// The kind= label of last night's side of a paired nightly (cli/nightly.cpp): measured again
// tonight beside tonight's run, it is no night of its own, so the history leaves it out.
inline constexpr const char* kNightlyBaselineKind = "nightly-baseline";

// report_run: a run selector or "latest-complete"; report_suite: a suite manifest for
// scenario order and claims ("" uses the run's own, when it still exists).
ReportInput gather_report_input(Store& store, const std::string& report_run,
                                const std::string& report_suite, const ManifestVars& vars);

}  // namespace bb
