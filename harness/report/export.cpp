#include "report/export.hpp"

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "measure/metrics.hpp"

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
    row["kind"] = s.kind;
    row["state"] = s.state;
    row["repetition"] = s.repetition;
    row["warmup"] = s.warmup;
    row["metric"] = metric ? nlohmann::ordered_json(metric->name) : nullptr;
    row["value"] =
        metric && std::isfinite(metric->value) ? nlohmann::ordered_json(metric->value) : nullptr;
    row["unit"] = metric ? nlohmann::ordered_json(unit_of(metric->name)) : nullptr;
    row["status"] = s.status;
    row["error"] = s.error;
    row["started_at"] = s.started_at;
    row["image_id"] = s.image_id;
    rows.push_back(row);
  });
  out << doc.dump(2) << "\n";
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
    out << stored.run_id << ',' << stored.id << ',' << csv_field(s.scenario) << ',' << s.kind << ','
        << s.state << ',' << s.repetition << ',' << (s.warmup ? 1 : 0) << ','
        << (metric ? metric->name : "") << ',' << (metric ? fmt::format("{}", metric->value) : "")
        << ',' << (metric ? unit_of(metric->name) : "") << ',' << s.status << ','
        << csv_field(s.error) << '\n';
  });
}

}  // namespace bb
