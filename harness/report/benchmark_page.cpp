#include "report/benchmark_page.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "compare/claims.hpp"
#include "compare/compare.hpp"
#include "measure/schedule.hpp"
#include "model/metrics.hpp"
#include "report/document.hpp"
#include "report/export.hpp"
#include "report/format.hpp"
#include "report/svg.hpp"
#include "scenario/scenario.hpp"
#include "stats/summary.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

// The states `run` measures by default: the headline's and the build chart's.
const std::vector<std::string> kStates = names_of(all_cache_states());

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

std::string cell(const std::vector<double>& values, const std::string& unit) {
  if (values.empty()) return "–";
  auto s = stats::summarize(values);
  std::string text = format_value(s.median, unit);
  if (values.size() > 1 && s.mad > 0) text += " ±" + format_value(s.mad * 1.4826, unit);
  return text;
}

// "▲ +12%" or "▼ -30%" when the change against the previous step is significant and
// beyond the metric's threshold (exact for deterministic metrics).
std::string step_mark(const std::vector<double>& previous, const std::vector<double>& current,
                      const std::string& metric, const CompareOptions& options) {
  if (previous.empty() || current.empty()) return "";
  auto row = compare_values(metric, previous, current, options);
  bool moved = row.verdict == Verdict::kRegression || row.verdict == Verdict::kImprovement;
  if (!moved) return "";
  return fmt::format(" {} {}", row.change_percent > 0 ? "▲" : "▼",
                     format_percent(row.change_percent));
}

std::string clean_instruction(std::string text) {
  // "RUN |1 PIP_INDEX_URL=... /bin/sh -c pip install ... # buildkit" -> "RUN pip install ..."
  static const std::regex args(R"(^RUN \|\d+( \S+=\S*)* )");
  text = std::regex_replace(text, args, "RUN ");
  static const std::regex shell(R"(/bin/sh -c )");
  text = std::regex_replace(text, shell, "");
  static const std::regex buildkit(R"( # buildkit$)");
  text = std::regex_replace(text, buildkit, "");
  if (text.empty()) text = "(base image)";
  if (text.size() > 110) text = text.substr(0, 107) + "...";
  return text;
}

std::string step_label(const std::string& name) {
  // "[server 3/9] RUN pip install" -> "server 3/9: RUN pip install"
  static const std::regex prefix(R"(^\[([^\]]*)\] )");
  std::smatch m;
  if (std::regex_search(name, m, prefix)) return m[1].str() + ": " + name.substr(m[0].length());
  return name;
}

std::string date_of(const std::string& iso) {
  return iso.substr(0, 10);
}

double scale_for(const std::string& unit) {
  return unit == "bytes" ? 1e-6 : unit == "s" ? 1000 : 1;
}

// "3 failed sample(s) in 2 group(s): ..." or "" when none failed.
std::string failed_warning(const SampleGroups& groups) {
  if (groups.failures.empty()) return "";
  std::size_t total = 0;
  std::vector<std::string> names;
  for (const auto& [key, count] : groups.failures) {
    total += count;
    names.push_back(fmt::format("{} ({})", to_string(key), count));
  }
  return fmt::format(
      "{} failed sample(s) in {} group(s): {}; each is stored with its reason, see 'buildbench "
      "export'",
      total, names.size(), fmt::join(names, ", "));
}

