#pragma once
// Collects, from the store, the plain data a report is built from.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "report/benchmark_page.hpp"
#include "report/history_page.hpp"
#include "scenario/manifest.hpp"
#include "store/store.hpp"

namespace bb {

// The kind= label of last night's side of a paired nightly (cli/nightly.cpp): measured again
// tonight beside tonight's run, it is no night of its own, so the history leaves it out.
inline constexpr const char* kNightlyBaselineKind = "nightly-baseline";

// The runs a claim is pooled over by default, the reported one included (report --pool).
inline constexpr std::size_t kDefaultPool = 5;

// What two runs must share for their claims to be pooled: the engine (docker_server,
// buildkit), the stand-in base images, the network profile and the suite's inputs (the same
// code), as one string.
std::string pool_key(const RunRecord& run);

// The testbed a command keeps to (model/testbed), or none: --across-testbeds.
using TestbedFilter = std::optional<std::string>;
bool on_testbed(const RunRecord& run, const TestbedFilter& testbed);

// report_run: a run selector or "latest-complete"; report_suite: a suite manifest for
// scenario order and claims ("" uses the run's own, when it still exists); pool: the most
// runs each claim is pooled over, this one included (1: this run only), from the suite's
// earlier complete runs with the same pool_key, newest first. Without `across_testbeds`, a
// selection of runs of several testbeds is refused (UsageError naming them and the flag), and
// the pool and the trend keep to the reported run's testbed (the page says how many runs the
// pool left out).
ReportInput gather_report_input(Store& store, const std::string& report_run,
                                const std::string& report_suite, const ManifestVars& vars,
                                std::size_t pool = kDefaultPool, bool across_testbeds = false);

// The history page's series: for each tracked metric and group the nightlies measured, a
// night per run of `nightlies` (in their order) with its samples, the change points that
// E-divisive finds over them, and for each what changed between the nights on either side
// (`git_dir`: the suite's checkout, where commits are looked up).
HistoryInput gather_history(Store& store, const std::vector<RunRecord>& nightlies,
                            const std::filesystem::path& git_dir,
                            const stats::EDivisiveOptions& detector = {});

// The complete nightlies (label kind=nightly) of `suite_name` on `testbed` up to run `up_to`,
// oldest first; run `up_to` itself whatever its status.
std::vector<RunRecord> nightlies_up_to(Store& store, const std::string& suite_name,
                                       std::int64_t up_to, const TestbedFilter& testbed = {});
// Of `runs`, the last complete nightly of `suite_name` on `testbed`: the night `nightly`
// measures beside tonight's.
std::optional<RunRecord> previous_nightly(const std::vector<RunRecord>& runs,
                                          const std::string& suite_name,
                                          const TestbedFilter& testbed);

}  // namespace bb
