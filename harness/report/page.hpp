#pragma once
// The benchmark page's parts: what every section reads (Page), the helpers sections share, and
// one builder per section (page_results, page_details, page_charts); benchmark_page puts them
// in order. Internal to report/.
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "compare/claims.hpp"
#include "compare/compare.hpp"
#include "compare/fidelity.hpp"
#include "model/group_key.hpp"
#include "report/document.hpp"
#include "report/report_input.hpp"

namespace bb::bench_page {

// The states `run` measures by default: the headline's, the step table's and the build chart's.
extern const std::vector<std::string> kStates;

// A start-up mode measured in the reported samples, as the page names it.
struct ModeColumn {
  std::string name;
  std::string label;
  std::string description;
  bool python = false;
};

// What every section of the page reads.
struct Page {
  const ReportInput& input;
  CompareOptions options;  // the alpha of step marks, claims and drift
  SampleGroups groups;
  std::vector<ModeColumn> modes;
  std::vector<ClaimResult> claims;
  const RunRecord* run = nullptr;     // the latest reported run
  std::vector<FidelityRow> fidelity;  // the suite's checks, on the latest run's base images
  std::vector<std::string> stand_ins;
  std::vector<std::string> ci_states;  // CI cache states with a sample, in protocol order
  std::set<GroupKey> claimed;          // the groups a claim compares
  // Each claim pooled over this run and input.pool_runs (in claims' order); empty when the
  // page pools no earlier run.
  std::vector<PooledClaim> pooled;
  // Every measured group against the previous scenario's, (scenario, state, metric) -> row,
  // with the false discovery rate controlled over all of them: the page's ▲/▼. step_family
  // first: steps' initializer fills it.
  RowFamily step_family;
  std::map<std::tuple<std::string, std::string, std::string>, ComparisonRow> steps;

  explicit Page(const ReportInput& in);
  static CompareOptions options_of(const ReportInput& in);
};

// A column of a table with a row per scenario: a metric's median in one state ("": a
// deterministic metric, from any state).
struct ScenarioColumn {
  std::string title, state, metric;
};

// Shared by the sections (page.cpp).
std::string state_title(const std::string& state);  // a build time's column per cache state
// Whether any scenario has a good value of the metric in the state.
bool measured(const SampleGroups& groups, const std::string& state, std::string_view metric);
// A row per scenario; `marked` is set when a median carries † (short of the run's target).
doc::Table scenario_table(const Page& page, const std::vector<ScenarioColumn>& columns,
                          bool& marked);
std::string short_of_target_note(const Page& page);  // what † means, under a table with one

// Results, claims and the text around them (page_results.cpp).
void add_intro(doc::Document& d, const Page& page);
void add_headline(doc::Document& d, const Page& page);
void add_claims(doc::Document& d, const Page& page);
// "✅ confirmed, by at least 3%", "❌ refuted — no practical difference (within ±3%)": a
// claim's verdict as the page words it.
std::string claim_verdict_words(const ClaimResult& c);
// How a claim was measured: "paired, 12 pairs, stopped at look 2 of 4", "paired, 6 pairs"
// (the fixed design), "unpaired", or "" (a deterministic metric, or no data).
std::string claim_design_words(const ClaimResult& c);
// The claim's text, with its setting and state when the suite's claim names several states.
std::string claim_title(const Claim& claim);
void add_fidelity(doc::Document& d, const Page& page);
void add_environment(doc::Document& d, const Page& page);
void add_warnings(doc::Document& d, const Page& page);
void add_scenario_notes(doc::Document& d, const ReportInput& input);
std::string failed_warning(const SampleGroups& groups);
// "the 30-minute budget ended its groups (two cold, one cold) at 4 and 5 runs of 6" for a claim
// whose groups the run's time budget left short; "" when it left them be.
std::string budget_undecided(const Claim& claim, const RunRecord& run);
std::string noisy_warning(const SampleGroups& groups, const std::set<GroupKey>& claimed);

// Where the time goes, CI cache states, image sizes and shipping (page_details.cpp).
void add_step_times(doc::Document& d, const Page& page);
void add_ci_states(doc::Document& d, const Page& page);
void add_image_sizes(doc::Document& d, const Page& page);
void add_registry(doc::Document& d, const Page& page);
std::string clean_instruction(std::string text);  // a layer's instruction as the page shows it
std::string step_label(const std::string& name);  // a build step's name as the page shows it
doc::List ci_state_list(const std::vector<std::string>& states);

// The charts and the history section (page_charts.cpp).
void add_history(doc::Document& d, const Page& page);
void add_charts(std::map<std::string, std::string>& files, const Page& page);
std::string trend_chart(const ReportInput& input, const std::string& title,
                        const std::string& label, const std::string& state,
                        const std::string& metric, double scale);

}  // namespace bb::bench_page
