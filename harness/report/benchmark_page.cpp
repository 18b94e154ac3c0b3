#include "report/benchmark_page.hpp"

#include <algorithm>
#include <cmath>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "compare/compare.hpp"
#include "model/metrics.hpp"
#include "report/document.hpp"
#include "report/export.hpp"
#include "report/format.hpp"
#include "report/svg.hpp"
#include "stats/summary.hpp"
#include "util/text.hpp"

namespace bb {

std::string to_string(ClaimVerdict verdict) {
  switch (verdict) {
    case ClaimVerdict::kConfirmed:
      return "confirmed";
    case ClaimVerdict::kRefuted:
      return "refuted";
    case ClaimVerdict::kInconclusive:
      return "inconclusive";
  }
  return "?";
}

namespace {

const std::vector<std::string> kStates = {"cold", "warm-nochange", "warm-code", "warm-deps"};

// Values of one metric for a scenario and state (state "" takes every state of the kind).
struct Groups {
  std::map<std::tuple<std::string, std::string, std::string>, std::vector<double>> values;
  std::map<std::tuple<std::string, std::string>, std::size_t> failures;  // scenario, state

  explicit Groups(const std::vector<StoredSample>& samples) {
    for (const auto& stored : samples) {
      const Sample& s = stored.sample;
      if (s.warmup) continue;
      if (s.status != "ok") {
        ++failures[{s.scenario, s.state}];
        continue;
      }
      for (const auto& m : s.metrics) values[{s.scenario, s.state, m.name}].push_back(m.value);
    }
  }
  std::vector<double> get(const std::string& scenario, const std::string& state,
                          const std::string& metric) const {
    if (!state.empty()) {
      auto it = values.find({scenario, state, metric});
      return it == values.end() ? std::vector<double>{} : it->second;
    }
    // Deterministic build metrics are the same in every state: prefer cold, else any.
    auto cold = get(scenario, "cold", metric);
    if (!cold.empty()) return cold;
    std::vector<double> all;
    for (const auto& [key, v] : values) {
      if (std::get<0>(key) == scenario && std::get<2>(key) == metric)
        all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  }
};

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
                      const std::string& metric) {
  if (previous.empty() || current.empty()) return "";
  auto row = compare_values(metric, previous, current, CompareOptions{});
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

// "12 groups noisy (CV > 10%): a, b, ..." rather than a line per group; groups that a claim
// compares come first, then the noisiest.
std::vector<std::string> grouped_warnings(const Groups& groups,
                                          const std::vector<ClaimResult>& claims) {
  std::set<std::pair<std::string, std::string>> claimed;
  for (const auto& c : claims) {
    claimed.insert({c.claim.subject, c.claim.state});
    claimed.insert({c.claim.baseline, c.claim.state});
  }
  std::vector<std::string> warnings;
  if (!groups.failures.empty()) {
    std::size_t total = 0;
    std::vector<std::string> names;
    for (const auto& [key, count] : groups.failures) {
      total += count;
      names.push_back(fmt::format("{} {} ({})", std::get<0>(key), std::get<1>(key), count));
    }
    warnings.push_back(
        fmt::format("{} failed sample(s) in {} group(s): {}; each is stored with "
                    "its reason, see 'buildbench export'",
                    total, names.size(), fmt::join(names, ", ")));
  }
  struct Noisy {
    bool claimed;
    double cv;
    std::string name;
  };
  std::vector<Noisy> noisy;
  for (const auto& [key, values] : groups.values) {
    const auto& metric = std::get<2>(key);
    if (values.size() < 3 || (metric != kBuildSeconds && metric != kReadySeconds)) continue;
    auto s = stats::summarize(values);
    if (s.cv <= 0.10) continue;
    bool is_claimed = claimed.count({std::get<0>(key), std::get<1>(key)}) > 0;
    noisy.push_back({is_claimed, s.cv,
                     fmt::format("{} {} {:.0f}%{}", std::get<0>(key), std::get<1>(key), s.cv * 100,
                                 is_claimed ? " (a claim compares it)" : "")});
  }
  std::sort(noisy.begin(), noisy.end(), [](const Noisy& a, const Noisy& b) {
    return std::tie(b.claimed, b.cv) < std::tie(a.claimed, a.cv);
  });
  if (!noisy.empty()) {
    std::vector<std::string> names;
    for (const auto& n : noisy) names.push_back(n.name);
    warnings.push_back(
        fmt::format("{} group(s) noisy (CV > 10%): {}; an adaptive run "
                    "(--precision) repeats such groups until their medians are "
                    "precise",
                    noisy.size(), fmt::join(names, ", ")));
  }
  std::vector<std::string> thin;
  for (const auto& c : claims) {
    if (c.verdict == ClaimVerdict::kInconclusive && c.subject_count && c.subject_count < 5)
      thin.push_back(
          fmt::format("{} ({} against {})", c.claim.id, c.subject_count, c.baseline_count));
  }
  if (!thin.empty()) {
    warnings.push_back(
        fmt::format("{} claim(s) inconclusive on too few samples: {}; rerun with "
                    "--precision or --runs 5 or more",
                    thin.size(), fmt::join(thin, ", ")));
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
    if (stored.sample.kind != "startup") continue;
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

}  // namespace

std::vector<ClaimResult> check_claims(const ReportInput& input) {
  Groups groups(input.samples);
  std::vector<ClaimResult> results;
  for (const auto& claim : input.claims) {
    ClaimResult r;
    r.claim = claim;
    const MetricInfo* info = find_metric(claim.metric);
    r.unit = info ? std::string(info->unit) : "";
    auto subject = groups.get(claim.subject, claim.state, claim.metric);
    auto baseline = groups.get(claim.baseline, claim.state, claim.metric);
    r.subject_count = subject.size();
    r.baseline_count = baseline.size();
    if (subject.empty() || baseline.empty()) {
      r.reason = "no successful samples on one side";
      results.push_back(r);
      continue;
    }
    auto row = compare_values(claim.metric, baseline, subject, CompareOptions{}, claim.subject);
    r.subject_median = row.candidate.median;
    r.baseline_median = row.baseline.median;
    r.change_percent = row.change_percent;
    r.ci_low_percent = row.ci_low_percent;
    r.ci_high_percent = row.ci_high_percent;
    r.ci_available = row.ci_available;
    r.p_value = row.p_value;
    r.deterministic = row.deterministic;
    bool want_less = claim.relation == "less";
    double t = row.threshold_percent;
    if (row.deterministic) {
      bool holds = want_less ? row.change_percent < 0 : row.change_percent > 0;
      r.verdict = holds ? ClaimVerdict::kConfirmed : ClaimVerdict::kRefuted;
      r.reason = "deterministic metric, compared exactly";
    } else if (row.p_value < 0.05 && row.ci_available &&
               (want_less ? row.ci_high_percent < 0 : row.ci_low_percent > 0)) {
      r.verdict = ClaimVerdict::kConfirmed;
      r.reason = "significant, interval excludes no difference";
    } else if (row.p_value < 0.05 && row.ci_available &&
               (want_less ? row.ci_low_percent > 0 : row.ci_high_percent < 0)) {
      r.verdict = ClaimVerdict::kRefuted;
      r.reason = "significant in the opposite direction";
    } else if (row.ci_available && row.ci_low_percent > -t && row.ci_high_percent < t) {
      r.verdict = ClaimVerdict::kRefuted;
      r.reason = fmt::format("no difference: the interval lies within ±{:g}%", t);
    } else {
      r.verdict = ClaimVerdict::kInconclusive;
      r.reason = row.ci_available ? "not significant" : "too few samples for a 95% interval";
    }
    results.push_back(r);
  }
  return results;
}

std::map<std::string, std::string> build_report(const ReportInput& input) {
  std::map<std::string, std::string> files;
  Groups groups(input.samples);
  doc::Document d;
  d.title = fmt::format("Benchmark: {}", input.suite_name);
  std::vector<std::string> run_ids;
  for (const auto& r : input.runs) run_ids.push_back(std::to_string(r.id));
  const RunRecord* run = input.runs.empty() ? nullptr : &input.runs.back();
  std::vector<doc::Span> intro = {{input.suite_description + " "}};
  intro.push_back({fmt::format("Measured by buildbench, run {} ({}).", fmt::join(run_ids, ", "),
                               run ? date_of(run->started_at) : "?")});
  d.paragraph(intro);
  auto stand_ins = stand_in_images(run);
  bool stand_in = !stand_ins.empty();
  if (stand_in) {
    d.paragraph({{"Note:", true},
                 {" "},
                 {fmt::format("measured on stand-in base images ({}) built from Debian packages "
                              "(no registry access), not the official images of those names; "
                              "compare scenarios with each other, not these absolute numbers "
                              "with yours.",
                              fmt::join(stand_ins, ", "))}});
  }
  auto modes = measured_modes(input);

  // Headline table.
  d.heading(2, "Results");
  doc::Table headline;
  headline.header = {"Scenario",
                     "Cold build",
                     "Rebuild, no change",
                     "Rebuild after code edit",
                     "Rebuild after dependency edit",
                     "Image size",
                     "Compressed"};
  struct Column {
    std::string state, metric;
  };
  std::vector<Column> columns = {{"cold", "build_seconds"},
                                 {"warm-nochange", "build_seconds"},
                                 {"warm-code", "build_seconds"},
                                 {"warm-deps", "build_seconds"},
                                 {"", "image_bytes"},
                                 {"", "image_compressed_bytes"}};
  for (const auto& mode : modes) {
    headline.header.push_back(modes.size() == 1 ? "Start-up" : "Start-up, " + mode.label);
    columns.push_back({mode.name, std::string(kReadySeconds)});
  }
  headline.align = {doc::Align::kLeft};
  while (headline.align.size() < headline.header.size())
    headline.align.push_back(doc::Align::kRight);
  std::string previous;
  for (const auto& scenario : input.scenario_order) {
    std::vector<std::string> row = {scenario};
    for (const auto& col : columns) {
      auto values = groups.get(scenario, col.state, col.metric);
      std::string text = cell(values, find_metric(col.metric)->unit.data());
      if (!previous.empty())
        text += step_mark(groups.get(previous, col.state, col.metric), values, col.metric);
      row.push_back(text);
    }
    headline.rows.push_back(row);
    previous = scenario;
  }
  d.table(headline);
  d.paragraph(
      "Medians ± scaled MAD. ▲/▼: a change against the previous row that is significant "
      "(Mann-Whitney U, p < 0.05) and beyond 5% for times or 1% for sizes; sizes are compared "
      "exactly." +
      startup_note(modes));
  d.image("build-time.svg", "Build time per scenario and cache state");
  if (!modes.empty()) d.image("startup.svg", "Start-up time per scenario and start-up mode");
  d.image("image-size.svg", "Image size per scenario");

  // Claims.
  auto claims = check_claims(input);
  std::vector<nlohmann::ordered_json> claims_json;
  if (!claims.empty()) {
    d.heading(2, input.claims_title);
    doc::Table t;
    t.header = {"Claim", "Verdict", "Subject", "Compared with", "Change [95% CI]", "p", "Why"};
    t.align = {doc::Align::kLeft,  doc::Align::kLeft,  doc::Align::kRight, doc::Align::kRight,
               doc::Align::kRight, doc::Align::kRight, doc::Align::kLeft};
    for (const auto& c : claims) {
      std::string verdict = to_string(c.verdict);
      if (c.verdict == ClaimVerdict::kConfirmed) verdict = "✅ confirmed";
      if (c.verdict == ClaimVerdict::kRefuted) verdict = "❌ refuted";
      if (c.verdict == ClaimVerdict::kInconclusive) verdict = "❔ inconclusive";
      std::string what = c.claim.state.empty()
                             ? c.claim.metric
                             : fmt::format("{} ({})", c.claim.metric, c.claim.state);
      std::string subject =
          c.subject_count ? fmt::format("{}: {} (n={})", c.claim.subject,
                                        format_value(c.subject_median, c.unit), c.subject_count)
                          : c.claim.subject + ": no data";
      std::string base =
          c.baseline_count ? fmt::format("{}: {} (n={})", c.claim.baseline,
                                         format_value(c.baseline_median, c.unit), c.baseline_count)
                           : c.claim.baseline + ": no data";
      std::string change =
          c.subject_count && c.baseline_count ? format_percent(c.change_percent) : "–";
      if (c.ci_available && !c.deterministic) {
        change += fmt::format(" [{:+.1f}, {:+.1f}]", c.ci_low_percent, c.ci_high_percent);
      }
      std::string p = c.deterministic || !c.subject_count || !c.baseline_count
                          ? "–"
                          : fmt::format("{:.3f}", c.p_value);
      t.rows.push_back(
          {c.claim.text, verdict, subject, base, change, p, fmt::format("{}; {}", what, c.reason)});
      nlohmann::ordered_json j;
      j["id"] = c.claim.id;
      j["text"] = c.claim.text;
      j["verdict"] = to_string(c.verdict);
      j["metric"] = c.claim.metric;
      j["state"] = c.claim.state;
      j["subject"] = c.claim.subject;
      j["baseline"] = c.claim.baseline;
      j["relation"] = c.claim.relation;
      j["subject_median"] = c.subject_count ? nlohmann::ordered_json(c.subject_median) : nullptr;
      j["baseline_median"] = c.baseline_count ? nlohmann::ordered_json(c.baseline_median) : nullptr;
      j["change_percent"] =
          c.subject_count && c.baseline_count ? nlohmann::ordered_json(c.change_percent) : nullptr;
      j["change_ci_percent"] =
          c.ci_available ? nlohmann::ordered_json({c.ci_low_percent, c.ci_high_percent}) : nullptr;
      j["p_value"] = c.deterministic ? nlohmann::ordered_json() : nlohmann::ordered_json(c.p_value);
      j["reason"] = c.reason;
      claims_json.push_back(j);
    }
    d.table(t);
    d.paragraph(
        "A claim is confirmed only when the difference is significant (p < 0.05) and its 95% "
        "interval excludes zero, or, for deterministic metrics such as image size, when the exact "
        "values show it; refuted when significant the other way or when the interval shows no "
        "meaningful difference; inconclusive otherwise.");
  }

  // Where the time goes.
  d.heading(2, "Where the time goes");
  d.paragraph(
      "Median time of each Dockerfile instruction, per cache state; \"cached\" when most "
      "samples served it from the build cache.");
  for (const auto& scenario : input.scenario_order) {
    std::vector<std::string> order;
    std::map<std::string, std::map<std::string, std::vector<double>>> times;  // step -> state -> s
    std::map<std::string, std::map<std::string, int>> cached, seen;
    for (const auto& stored : input.samples) {
      const Sample& s = stored.sample;
      if (s.scenario != scenario || s.kind != "build" || s.status != "ok" || s.warmup) continue;
      for (const auto& step : s.steps) {
        if (!step.is_instruction()) continue;
        if (std::find(order.begin(), order.end(), step.name) == order.end())
          order.push_back(step.name);
        times[step.name][s.state].push_back(step.seconds());
        cached[step.name][s.state] += step.cached;
        seen[step.name][s.state] += 1;
      }
    }
    if (order.empty()) continue;
    d.heading(3, scenario);
    doc::Table t;
    t.header = {"Instruction"};
    t.align = {doc::Align::kLeft};
    for (const auto& st : kStates) {
      t.header.push_back(st);
      t.align.push_back(doc::Align::kRight);
    }
    for (const auto& name : order) {
      std::vector<std::string> row = {step_label(name)};
      for (const auto& st : kStates) {
        auto it = times[name].find(st);
        if (it == times[name].end()) {
          row.push_back("–");
          continue;
        }
        bool mostly_cached = cached[name][st] * 2 > seen[name][st];
        row.push_back(mostly_cached ? "cached" : format_seconds(stats::median(it->second)));
      }
      t.rows.push_back(row);
    }
    d.table(t);
  }

  // Image size.
  d.heading(2, "Image size");
  doc::Table sizes;
  // Bytecode columns only where bytecode is a subject: the suite names a Python mode or one ran
  // (base images may hold .pyc of their own tools; that alone says nothing about the suite).
  bool show_pyc = input.python_suite ||
                  std::any_of(modes.begin(), modes.end(), [](const auto& m) { return m.python; });
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
  d.table(sizes);
  d.paragraph(show_pyc ? "The bytes that bytecode adds are the .pyc files; per layer below (the "
                         "image of each scenario's last successful build)."
                       : "Per layer below (the image of each scenario's last successful build).");
  for (const auto& scenario : input.scenario_order) {
    auto it = input.images.find(scenario);
    if (it == input.images.end()) continue;
    d.details_begin(fmt::format("{}: layers", scenario));
    doc::Table t;
    t.header = {"#", "Instruction", "Size", "Compressed"};
    if (show_pyc) t.header.insert(t.header.end(), {".pyc files", ".pyc bytes"});
    t.align = {doc::Align::kRight, doc::Align::kLeft};
    while (t.align.size() < t.header.size()) t.align.push_back(doc::Align::kRight);
    for (const auto& layer : it->second.layers) {
      std::vector<std::string> row = {
          std::to_string(layer.index), clean_instruction(layer.created_by),
          format_bytes(layer.size_bytes), format_bytes(layer.compressed_bytes)};
      if (show_pyc) {
        row.insert(row.end(), {std::to_string(layer.pyc_count), format_bytes(layer.pyc_bytes)});
      }
      t.rows.push_back(row);
    }
    d.table(t);
    d.details_end();
  }

  // Trends.
  bool have_history = input.history.size() >= 2;
  if (have_history) {
    d.heading(2, "History");
    d.image("trend-build.svg", "Cold build time over time");
    if (!modes.empty()) d.image("trend-startup.svg", "Start-up time over time");
  }

  // Environment.
  d.heading(2, "Environment");
  if (run) {
    doc::Table env;
    env.header = {"Fact", "Value"};
    env.rows.push_back({"Date", run->started_at});
    env.rows.push_back({"Status", run->status});
    env.rows.push_back({"Commit", run->git_commit.empty()
                                      ? "(not a git checkout)"
                                      : run->git_commit + (run->git_dirty ? " (dirty)" : "")});
    for (const auto& [key, value] : run->labels) env.rows.push_back({"label " + key, value});
    std::vector<std::string> keys;
    for (const auto& [key, value] : run->fingerprint.items()) keys.push_back(key);
    std::sort(keys.begin(), keys.end());
    for (const auto& key : keys) {
      const auto& value = run->fingerprint[key];
      if (key == "base_images") {
        for (const auto& [ref, fact] : value.items()) {
          env.rows.push_back(
              {"base image " + ref,
               fmt::format("{}{}", fact.value("id", std::string("absent")).substr(0, 19),
                           fact.value("stand_in", false) ? " (stand-in)" : "")});
        }
        continue;
      }
      env.rows.push_back({key, value.is_string() ? value.get<std::string>() : value.dump()});
    }
    d.table(env);
  }
  if (!input.reproduce.empty()) {
    d.paragraph("Reproduce:");
    d.code(input.reproduce);
  }
  // Warnings: grouped, what a claim depends on first.
  auto warnings = grouped_warnings(groups, claims);
  for (const auto& drift : find_drift(input.samples, CompareOptions{})) {
    warnings.push_back(
        fmt::format("drift within a run: {}; look for other work or throttling on the machine",
                    describe_drift(drift)));
  }
  if (stand_in) warnings.push_back("results come from stand-in base images (scripts/lab-images)");
  if (!warnings.empty()) {
    d.heading(2, "Warnings");
    doc::List list;
    for (const auto& w : warnings) list.items.push_back({{w}});
    d.list(list);
  }
  d.paragraph("Data: data.json and data.csv next to this page hold every group's statistics.");

  // Scenario notes.
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

  std::ostringstream md, html;
  doc::render_markdown(md, d);
  doc::render_html(html, d);
  files["benchmark.md"] = md.str();
  files["benchmark.html"] = html.str();

  // Charts.
  auto ci_series = [&](const std::string& name, const std::string& state,
                       const std::string& metric) {
    svg::BarSeries series;
    series.name = name;
    double scale = scale_for(find_metric(metric)->unit.data());
    for (const auto& scenario : input.scenario_order) {
      auto values = groups.get(scenario, state, metric);
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
  };
  svg::BarChart build;
  build.title = "Build time per scenario and cache state";
  build.y_label = "build time (ms)";
  build.categories = input.scenario_order;
  for (const auto& st : kStates) build.series.push_back(ci_series(st, st, "build_seconds"));
  // Seconds read better than milliseconds for builds.
  for (auto& s : build.series) {
    for (auto* v : {&s.values, &s.low, &s.high}) {
      for (auto& x : *v) x /= 1000;
    }
  }
  build.y_label = "build time (s)";
  build.note =
      "Bars: medians. Error bars: 95% confidence interval of the median (order statistics), where "
      "the samples allow one.";
  files["build-time.svg"] = svg::render(build);

  if (!modes.empty()) {
    svg::BarChart startup;
    startup.title = "Start-up: container process start to ready line";
    startup.y_label = "start-up time (ms)";
    startup.categories = input.scenario_order;
    for (const auto& mode : modes) {
      startup.series.push_back(ci_series(mode.label, mode.name, std::string(kReadySeconds)));
    }
    startup.note = build.note;
    files["startup.svg"] = svg::render(startup);
  }

  svg::BarChart size;
  size.title = "Image size per scenario";
  size.y_label = "size (MB)";
  size.categories = input.scenario_order;
  for (auto [name, metric] : std::vector<std::pair<std::string, std::string>>{
           {"uncompressed", "image_bytes"},
           {"compressed (gzip, as a registry stores it)", "image_compressed_bytes"}}) {
    auto series = ci_series(name, "", metric);
    series.low.clear();
    series.high.clear();
    size.series.push_back(series);
  }
  files["image-size.svg"] = svg::render(size);

  if (have_history) {
    auto trend = [&](const std::string& title, const std::string& label, const std::string& state,
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
          auto it = point.medians.find(scenario + "|" + state + "|" + metric);
          series.values.push_back(it == point.medians.end() ? NAN : it->second * scale);
        }
        chart.series.push_back(series);
      }
      return svg::render(chart);
    };
    files["trend-build.svg"] =
        trend("Cold build time, median per run", "build time (s)", "cold", "build_seconds", 1);
    if (!modes.empty()) {
      files["trend-startup.svg"] =
          trend("Start-up (" + modes.front().label + "), median per run", "start-up time (ms)",
                modes.front().name, std::string(kReadySeconds), 1000);
    }
  }

  // Data.
  nlohmann::ordered_json data;
  data["schema_version"] = kReportDataSchemaVersion;
  data["suite"] = input.suite_name;
  std::vector<std::int64_t> ids;
  for (const auto& r : input.runs) ids.push_back(r.id);
  data["runs"] = ids;
  auto& rows = data["groups"] = nlohmann::ordered_json::array();
  std::ostringstream csv;
  csv << "scenario,state,metric,unit,count,median,ci_low,ci_high,mad,mean,stddev,min,max\n";
  auto num = [](double v) {
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json();
  };
  for (const auto& scenario : input.scenario_order) {
    for (const auto& [key, values] : groups.values) {
      if (std::get<0>(key) != scenario) continue;
      const MetricInfo* info = find_metric(std::get<2>(key));
      std::string unit = info ? std::string(info->unit) : "";
      auto s = stats::summarize(values);
      nlohmann::ordered_json j;
      j["scenario"] = scenario;
      j["state"] = std::get<1>(key);
      j["metric"] = std::get<2>(key);
      j["unit"] = unit;
      j["count"] = s.count;
      j["median"] = num(s.median);
      j["median_ci"] = s.median_ci.available
                           ? nlohmann::ordered_json({s.median_ci.low, s.median_ci.high})
                           : nullptr;
      j["mad"] = num(s.mad);
      j["mean"] = num(s.mean);
      j["stddev"] = num(s.stddev);
      j["min"] = num(s.min);
      j["max"] = num(s.max);
      rows.push_back(j);
      auto f = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); };
      csv << csv_field(scenario) << ',' << std::get<1>(key) << ',' << std::get<2>(key) << ','
          << unit << ',' << s.count << ',' << f(s.median) << ','
          << (s.median_ci.available ? f(s.median_ci.low) : "") << ','
          << (s.median_ci.available ? f(s.median_ci.high) : "") << ',' << f(s.mad) << ','
          << f(s.mean) << ',' << f(s.stddev) << ',' << f(s.min) << ',' << f(s.max) << '\n';
    }
  }
  data["claims"] = claims_json;
  files["data.json"] = data.dump(2) + "\n";
  files["data.csv"] = csv.str();
  return files;
}

}  // namespace bb
