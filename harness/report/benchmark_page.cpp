#include "report/benchmark_page.hpp"

#include <sstream>

#include "report/document.hpp"
#include "report/export.hpp"
#include "report/page.hpp"

namespace bb {

std::vector<ClaimResult> check_claims(const ReportInput& input) {
  return bench_page::Page(input).claims;
}

std::map<std::string, std::string> build_report(const ReportInput& input) {
  using namespace bench_page;
  Page page(input);
  doc::Document d;
  add_intro(d, page);
  add_headline(d, page);
  add_claims(d, page);
  add_fidelity(d, page);
  add_ci_states(d, page);
  add_step_times(d, page);
  add_image_sizes(d, page);
  add_registry(d, page);
  add_history(d, page);
  add_environment(d, page);
  add_warnings(d, page);
  add_scenario_notes(d, input);

  std::map<std::string, std::string> files;
  std::ostringstream md, html, json, csv;
  doc::render_markdown(md, d);
  doc::render_html(html, d);
  files["benchmark.md"] = md.str();
  files["benchmark.html"] = html.str();
  add_charts(files, page);
  export_report_json(json, input.suite_name, input.runs, input.scenario_order, page.groups,
                     page.claims);
  export_report_csv(csv, input.scenario_order, page.groups);
  files["data.json"] = json.str();
  files["data.csv"] = csv.str();
  return files;
}

}  // namespace bb
