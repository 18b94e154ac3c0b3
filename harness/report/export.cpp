#include "report/export.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "model/metrics.hpp"
#include "stats/summary.hpp"

namespace bb {

namespace {

std::string unit_of(const std::string& metric) {
  const MetricInfo* info = find_metric(metric);
  return info ? std::string(info->unit) : "";
}

// A failed sample with no metric still gets one row, so failures are never dropped.
template <typename Row>
void for_each_row(const std::vector<StoredSample>& samples, Row row) {
  for (const auto& stored : samples) {
    if (stored.sample.metrics.empty()) {
      row(stored, nullptr);
      continue;
    }
    for (const auto& metric : stored.sample.metrics) row(stored, &metric);
  }
}

}  // namespace

void export_json(std::ostream& out, const std::vector<RunRecord>& runs,
                 const std::vector<StoredSample>& samples) {
  nlohmann::ordered_json doc;
  doc["schema_version"] = kExportSchemaVersion;
  doc["runs"] = nlohmann::ordered_json::array();
  for (const auto& run : runs) {
    nlohmann::ordered_json r;
    r["id"] = run.id;
    r["started_at"] = run.started_at;
    r["finished_at"] = run.finished_at;
    r["status"] = run.status;
    r["suite"] = run.suite_name;
    r["git_commit"] = run.git_commit;
    r["git_dirty"] = run.git_dirty;
    r["labels"] = run.labels;
    r["fingerprint"] = run.fingerprint;
    doc["runs"].push_back(r);
  }
  auto& rows = doc["samples"] = nlohmann::ordered_json::array();
  for_each_row(samples, [&](const StoredSample& stored, const Metric* metric) {
    const Sample& s = stored.sample;
    nlohmann::ordered_json row;
    row["run"] = stored.run_id;
    row["sample"] = stored.id;
    row["scenario"] = s.scenario;
    row["kind"] = std::string(to_string(s.kind));
    row["state"] = s.state;
    row["repetition"] = s.repetition;
    row["warmup"] = s.warmup;
    row["metric"] = metric ? nlohmann::ordered_json(metric->name) : nullptr;
    row["value"] =
        metric && std::isfinite(metric->value) ? nlohmann::ordered_json(metric->value) : nullptr;
    row["unit"] = metric ? nlohmann::ordered_json(unit_of(metric->name)) : nullptr;
    row["status"] = std::string(to_string(s.status));
    row["error"] = s.error;
    row["started_at"] = s.started_at;
    row["image_id"] = s.image_id;
    rows.push_back(row);
  });
  out << doc.dump(2) << "\n";
}

nlohmann::ordered_json json_number(double value) {
  return std::isfinite(value) ? nlohmann::ordered_json(value) : nlohmann::ordered_json();
}

std::string csv_field(std::string_view text) {
  bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos;
  // A leading = + - @ makes spreadsheets evaluate the cell; neutralise it.
  bool formula = !text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '@');
  std::string out;
  if (formula) out += '\'';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return quote || formula ? "\"" + out + "\"" : out;
}

void export_csv(std::ostream& out, const std::vector<StoredSample>& samples) {
  out << "run,sample,scenario,kind,state,repetition,warmup,metric,value,unit,status,error\n";
  for_each_row(samples, [&](const StoredSample& stored, const Metric* metric) {
    const Sample& s = stored.sample;
    out << stored.run_id << ',' << stored.id << ',' << csv_field(s.scenario) << ','
        << to_string(s.kind) << ',' << s.state << ',' << s.repetition << ',' << (s.warmup ? 1 : 0)
        << ',' << (metric ? metric->name : "") << ','
        << (metric ? fmt::format("{}", metric->value) : "") << ','
        << (metric ? unit_of(metric->name) : "") << ',' << to_string(s.status) << ','
        << csv_field(s.error) << '\n';
  });
}

