#include "report/page.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "model/group_tally.hpp"
#include "model/metrics.hpp"
#include "report/format.hpp"
#include "stats/stopping.hpp"
#include "stats/summary.hpp"

namespace bb::bench_page {

namespace {

std::string cell(const std::vector<double>& values, const std::string& unit) {
  if (values.empty()) return "–";
  auto s = stats::summarize(values);
  std::string text = format_value(s.median, unit);
  if (values.size() > 1 && s.mad > 0) text += " ±" + format_value(s.mad * 1.4826, unit);
  return text;
}

// "▲ +12%" or "▼ -30%" when the change against the previous step is significant over the
// page's steps (false discovery rate) and beyond the metric's threshold and floor (exact for
// deterministic metrics, which take no test).
std::string step_mark(const Page& page, const std::string& previous, const std::string& scenario,
                      const ScenarioColumn& col, const std::vector<double>& current) {
  auto previous_values = page.groups.get(previous, col.state, col.metric);
  if (previous_values.empty() || current.empty()) return "";
  auto it = page.steps.find({scenario, col.state, col.metric});
  auto row = it != page.steps.end()
                 ? it->second
                 : compare_values(col.metric, previous_values, current, page.options);
  bool moved = row.verdict == Verdict::kRegression || row.verdict == Verdict::kImprovement;
  if (!moved) return "";
  return fmt::format(" {} {}", row.change_percent > 0 ? "▲" : "▼",
                     format_percent(row.change_percent));
}

// Every measured group against the same group of the scenario before it, decided together.
std::map<std::tuple<std::string, std::string, std::string>, ComparisonRow> step_rows(
    const ReportInput& input, const SampleGroups& groups, const CompareOptions& options,
    RowFamily& family) {
  std::vector<std::tuple<std::string, std::string, std::string>> keys;
  std::vector<ComparisonRow> rows;
  const auto& order = input.scenario_order;
  for (std::size_t i = 1; i < order.size(); ++i) {
    for (const auto& [key, values] : groups.values) {
      const MetricInfo* info = find_metric(key.metric);
      if (key.group.scenario != order[i] || !info || !info->compared || info->deterministic)
        continue;
      auto previous = groups.get(order[i - 1], key.group.state, key.metric);
      if (previous.empty() || values.empty()) continue;
      keys.emplace_back(order[i], key.group.state, key.metric);
      rows.push_back(compare_values(key.metric, previous, values, options, order[i]));
    }
  }
  family = control_false_discoveries(rows, options);
  std::map<std::tuple<std::string, std::string, std::string>, ComparisonRow> steps;
  for (std::size_t k = 0; k < rows.size(); ++k) steps.emplace(keys[k], rows[k]);
  return steps;
}

// as-built first, then in the order the samples were taken.
std::vector<ModeColumn> measured_modes(const ReportInput& input) {
  std::vector<std::string> names = {std::string(kAsBuilt)};
  bool any = false;
  for (const auto& stored : input.samples) {
    if (stored.sample.kind != SampleKind::kStartup) continue;
    any = true;
    if (std::find(names.begin(), names.end(), stored.sample.state) == names.end())
      names.push_back(stored.sample.state);
  }
  std::vector<ModeColumn> columns;
  if (!any) return columns;
  for (const auto& name : names) {
    ModeColumn column{name, name, "", false};
    for (const auto& mode : input.modes) {
      if (mode.name != name) continue;
      column = {name, mode.label, mode.description, mode.python};
    }
    columns.push_back(column);
  }
  return columns;
}

// "python:3.11, python:3.11-slim": the base images of the run that were stand-ins.
std::vector<std::string> stand_in_images(const RunRecord* run) {
  std::vector<std::string> refs;
  if (!run || !run->fingerprint.contains("base_images")) return refs;
  for (const auto& [ref, fact] : run->fingerprint["base_images"].items()) {
    if (fact.value("stand_in", false)) refs.push_back(ref);
  }
  return refs;
}

// The CI cache states (opt-in) that have a sample, good or failed, in protocol order.
std::vector<std::string> measured_ci_states(const SampleGroups& groups) {
  std::set<std::string> seen;
  for (const auto& entry : groups.values) seen.insert(entry.first.group.state);
  for (const auto& entry : groups.failures) seen.insert(entry.first.state);
  std::vector<std::string> states;
  for (CacheState state : ci_cache_states()) {
    if (seen.count(to_string(state))) states.push_back(to_string(state));
  }
  return states;
}

// The precision the reported run aimed at for this metric's groups (precision 0: a fixed
// design, which aims at none; builds may have an absolute floor).
// A claim's build groups may have aimed tighter (claim_precision, when the run set it).
GroupTarget precision_target(const RunRecord* run, const MetricInfo& info, bool claimed = false) {
  GroupTarget target;
  if (!run || !run->options.is_object()) return target;
  bool startup = info.sample_kind == SampleKind::kStartup;
  auto number = [&](const char* key) {
    auto it = run->options.find(key);
    return it != run->options.end() && it->is_number() ? it->get<double>() : 0.0;
  };
  target.precision = number(startup ? "startup_precision" : "build_precision");
  if (!startup) {
    target.floor = number("build_precision_floor");
    if (claimed && number("claim_precision") > 0) target.precision = number("claim_precision");
  }
  return target;
}

// An adaptive run stops a group at its maximum even when its median is not yet within the
// target: such a median is marked, judged by today's rule (Student's t below six values) even
// for a run that stopped on 1.96, whose footnote then says so.
bool short_of_target(const std::vector<double>& values, const GroupTarget& target) {
  return target.precision > 0 && !values.empty() && !within_target(values, target);
}

// The figure a run stops a group on (measure's figure_of). Only its median can fall short of
// the target; a push time, one value per run, would always look short.
bool is_stopping_figure(const MetricInfo& info) {
  return info.name == kBuildSeconds || info.name == kReadySeconds;
}

// A median as the headline shows it: † when its group stopped short of the run's target,
// ▲/▼ against the previous scenario's.
std::string scenario_cell(const Page& page, const ScenarioColumn& col, const std::string& scenario,
                          const std::string& previous, bool& marked) {
  auto values = page.groups.get(scenario, col.state, col.metric);
  const MetricInfo& info = *find_metric(col.metric);
  std::string text = cell(values, info.unit.data());
  bool claimed = page.claimed.count({scenario, sample_kind_of(col.metric), col.state}) > 0;
  if (is_stopping_figure(info) &&
      short_of_target(values, precision_target(page.run, info, claimed))) {
    text += " †";
    marked = true;
  }
  if (!previous.empty() && info.compared)  // not a derived figure such as stored vs gzip
    text += step_mark(page, previous, scenario, col, values);
  return text;
}

}  // namespace

// The states `run` measures by default: the headline's and the build chart's.
const std::vector<std::string> kStates = names_of(all_cache_states());

namespace {

// A claim is judged on its pairs when they come from one run.
std::map<std::string, ClaimPairs> paired_claims(const std::vector<Claim>& claims,
                                                const RunRecord& run,
                                                const std::vector<StoredSample>& samples,
                                                const std::vector<PairRecord>& pairs) {
  if (pairs.empty() || !run.options.is_object() || !run.options.contains("claim_pairs")) return {};
  return claim_pairs(claims, samples, pairs, run.options["claim_pairs"]);
}

std::map<std::string, ClaimPairs> paired_claims(const ReportInput& in) {
  if (in.runs.size() != 1) return {};
  return paired_claims(in.claims, in.runs.back(), in.samples, in.pairs);
}

}  // namespace

Page::Page(const ReportInput& in)
    : input(in),
      options(options_of(in)),
      groups(in.samples),
      modes(measured_modes(in)),
      claims(judge_claims(in.claims, groups, options, paired_claims(in))),
      run(in.runs.empty() ? nullptr : &in.runs.back()),
      fidelity(judge_fidelity(in.fidelity, run ? run->fingerprint : nlohmann::json::object())),
      stand_ins(stand_in_images(run)),
      ci_states(measured_ci_states(groups)),
      claimed(timed_claim_groups(in.claims)),
      steps(step_rows(in, groups, options, step_family)) {
  if (in.pool_runs.empty() || in.pool <= 1) return;
  std::vector<std::vector<ClaimResult>> per_claim(claims.size());
  for (std::size_t i = 0; i < claims.size(); ++i) per_claim[i].push_back(claims[i]);
  for (std::size_t r = 0; r < in.pool_runs.size() && r + 1 < in.pool; ++r) {
    const PoolRun& pool = in.pool_runs[r];
    auto earlier = judge_claims(in.claims, SampleGroups(pool.samples), options,
                                paired_claims(in.claims, pool.run, pool.samples, pool.pairs));
    for (std::size_t i = 0; i < earlier.size(); ++i) {
      // A run that did not measure both sides has nothing to add.
      if (earlier[i].subject_count && earlier[i].baseline_count) per_claim[i].push_back(earlier[i]);
    }
  }
  for (const auto& results : per_claim) pooled.push_back(pool_claim(results, options.alpha));
}

CompareOptions Page::options_of(const ReportInput& in) {
  CompareOptions options;
  options.alpha = in.alpha;
  options.build_floor_seconds = build_floor_seconds(in.runs);
  return options;
}

// A build time's headline column per cache state.
std::string state_title(const std::string& state) {
  static const std::map<CacheState, std::string_view> titles = {
      {CacheState::kCold, "Cold build"},
      {CacheState::kWarmNoChange, "Rebuild, no change"},
      {CacheState::kWarmCode, "Rebuild after code edit"},
      {CacheState::kWarmDeps, "Rebuild after dependency edit"},
  };
  auto parsed = parse_cache_state(state);
  auto it = parsed ? titles.find(*parsed) : titles.end();
  return it == titles.end() ? state : std::string(it->second);
}

// Whether any scenario has a good value of the metric in the state.
bool measured(const SampleGroups& groups, const std::string& state, std::string_view metric) {
  return std::any_of(groups.values.begin(), groups.values.end(), [&](const auto& entry) {
    return entry.first.group.state == state && entry.first.metric == metric;
  });
}

doc::Table scenario_table(const Page& page, const std::vector<ScenarioColumn>& columns,
                          bool& marked) {
  doc::Table table;
  table.header = {"Scenario"};
  for (const auto& col : columns) table.header.push_back(col.title);
  table.align = {doc::Align::kLeft};
  table.align.resize(table.header.size(), doc::Align::kRight);
  std::string previous;
  for (const auto& scenario : page.input.scenario_order) {
    std::vector<std::string> row = {scenario};
    for (const auto& col : columns)
      row.push_back(scenario_cell(page, col, scenario, previous, marked));
    table.rows.push_back(row);
    previous = scenario;
  }
  return table;
}

// What † means, under a table that has one: the run's targets, those it set.
std::string short_of_target_note(const Page& page) {
  std::vector<std::string> targets;
  for (auto [metric, what] : {std::pair{kBuildSeconds, "builds"}, {kReadySeconds, "start-ups"}}) {
    auto target = precision_target(page.run, *find_metric(metric));
    if (target.precision <= 0) continue;
    std::string text = fmt::format("±{:g}% for {}", target.precision * 100, what);
    if (target.floor > 0)
      text += fmt::format(" (±{:g} ms when that is wider)", target.floor * 1000);
    auto claim_target = precision_target(page.run, *find_metric(metric), true);
    if (claim_target.precision != target.precision)
      text +=
          fmt::format(", ±{:g}% for the {} a claim compares", claim_target.precision * 100, what);
    targets.push_back(text);
  }
  std::string note = fmt::format(
      "†: the group reached its most repetitions before its median's 95% interval came within "
      "the run's target ({}); read it as less precise.",
      fmt::join(targets, ", "));
  // Runs before the stand-in took Student's t stopped some groups at 3-5 values on 1.96:
  // judged by today's interval, those fall short without having reached their maximum.
  if (page.run && page.run->options.is_object() && !page.run->options.contains("stand_in"))
    note +=
        " This run stopped groups below six values on a normal 1.96 where Student's t "
        "belongs, so a group marked here may have stopped early rather than at its maximum.";
  return note;
}

}  // namespace bb::bench_page