// "12 groups noisy (CV > 10%): a, b, ..." rather than a line per group; groups that a claim
// compares come first, then the noisiest.
std::string noisy_warning(const SampleGroups& groups, const std::set<GroupKey>& claimed) {
  struct Noisy {
    bool claimed;
    double cv;
    std::string name;
  };
  std::vector<Noisy> noisy;
  for (const auto& [key, values] : groups.values) {
    if (values.size() < 3 || (key.metric != kBuildSeconds && key.metric != kReadySeconds)) continue;
    auto s = stats::summarize(values);
    if (s.cv <= 0.10) continue;
    bool is_claimed = claimed.count(key.group) > 0;
    noisy.push_back(
        {is_claimed, s.cv, fmt::format("{} {:.0f}%", to_string(key.group), s.cv * 100)});
  }
  if (noisy.empty()) return "";
  std::sort(noisy.begin(), noisy.end(), [](const Noisy& a, const Noisy& b) {
    return std::tie(b.claimed, b.cv) < std::tie(a.claimed, a.cv);
  });
  std::vector<std::string> claimed_names, other_names;
  for (const auto& n : noisy) (n.claimed ? claimed_names : other_names).push_back(n.name);
  std::vector<std::string> parts;
  if (!claimed_names.empty())
    parts.push_back(fmt::format("{} compared by a claim ({})", claimed_names.size(),
                                fmt::join(claimed_names, ", ")));
  if (!other_names.empty())
    parts.push_back(
        fmt::format("{} other(s) ({})", other_names.size(), fmt::join(other_names, ", ")));
  return fmt::format(
      "{} group(s) noisy (CV > 10%): {}; an adaptive run (--precision) repeats a noisy group "
      "up to its maximum, † marks a median still short of its target",
      noisy.size(), fmt::join(parts, "; "));
}

std::string thin_claims_warning(const std::vector<ClaimResult>& claims) {
  std::vector<std::string> thin;
  for (const auto& c : claims) {
    if (c.verdict == ClaimVerdict::kInconclusive && c.subject_count && c.subject_count < 5)
      thin.push_back(
          fmt::format("{} ({} against {})", c.claim.id, c.subject_count, c.baseline_count));
  }
  if (thin.empty()) return "";
  return fmt::format(
      "{} claim(s) inconclusive on too few samples: {}; rerun with --precision or --runs 5 or "
      "more",
      thin.size(), fmt::join(thin, ", "));
}

std::vector<std::string> grouped_warnings(const SampleGroups& groups,
                                          const std::vector<ClaimResult>& claims,
                                          const std::vector<Claim>& suite_claims) {
  std::vector<std::string> warnings;
  for (auto warning :
       {failed_warning(groups), noisy_warning(groups, timed_claim_groups(suite_claims)),
        thin_claims_warning(claims)}) {
    if (!warning.empty()) warnings.push_back(warning);
  }
  return warnings;
}

// A start-up mode measured in the reported samples, as the page names it.
struct ModeColumn {
  std::string name;
  std::string label;
  std::string description;
  bool python = false;
};

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