namespace {
// Time metrics per group, in first-seen order.
std::vector<std::pair<MetricKey, std::vector<double>>> time_groups(
    const std::vector<StoredSample>& samples) {
  std::vector<std::pair<MetricKey, std::vector<double>>> groups;
  for (const auto& stored : samples) {
    const Sample& s = stored.sample;
    if (s.status != SampleStatus::kOk || s.warmup) continue;
    for (const auto& m : s.metrics) {
      const MetricInfo* info = find_metric(m.name);
      if (!info || info->kind != MetricKind::kTime) continue;
      MetricKey key{GroupKey::of(s), m.name};
      auto it =
          std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
      if (it == groups.end()) {
        groups.emplace_back(key, std::vector<double>{});
        it = groups.end() - 1;
      }
      it->second.push_back(m.value);
    }
  }
  return groups;
}

// "step-2/cold/build_seconds": a benchmark's name in the Google Benchmark and hyperfine files.
std::string benchmark_name(const MetricKey& key) {
  return fmt::format("{}/{}/{}", key.group.scenario, key.group.state, key.metric);
}
}  // namespace

void export_gbench(std::ostream& out, const std::vector<RunRecord>& runs,
                   const std::vector<StoredSample>& samples) {
  nlohmann::ordered_json doc;
  nlohmann::ordered_json context;
  const RunRecord* run = runs.empty() ? nullptr : &runs.back();
  context["date"] = run ? run->started_at : "";
  context["host_name"] = run ? run->fingerprint.value("hostname", "") : "";
  context["executable"] = "buildbench";
  context["num_cpus"] = run ? run->fingerprint.value("cores", 0) : 0;
  context["mhz_per_cpu"] = 0;
  context["cpu_scaling_enabled"] = false;
  context["caches"] = nlohmann::ordered_json::array();
  context["library_build_type"] = "release";
  context["json_schema_version"] = 1;
  std::vector<std::int64_t> ids;
  for (const auto& r : runs) ids.push_back(r.id);
  context["buildbench_runs"] = ids;
  doc["context"] = context;
  auto& benchmarks = doc["benchmarks"] = nlohmann::ordered_json::array();
  int family = 0;
  for (const auto& [key, values] : time_groups(samples)) {
    std::string name = benchmark_name(key);
    for (std::size_t i = 0; i < values.size(); ++i) {
      nlohmann::ordered_json b;
      b["name"] = name;
      b["family_index"] = family;
      b["per_family_instance_index"] = 0;
      b["run_name"] = name;
      b["run_type"] = "iteration";
      b["repetitions"] = values.size();
      b["repetition_index"] = i;
      b["threads"] = 1;
      b["iterations"] = 1;
      b["real_time"] = values[i] * 1e3;
      b["cpu_time"] = values[i] * 1e3;
      b["time_unit"] = "ms";
      benchmarks.push_back(b);
    }
    ++family;
  }
  out << doc.dump(2) << "\n";
}

void export_hyperfine(std::ostream& out, const std::vector<StoredSample>& samples) {
  nlohmann::ordered_json doc;
  auto& results = doc["results"] = nlohmann::ordered_json::array();
  for (const auto& [key, values] : time_groups(samples)) {
    auto s = stats::summarize(values);
    nlohmann::ordered_json r;
    r["command"] = benchmark_name(key);
    r["mean"] = s.mean;
    r["stddev"] = values.size() > 1 ? nlohmann::ordered_json(s.stddev) : nlohmann::ordered_json();
    r["median"] = s.median;
    r["user"] = 0.0;  // not measured: docker does the work in other processes
    r["system"] = 0.0;
    r["min"] = s.min;
    r["max"] = s.max;
    r["times"] = values;
    r["exit_codes"] = std::vector<int>(values.size(), 0);
    results.push_back(r);
  }
  out << doc.dump(2) << "\n";
}

namespace {

// Each group of the page with its summary, scenario by scenario in the given order.
template <typename Visit>
void for_each_group(const std::vector<std::string>& scenario_order, const SampleGroups& groups,
                    Visit visit) {
  for (const auto& scenario : scenario_order) {
    for (const auto& [key, values] : groups.values) {
      if (key.group.scenario != scenario) continue;
      visit(scenario, key.group.state, key.metric, stats::summarize(values));
    }
  }
}

nlohmann::ordered_json claim_json(const ClaimResult& c) {
  using json = nlohmann::ordered_json;
  bool both = c.subject_count && c.baseline_count;
  json j;
  j["id"] = c.claim.id;
  j["text"] = c.claim.text;
  j["verdict"] = to_string(c.verdict);
  j["metric"] = c.claim.metric;
  j["state"] = c.claim.state;
  j["subject"] = c.claim.subject;
  j["baseline"] = c.claim.baseline;
  j["relation"] = c.claim.relation;
  // A claim of several states: one row per state, each with where it runs and why.
  if (!c.claim.setting.empty()) j["setting"] = c.claim.setting;
  if (!c.claim.why.empty()) j["why"] = c.claim.why;
  j["subject_median"] = c.subject_count ? json(c.subject_median) : nullptr;
  j["baseline_median"] = c.baseline_count ? json(c.baseline_median) : nullptr;
  j["change_percent"] = both ? json(c.change_percent) : nullptr;
  j["change_ci_percent"] = c.ci_available ? json({c.ci_low_percent, c.ci_high_percent}) : nullptr;
  j["p_value"] = c.deterministic ? json() : json(c.p_value);
  j["delta_percent"] = c.delta_percent;
  j["by_at_least_delta"] = c.beyond_delta;
  j["tost_ci_percent"] =
      c.tost_available ? json({c.tost_low_percent, c.tost_high_percent}) : nullptr;
  j["further_runs"] = c.further_runs > 0 ? json(c.further_runs) : nullptr;
  if (c.pairs > 0) {  // judged on the run's pairs (older pages have no such key)
    j["pairs"] = c.pairs;
    j["look"] = c.looks ? json(c.look) : nullptr;
    j["looks"] = c.looks ? json(c.looks) : nullptr;
  }
  j["reason"] = c.reason;
  return j;
}

}  // namespace

void export_report_json(std::ostream& out, const std::string& suite,
                        const std::vector<RunRecord>& runs,
                        const std::vector<std::string>& scenario_order, const SampleGroups& groups,
                        const std::vector<ClaimResult>& claims) {
  nlohmann::ordered_json data;
  data["schema_version"] = kReportDataSchemaVersion;
  data["suite"] = suite;
  std::vector<std::int64_t> ids;
  for (const auto& r : runs) ids.push_back(r.id);
  data["runs"] = ids;
  auto& rows = data["groups"] = nlohmann::ordered_json::array();
  for_each_group(
      scenario_order, groups,
      [&](const auto& scenario, const auto& state, const auto& metric, const stats::Summary& s) {
        nlohmann::ordered_json j;
        j["scenario"] = scenario;
        j["state"] = state;
        j["metric"] = metric;
        j["unit"] = unit_of(metric);
        j["count"] = s.count;
        j["median"] = json_number(s.median);
        j["median_ci"] = s.median_ci.available
                             ? nlohmann::ordered_json({s.median_ci.low, s.median_ci.high})
                             : nullptr;
        j["mad"] = json_number(s.mad);
        j["mean"] = json_number(s.mean);
        j["stddev"] = json_number(s.stddev);
        j["min"] = json_number(s.min);
        j["max"] = json_number(s.max);
        rows.push_back(j);
      });
  auto& claims_json = data["claims"] = nlohmann::ordered_json::array();
  for (const auto& c : claims) claims_json.push_back(claim_json(c));
  out << data.dump(2) << "\n";
}

void export_report_csv(std::ostream& out, const std::vector<std::string>& scenario_order,
                       const SampleGroups& groups) {
  out << "scenario,state,metric,unit,count,median,ci_low,ci_high,mad,mean,stddev,min,max\n";
  auto f = [](double v) { return std::isfinite(v) ? fmt::format("{}", v) : std::string(); };
  for_each_group(
      scenario_order, groups,
      [&](const auto& scenario, const auto& state, const auto& metric, const stats::Summary& s) {
        out << csv_field(scenario) << ',' << state << ',' << metric << ',' << unit_of(metric) << ','
            << s.count << ',' << f(s.median) << ','
            << (s.median_ci.available ? f(s.median_ci.low) : "") << ','
            << (s.median_ci.available ? f(s.median_ci.high) : "") << ',' << f(s.mad) << ','
            << f(s.mean) << ',' << f(s.stddev) << ',' << f(s.min) << ',' << f(s.max) << '\n';
      });
}

}  // namespace bb