std::string startup_note(const std::vector<ModeColumn>& modes) {
  if (modes.empty()) return "";
  std::string note =
      " Start-up is from the container's own main process start (stamped inside the container) "
      "to the moment buildbench reads the service's ready line; docker's create and start are "
      "outside it (startup_seconds, from docker start, has them).";
  for (const auto& mode : modes) {
    if (mode.name != kAsBuilt && !mode.description.empty()) note += " " + mode.description + ".";
  }
  return note;
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

// Whether any scenario has a good value of the metric in the state.
bool measured(const SampleGroups& groups, const std::string& state, std::string_view metric) {
  return std::any_of(groups.values.begin(), groups.values.end(), [&](const auto& entry) {
    return entry.first.group.state == state && entry.first.metric == metric;
  });
}

// What every section of the page reads.
struct Page {
  const ReportInput& input;
  CompareOptions options;  // the alpha of step marks, claims and drift
  SampleGroups groups;
  std::vector<ModeColumn> modes;
  std::vector<ClaimResult> claims;
  const RunRecord* run = nullptr;  // the latest reported run
  std::vector<std::string> stand_ins;
  std::vector<std::string> ci_states;  // CI cache states with a sample, in protocol order
  std::set<GroupKey> claimed;          // the groups a claim compares

  explicit Page(const ReportInput& in)
      : input(in),
        options(options_of(in)),
        groups(in.samples),
        modes(measured_modes(in)),
        claims(judge_claims(in.claims, groups, options)),
        run(in.runs.empty() ? nullptr : &in.runs.back()),
        stand_ins(stand_in_images(run)),
        ci_states(measured_ci_states(groups)),
        claimed(timed_claim_groups(in.claims)) {}

  static CompareOptions options_of(const ReportInput& in) {
    CompareOptions options;
    options.alpha = in.alpha;
    return options;
  }
};

void add_intro(doc::Document& d, const Page& page) {
  const ReportInput& input = page.input;
  d.title = fmt::format("Benchmark: {}", input.suite_name);
  std::vector<std::string> run_ids;
  for (const auto& r : input.runs) run_ids.push_back(std::to_string(r.id));
  std::vector<doc::Span> intro = {{input.suite_description + " "}};
  intro.push_back({fmt::format("Measured by buildbench, run {} ({}).", fmt::join(run_ids, ", "),
                               page.run ? date_of(page.run->started_at) : "?")});
  d.paragraph(intro);
  if (page.stand_ins.empty()) return;
  d.paragraph({{"Note:", true},
               {" "},
               {fmt::format("measured on stand-in base images ({}) built from Debian packages "
                            "(no registry access), not the official images of those names; "
                            "compare scenarios with each other, not these absolute numbers "
                            "with yours.",
                            fmt::join(page.stand_ins, ", "))}});
}

// A column of a table with a row per scenario: a metric's median in one state ("": a
// deterministic metric, from any state).
struct ScenarioColumn {
  std::string title, state, metric;
};

// From the catalog: a build time per cache state, a start-up metric per measured mode, any
// other metric (deterministic: the same in every state) once.
std::vector<ScenarioColumn> headline_columns(const std::vector<ModeColumn>& modes) {
  std::vector<ScenarioColumn> columns;
  for (const MetricInfo* info : headline_metrics()) {
    std::string metric(info->name), title(info->headline_title);
    if (info->sample_kind == SampleKind::kStartup) {
      for (const auto& mode : modes) {
        columns.push_back(
            {modes.size() == 1 ? title : title + ", " + mode.label, mode.name, metric});
      }
    } else if (!info->deterministic) {
      for (const auto& state : kStates) {
        columns.push_back(
            {title.empty() ? state_title(state) : fmt::format("{} ({})", title, state), state,
             metric});
      }
    } else {
      columns.push_back({title, "", metric});
    }
  }
  return columns;
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
  if (!previous.empty() && info.compared) {  // not a derived figure such as stored vs gzip
    text += step_mark(page.groups.get(previous, col.state, col.metric), values, col.metric,
                      page.options);
  }
  return text;
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

void add_headline(doc::Document& d, const Page& page) {
  d.heading(2, "Results");
  bool marked = false;
  d.table(scenario_table(page, headline_columns(page.modes), marked));
  std::string short_note = marked ? " " + short_of_target_note(page) : "";
  d.paragraph(
      fmt::format("Medians ± scaled MAD. ▲/▼: a change against the previous row that is "
                  "significant (Mann-Whitney U, p < {:g}) and beyond 5% for times or 1% for "
                  "sizes; sizes are compared exactly.",
                  page.options.alpha) +
      short_note + startup_note(page.modes));
  d.image("build-time.svg", "Build time per scenario and cache state");
  if (!page.modes.empty()) d.image("startup.svg", "Start-up time per scenario and start-up mode");
  d.image("image-size.svg", "Image size per scenario");
}

std::vector<std::string> claim_row(const ClaimResult& c) {
  std::string verdict = to_string(c.verdict);
  if (c.verdict == ClaimVerdict::kConfirmed) verdict = "✅ confirmed";
  if (c.verdict == ClaimVerdict::kRefuted) verdict = "❌ refuted";
  if (c.verdict == ClaimVerdict::kInconclusive) verdict = "❔ inconclusive";
  std::string what = c.claim.state.empty() ? c.claim.metric
                                           : fmt::format("{} ({})", c.claim.metric, c.claim.state);
  auto side = [&](const std::string& name, double median, std::size_t count) {
    return count ? fmt::format("{}: {} (n={})", name, format_value(median, c.unit), count)
                 : name + ": no data";
  };
  bool both = c.subject_count && c.baseline_count;
  std::string change = both ? format_percent(c.change_percent) : "–";
  if (c.ci_available && !c.deterministic) {
    change += fmt::format(" [{:+.1f}, {:+.1f}]", c.ci_low_percent, c.ci_high_percent);
  }
  std::string p = c.deterministic || !both ? "–" : fmt::format("{:.3f}", c.p_value);
  return {c.claim.text,
          verdict,
          side(c.claim.subject, c.subject_median, c.subject_count),
          side(c.claim.baseline, c.baseline_median, c.baseline_count),
          change,
          p,
          fmt::format("{}; {}", what, c.reason)};
}

void add_claims(doc::Document& d, const Page& page) {
  if (page.claims.empty()) return;
  d.heading(2, page.input.claims_title);
  doc::Table t;
  t.header = {"Claim", "Verdict", "Subject", "Compared with", "Change [95% CI]", "p", "Why"};
  t.align = {doc::Align::kLeft,  doc::Align::kLeft,  doc::Align::kRight, doc::Align::kRight,
             doc::Align::kRight, doc::Align::kRight, doc::Align::kLeft};
  for (const auto& c : page.claims) t.rows.push_back(claim_row(c));
  d.table(t);
  d.paragraph(fmt::format(
      "A claim is confirmed only when the difference is significant (p < {:g}) and its 95% "
      "interval excludes zero, or, for deterministic metrics such as image size, when the exact "
      "values show it; refuted when significant the other way or when the interval shows no "
      "meaningful difference; inconclusive otherwise.",
      page.options.alpha));
}

// Median time of each instruction of a scenario per cache state; nothing when it has none.
std::optional<doc::Table> step_table(const std::vector<StoredSample>& samples,
                                     const std::string& scenario,
                                     const std::vector<std::string>& states) {
  std::vector<std::string> order;
  std::map<std::string, std::map<std::string, std::vector<double>>> times;  // step -> state -> s
  std::map<std::string, std::map<std::string, int>> cached, seen;
  for (const auto& stored : samples) {
    const Sample& s = stored.sample;
    if (s.scenario != scenario || s.kind != SampleKind::kBuild || s.status != SampleStatus::kOk ||
        s.warmup)
      continue;
    for (const auto& step : s.steps) {
      if (!step.is_instruction()) continue;
      if (std::find(order.begin(), order.end(), step.name) == order.end())
        order.push_back(step.name);
      times[step.name][s.state].push_back(step.seconds());
      cached[step.name][s.state] += step.cached;
      seen[step.name][s.state] += 1;
    }
  }
  if (order.empty()) return std::nullopt;
  doc::Table t;
  t.header = {"Instruction"};
  t.align = {doc::Align::kLeft};
  for (const auto& st : states) {
    t.header.push_back(st);
    t.align.push_back(doc::Align::kRight);
  }
  for (const auto& name : order) {
    std::vector<std::string> row = {step_label(name)};
    for (const auto& st : states) {
      auto it = times[name].find(st);
      bool mostly_cached = cached[name][st] * 2 > seen[name][st];
      row.push_back(it == times[name].end() ? "–"
                    : mostly_cached         ? "cached"
                                            : format_seconds(stats::median(it->second)));
    }
    t.rows.push_back(row);
  }
  return t;
}

void add_step_times(doc::Document& d, const Page& page) {
  d.heading(2, "Where the time goes");
  d.paragraph(
      "Median time of each Dockerfile instruction, per cache state; \"cached\" when most "
      "samples served it from the build cache.");
  // The CI states too: what an imported cache served is what they are about.
  auto states = kStates;
  states.insert(states.end(), page.ci_states.begin(), page.ci_states.end());
  for (const auto& scenario : page.input.scenario_order) {
    auto table = step_table(page.input.samples, scenario, states);
    if (!table) continue;
    d.heading(3, scenario);
    d.table(*table);
  }
}

doc::Table size_table(const ReportInput& input, bool show_pyc) {
  doc::Table sizes;
  sizes.header = {"Scenario", "Image", "Compressed"};
  if (show_pyc)
    sizes.header.insert(sizes.header.end(), {".pyc files", ".pyc bytes", "Share of image"});
  sizes.align = {doc::Align::kLeft};
  while (sizes.align.size() < sizes.header.size()) sizes.align.push_back(doc::Align::kRight);
  for (const auto& scenario : input.scenario_order) {
    auto it = input.images.find(scenario);
    if (it == input.images.end()) continue;
    const auto& img = it->second;
    std::vector<std::string> row = {scenario, format_bytes(img.size_bytes),
                                    format_bytes(img.compressed_bytes)};
    if (show_pyc) {
      row.insert(
          row.end(),
          {std::to_string(img.pyc_count), format_bytes(img.pyc_bytes),
           img.size_bytes ? fmt::format("{:.1f}%", 100.0 * img.pyc_bytes / img.size_bytes) : "–"});
    }
    sizes.rows.push_back(row);
  }
  return sizes;
}

doc::Table layer_table(const ImageRecord& image, bool show_pyc) {
  doc::Table t;
  t.header = {"#", "Instruction", "Size", "Compressed"};
  if (show_pyc) t.header.insert(t.header.end(), {".pyc files", ".pyc bytes"});
  t.align = {doc::Align::kRight, doc::Align::kLeft};
  while (t.align.size() < t.header.size()) t.align.push_back(doc::Align::kRight);
  for (const auto& layer : image.layers) {
    std::vector<std::string> row = {
        std::to_string(layer.index), clean_instruction(layer.created_by),
        format_bytes(layer.size_bytes), format_bytes(layer.compressed_bytes)};
    if (show_pyc) {
      row.insert(row.end(), {std::to_string(layer.pyc_count), format_bytes(layer.pyc_bytes)});
    }
    t.rows.push_back(row);
  }
  return t;
}

void add_image_sizes(doc::Document& d, const Page& page) {
  const ReportInput& input = page.input;
  d.heading(2, "Image size");
  // Bytecode columns only where bytecode is a subject: the suite names a Python mode or one ran
  // (base images may hold .pyc of their own tools; that alone says nothing about the suite).
  bool show_pyc = input.python_suite || std::any_of(page.modes.begin(), page.modes.end(),
                                                    [](const auto& m) { return m.python; });
  d.table(size_table(input, show_pyc));
  // gather keeps the last build whose layers were read: the scenario's first cold image when
  // the run built one (an edit's image differs by the edit alone).
  d.paragraph(show_pyc ? "The bytes that bytecode adds are the .pyc files; per layer below (the "
                         "scenario's image whose layers the run read: its first cold build's)."
                       : "Per layer below (the scenario's image whose layers the run read: its "
                         "first cold build's).");
  for (const auto& scenario : input.scenario_order) {
    auto it = input.images.find(scenario);
    if (it == input.images.end()) continue;
    d.details_begin(fmt::format("{}: layers", scenario));
    d.table(layer_table(it->second, show_pyc));
    d.details_end();
  }
}

// A string the run stored at object[key], or "".
std::string stored_string(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// The network profile the run's registry traffic went through: its fingerprint's, else its
// options'; "" for a run that stored neither.
std::string network_profile(const RunRecord* run) {
  if (!run) return "";
  std::string profile;
  if (run->fingerprint.is_object() && run->fingerprint.contains("network"))
    profile = stored_string(run->fingerprint["network"], "profile");
  return profile.empty() ? stored_string(run->options, "network_profile") : profile;
}

// A registry metric's column and what the sentence under the table says of it.
struct RegistryColumn {
  std::string_view metric, title, meaning;
};

const std::vector<RegistryColumn> kRegistryColumns = {
    {kPushSeconds, "Push", "push: docker push of the image to the run's local registry"},
    {kPullSeconds, "Pull into an empty engine",
     "pull: docker pull of the pushed image into a second engine that holds nothing of it, base "
     "images included (a fresh host)"},
    {kPullOntoBaseSeconds, "Pull onto its base",
     "pull onto its base: docker pull of the pushed image into a second engine that holds its "
     "base image (the last stage's FROM) but not it: the layers the scenario adds, what a new "
     "release costs a host that has the base"},
    {kRegistryBytes, "Stored in the registry",
     "stored: the layer and config sizes the registry's manifest lists"},
    {kRegistryVsGzipPercent, "Stored vs gzip estimate",
     "stored vs gzip estimate: how much that differs from the Compressed column "
     "(image_compressed_bytes), in percent"},
};

// " (wan)" when the run stored its network profile; nothing is guessed.
std::string profile_note(const RunRecord* run) {
  std::string profile = network_profile(run);
  return profile.empty() ? "" : fmt::format(" ({})", profile);
}

// The registry metrics (--registry): on each scenario's first good cold build of a run.
void add_registry(doc::Document& d, const Page& page) {
  std::vector<ScenarioColumn> columns;
  std::vector<std::string> meanings;
  std::string cold = to_string(CacheState::kCold);
  for (const auto& c : kRegistryColumns) {
    if (!measured(page.groups, cold, c.metric)) continue;
    columns.push_back({std::string(c.title), cold, std::string(c.metric)});
    meanings.emplace_back(c.meaning);
  }
  if (columns.empty()) return;
  d.heading(2, "Shipping the image");
  bool marked = false;  // none of these is a figure a run stops on: never marked
  d.table(scenario_table(page, columns, marked));
  d.paragraph(fmt::format(
      "Once per scenario and run, the image of its first good cold build; pushes and pulls go "
      "through the run's network profile{}. {}; ▲/▼ as under Results.",
      profile_note(page.run), fmt::join(meanings, "; ")));
}

// What each CI cache state measures (measure/ci_cache.hpp, the README's table of states).
const std::map<CacheState, std::string_view> kCiStateMeanings = {
    {CacheState::kCiRegistry,
     "an emptied builder (a fresh CI runner) imports the previous build's cache from the "
     "registry (type=registry, mode=max), after a code edit"},
    {CacheState::kCiLocal,
     "an emptied builder imports the previous build's cache from a local folder (type=local, "
     "mode=max), after a code edit"},
    {CacheState::kCiInline,
     "an emptied builder imports the cache inline in the previous build's pushed image "
     "(type=inline), after a code edit"},
    {CacheState::kExportMin, "warm-code's build exporting its cache to the registry with mode=min"},
    {CacheState::kExportMax, "warm-code's build exporting its cache to the registry with mode=max"},
    {CacheState::kExportLocal,
     "warm-code's build exporting its cache to a local folder with mode=max"},
    {CacheState::kExportInline,
     "warm-code's build with its cache inline in the image (type=inline)"},
};

// The reference builds first (cold, warm-code), then each CI state's build time with its
// cache import and export where BuildKit reported them.
std::vector<ScenarioColumn> ci_columns(const Page& page) {
  std::vector<ScenarioColumn> columns;
  std::string build(kBuildSeconds);
  for (std::string state : names_of({CacheState::kCold, CacheState::kWarmCode})) {
    if (measured(page.groups, state, kBuildSeconds))
      columns.push_back({state_title(state), state, build});
  }
  for (const auto& state : page.ci_states) {
    columns.push_back({state, state, build});
    for (auto [metric, what] :
         {std::pair{kCacheImportSeconds, "import"}, std::pair{kCacheExportSeconds, "export"}}) {
      if (measured(page.groups, state, metric))
        columns.push_back({fmt::format("{}, cache {}", state, what), state, std::string(metric)});
    }
  }
  return columns;
}

doc::List ci_state_list(const std::vector<std::string>& states) {
  doc::List list;
  for (const auto& state : states) {
    auto parsed = parse_cache_state(state);
    auto it = parsed ? kCiStateMeanings.find(*parsed) : kCiStateMeanings.end();
    if (it == kCiStateMeanings.end()) continue;
    list.items.push_back({{state, false, true}, {": " + std::string(it->second) + "."}});
  }
  return list;
}

void add_ci_states(doc::Document& d, const Page& page) {
  if (page.ci_states.empty()) return;
  d.heading(2, "CI cache states");
  bool marked = false;
  d.table(scenario_table(page, ci_columns(page), marked));
  d.paragraph(
      "Build time medians, with the scenario's cold build and rebuild after a code edit for "
      "reference: what importing a cache saves is a ci- column against the cold build, what "
      "exporting one costs an export- column against the rebuild after a code edit. Cache "
      "import and export are BuildKit's own steps, part of the build time; ▲/▼ as under "
      "Results." +
      (marked ? " " + short_of_target_note(page) : std::string()));
  d.list(ci_state_list(page.ci_states));
}

bool have_history(const ReportInput& input) {
  return input.history.size() >= 2;
}

void add_history(doc::Document& d, const Page& page) {
  if (!have_history(page.input)) return;
  d.heading(2, "History");
  d.image("trend-build.svg", "Cold build time over time");
  if (!page.modes.empty()) d.image("trend-startup.svg", "Start-up time over time");
}

doc::Table environment_table(const RunRecord& run) {
  doc::Table env;
  env.header = {"Fact", "Value"};
  env.rows.push_back({"Date", run.started_at});
  env.rows.push_back({"Status", run.status});
  env.rows.push_back({"Commit", run.git_commit.empty()
                                    ? "(not a git checkout)"
                                    : run.git_commit + (run.git_dirty ? " (dirty)" : "")});
  for (const auto& [key, value] : run.labels) env.rows.push_back({"label " + key, value});
  std::vector<std::string> keys;
  for (const auto& [key, value] : run.fingerprint.items()) keys.push_back(key);
  std::sort(keys.begin(), keys.end());
  for (const auto& key : keys) {
    const auto& value = run.fingerprint[key];
    if (key != "base_images") {
      env.rows.push_back({key, value.is_string() ? value.get<std::string>() : value.dump()});
      continue;
    }
    for (const auto& [ref, fact] : value.items()) {
      env.rows.push_back({"base image " + ref,
                          fmt::format("{}{}", fact.value("id", std::string("absent")).substr(0, 19),
                                      fact.value("stand_in", false) ? " (stand-in)" : "")});
    }
  }
  return env;
}

void add_environment(doc::Document& d, const Page& page) {
  d.heading(2, "Environment");
  if (page.run) d.table(environment_table(*page.run));
  if (!page.input.reproduce.empty()) {
    d.paragraph("Reproduce:");
    d.code(page.input.reproduce);
  }
}

// Warnings: grouped, what a claim depends on first.
void add_warnings(doc::Document& d, const Page& page) {
  auto warnings = grouped_warnings(page.groups, page.claims, page.input.claims);
  for (const auto& drift : find_drift(page.input.samples, page.options)) {
    warnings.push_back(
        fmt::format("drift within a run: {}; look for other work or throttling on the machine",
                    describe_drift(drift)));
  }
  if (!page.stand_ins.empty())
    warnings.push_back("results come from stand-in base images (scripts/lab-images)");
  if (!warnings.empty()) {
    d.heading(2, "Warnings");
    doc::List list;
    for (const auto& w : warnings) list.items.push_back({{w}});
    d.list(list);
  }
  d.paragraph("Data: data.json and data.csv next to this page hold every group's statistics.");
}

void add_scenario_notes(doc::Document& d, const ReportInput& input) {
  d.heading(2, "Scenarios");
  doc::Table notes;
  bool any_differs = std::any_of(input.differs.begin(), input.differs.end(),
                                 [](const auto& entry) { return !entry.second.empty(); });
  notes.header = {"Scenario", "What it does"};
  if (any_differs) notes.header.push_back(input.differs_title);
  for (const auto& scenario : input.scenario_order) {
    auto desc = input.descriptions.find(scenario);
    auto diff = input.differs.find(scenario);
    notes.rows.push_back({scenario, desc == input.descriptions.end() ? "" : desc->second});
    if (any_differs) notes.rows.back().push_back(diff == input.differs.end() ? "" : diff->second);
  }
  d.table(notes);
}

// Medians with the 95% interval of the median, per scenario, in the chart's unit.
svg::BarSeries ci_series(const Page& page, const std::string& name, const std::string& state,
                         const std::string& metric) {
  svg::BarSeries series;
  series.name = name;
  double scale = scale_for(find_metric(metric)->unit.data());
  for (const auto& scenario : page.input.scenario_order) {
    auto values = page.groups.get(scenario, state, metric);
    if (values.empty()) {
      series.values.push_back(NAN);
      series.low.push_back(NAN);
      series.high.push_back(NAN);
      continue;
    }
    auto s = stats::summarize(values);
    series.values.push_back(s.median * scale);
    series.low.push_back(s.median_ci.available ? s.median_ci.low * scale : NAN);
    series.high.push_back(s.median_ci.available ? s.median_ci.high * scale : NAN);
  }
  return series;
}

constexpr const char* kErrorBarNote =
    "Bars: medians. Error bars: 95% confidence interval of the median (order statistics), where "
    "the samples allow one.";

// A chart with a bar group per scenario.
svg::BarChart bar_chart(const Page& page, std::string title, std::string y_label) {
  svg::BarChart chart;
  chart.title = std::move(title);
  chart.y_label = std::move(y_label);
  chart.categories = page.input.scenario_order;
  return chart;
}

std::string build_time_chart(const Page& page) {
  auto build = bar_chart(page, "Build time per scenario and cache state", "build time (s)");
  for (const auto& st : kStates) build.series.push_back(ci_series(page, st, st, "build_seconds"));
  // Seconds read better than milliseconds for builds.
  for (auto& s : build.series) {
    for (auto* v : {&s.values, &s.low, &s.high}) {
      for (auto& x : *v) x /= 1000;
    }
  }
  build.note = kErrorBarNote;
  return svg::render(build);
}

std::string startup_chart(const Page& page) {
  auto startup =
      bar_chart(page, "Start-up: container process start to ready line", "start-up time (ms)");
  for (const auto& mode : page.modes) {
    startup.series.push_back(ci_series(page, mode.label, mode.name, std::string(kReadySeconds)));
  }
  startup.note = kErrorBarNote;
  return svg::render(startup);
}

std::string image_size_chart(const Page& page) {
  auto size = bar_chart(page, "Image size per scenario", "size (MB)");
  for (auto [name, metric] : std::vector<std::pair<std::string, std::string>>{
           {"uncompressed", "image_bytes"},
           {"compressed (gzip, as a registry stores it)", "image_compressed_bytes"}}) {
    auto series = ci_series(page, name, "", metric);
    series.low.clear();
    series.high.clear();
    size.series.push_back(series);
  }
  return svg::render(size);
}

// One line per scenario over the runs of the history.
std::string trend_chart(const ReportInput& input, const std::string& title,
                        const std::string& label, const std::string& state,
                        const std::string& metric, double scale) {
  svg::LineChart chart;
  chart.title = title;
  chart.y_label = label;
  for (const auto& point : input.history)
    chart.x_labels.push_back(fmt::format("{} #{}", point.date, point.run_id));
  for (const auto& scenario : input.scenario_order) {
    svg::LineSeries series;
    series.name = scenario;
    for (const auto& point : input.history) {
      auto it = point.medians.find({{scenario, sample_kind_of(metric), state}, metric});
      series.values.push_back(it == point.medians.end() ? NAN : it->second * scale);
    }
    chart.series.push_back(series);
  }
  return svg::render(chart);
}

void add_charts(std::map<std::string, std::string>& files, const Page& page) {
  files["build-time.svg"] = build_time_chart(page);
  if (!page.modes.empty()) files["startup.svg"] = startup_chart(page);
  files["image-size.svg"] = image_size_chart(page);
  if (!have_history(page.input)) return;
  files["trend-build.svg"] =
      trend_chart(page.input, "Cold build time, median per run", "build time (s)",
                  to_string(CacheState::kCold), "build_seconds", 1);
  if (!page.modes.empty()) {
    const auto& mode = page.modes.front();
    files["trend-startup.svg"] =
        trend_chart(page.input, "Start-up (" + mode.label + "), median per run",
                    "start-up time (ms)", mode.name, std::string(kReadySeconds), 1000);
  }
}

}  // namespace

std::vector<ClaimResult> check_claims(const ReportInput& input) {
  return Page(input).claims;
}

std::map<std::string, std::string> build_report(const ReportInput& input) {
  Page page(input);
  doc::Document d;
  add_intro(d, page);
  add_headline(d, page);
  add_claims(d, page);
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
