#include "cli/gather.hpp"

#include "model/metrics.hpp"
#include "model/testbed.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include "compare/what_changed.hpp"
#include "measure/run_options.hpp"
#include "stats/summary.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

// "latest-complete", or any run selector.
std::vector<std::int64_t> selected_runs(Store& store, const std::string& report_run) {
  if (report_run != "latest-complete") return store.select_runs(report_run);
  std::vector<std::int64_t> ids;
  for (const auto& r : store.runs()) {
    if (r.status == "complete") ids = {r.id};
  }
  if (ids.empty()) {
    throw UsageError(
        fmt::format("no complete run in '{}'; finish a 'buildbench run' or pass "
                    "--run ID",
                    store.path().string()));
  }
  return ids;
}

// What the page takes from the suite manifest: descriptions, claims, start-up modes.
void add_suite(ReportInput& input, const Suite& suite) {
  input.suite_description = suite.description;
  input.claims = suite.claims;
  input.fidelity = suite.fidelity;
  input.modes = suite.modes;
  input.claims_title = suite.claims_title;
  input.differs_title = suite.differs_title;
  for (const auto& sc : suite.scenarios) {
    for (const auto& mode : sc.startup_modes) input.python_suite |= mode.python;
    input.descriptions[sc.name] = sc.description;
    input.differs[sc.name] = sc.differs;
  }
}

// What one point of the history is: a run, or the shards of one fleet (run --shard: the
// same labels and N), which measured the suite once between them.
std::string history_key(const RunRecord& run) {
  auto shard = read_shard(run.options.is_object() ? run.options.value("shard", nlohmann::json())
                                                  : nlohmann::json());
  if (!shard) return fmt::format("run {}", run.id);
  return fmt::format("fleet {} of {}", nlohmann::json(run.labels).dump(), shard->count);
}

// Per-run medians of the tracked metrics over the complete runs of the suite up to `run`
// (one point a night: a paired nightly's baseline side left out, a fleet's shards one point
// at its first shard's date); empty with fewer than two.
std::vector<HistoryPoint> history_up_to(Store& store, const RunRecord& run,
                                        const TestbedFilter& testbed) {
  std::vector<std::int64_t> history_ids;
  std::vector<std::string> keys;  // in the order of each point's first run
  std::map<std::string, HistoryPoint> points;
  std::map<std::int64_t, std::string> key_of;
  for (const auto& r : store.runs()) {
    auto kind = r.labels.find("kind");
    bool nightly_baseline = kind != r.labels.end() && kind->second == kNightlyBaselineKind;
    if (r.suite_name == run.suite_name && r.status == "complete" && r.id <= run.id &&
        !nightly_baseline && on_testbed(r, testbed)) {
      history_ids.push_back(r.id);
      std::string key = history_key(r);
      key_of[r.id] = key;
      auto [point, added] = points.try_emplace(key);
      if (added) {
        keys.push_back(key);
        point->second.date = r.started_at.substr(0, 10);
      }
      point->second.run_id = r.id;  // the point's last run
    }
  }
  std::vector<HistoryPoint> history;
  if (keys.size() < 2) return history;
  std::map<std::string, std::map<MetricKey, std::vector<double>>> values;
  for (const auto& v : store.metric_series_of(history_ids, tracked_metric_names()))
    values[key_of[v.run_id]][v.key].push_back(v.value);
  for (const auto& key : keys) {
    HistoryPoint point = points[key];
    for (const auto& [metric, v] : values[key]) point.medians[metric] = stats::median(v);
    history.push_back(point);
  }
  return history;
}

// A night of one series: its samples summarized, or a pruned run's summary.
HistoryNight history_night(const RunRecord& run, const std::vector<double>& values,
                           const Store::SummaryRow* kept) {
  HistoryNight night;
  auto label = run.labels.find("nightly");
  night.date = label != run.labels.end() ? label->second : run.started_at.substr(0, 10);
  night.run_id = run.id;
  night.pruned = run.pruned && kept;
  if (night.pruned) {
    // metric_series gives a pruned run's median as its one value; the summary has the rest.
    night.count = kept->count;
    night.median = kept->median;
    night.low = kept->ci_low;
    night.high = kept->ci_high;
    night.interval_available = std::isfinite(kept->ci_low) && std::isfinite(kept->ci_high);
    return night;
  }
  auto summary = stats::summarize(values);
  night.samples = values;
  night.count = summary.count;
  night.median = summary.median;
  night.low = summary.median_ci.low;
  night.high = summary.median_ci.high;
  night.interval_available = summary.median_ci.available;
  return night;
}

// What changed between the runs on either side of the change point; a cause that cannot be
// read (a commit missing from a shallow clone) is said on the page, not fatal to it.
HistoryChange history_change(const stats::ChangePoint& point, const RunRecord& before,
                             const RunRecord& after, const fs::path& git_dir) {
  HistoryChange change;
  change.point = point;
  try {
    change.causes = what_changed(before, after, git_dir);
  } catch (const UsageError& error) {
    change.cause_error = error.what();
  } catch (const EnvironmentError& error) {
    change.cause_error = error.what();
  }
  return change;
}

}  // namespace

bool on_testbed(const RunRecord& run, const TestbedFilter& testbed) {
  return !testbed || testbed_of(run) == *testbed;
}

namespace {
bool is_nightly_of(const RunRecord& run, const std::string& suite_name) {
  auto kind = run.labels.find("kind");
  return kind != run.labels.end() && kind->second == "nightly" && run.suite_name == suite_name;
}
}  // namespace

std::vector<RunRecord> nightlies_up_to(Store& store, const std::string& suite_name,
                                       std::int64_t up_to, const TestbedFilter& testbed) {
  std::vector<RunRecord> nightlies;
  for (const auto& r : store.runs()) {
    if (is_nightly_of(r, suite_name) && r.id <= up_to &&
        (r.id == up_to || (r.status == "complete" && on_testbed(r, testbed)))) {
      nightlies.push_back(r);
    }
  }
  return nightlies;
}

std::optional<RunRecord> previous_nightly(const std::vector<RunRecord>& runs,
                                          const std::string& suite_name,
                                          const TestbedFilter& testbed) {
  std::optional<RunRecord> previous;
  for (const auto& r : runs) {
    if (is_nightly_of(r, suite_name) && r.status == "complete" && on_testbed(r, testbed))
      previous = r;
  }
  return previous;
}

HistoryInput gather_history(Store& store, const std::vector<RunRecord>& nightlies,
                            const fs::path& git_dir, const stats::EDivisiveOptions& detector) {
  HistoryInput input;
  input.detector = detector;
  if (!nightlies.empty()) input.suite_name = nightlies.back().suite_name;
  std::vector<std::int64_t> ids;
  std::map<std::int64_t, const RunRecord*> by_id;
  for (const auto& r : nightlies) {
    ids.push_back(r.id);
    by_id[r.id] = &r;
  }
  std::map<MetricKey, std::map<std::int64_t, std::vector<double>>> values;
  for (const auto& v : store.metric_series_of(ids, tracked_metric_names()))
    values[v.key][v.run_id].push_back(v.value);
  std::map<std::int64_t, std::map<MetricKey, Store::SummaryRow>> kept;
  for (const auto& r : nightlies) {
    if (!r.pruned) continue;
    for (const auto& row : store.summaries(r.id)) kept[r.id][row.key] = row;
  }
  for (const auto& [key, per_run] : values) {
    HistorySeries series;
    series.key = key;
    std::vector<const RunRecord*> runs;
    std::vector<std::vector<double>> detector_input;
    for (auto id : ids) {
      auto it = per_run.find(id);
      if (it == per_run.end()) continue;
      auto row = kept[id].find(key);
      series.nights.push_back(
          history_night(*by_id[id], it->second, row == kept[id].end() ? nullptr : &row->second));
      runs.push_back(by_id[id]);
      // A pruned night enters by its median, the one value metric_series keeps of it.
      detector_input.push_back(it->second);
    }
    for (const auto& point : stats::e_divisive(detector_input, detector)) {
      if (point.first_night == 0 || point.first_night >= runs.size()) continue;
      series.changes.push_back(
          history_change(point, *runs[point.first_night - 1], *runs[point.first_night], git_dir));
    }
    input.series.push_back(std::move(series));
  }
  return input;
}

std::string pool_key(const RunRecord& run) {
  const auto& fp = run.fingerprint;
  nlohmann::json key = nlohmann::json::object();
  for (const char* fact : {"docker_server", "buildkit", "inputs"}) {
    if (fp.is_object() && fp.contains(fact)) key[fact] = fp[fact];
  }
  nlohmann::json stand_ins = nlohmann::json::array();
  if (fp.is_object() && fp.contains("base_images") && fp["base_images"].is_object()) {
    for (const auto& [ref, fact] : fp["base_images"].items()) {
      if (fact.is_object() && fact.value("stand_in", false)) stand_ins.push_back(ref);
    }
  }
  key["stand_ins"] = stand_ins;
  key["network_profile"] =
      run.options.is_object() ? run.options.value("network_profile", "") : std::string();
  return key.dump();
}

namespace {

// The suite's earlier complete runs that each claim is pooled over (report --pool), newest
// first; a run that differs from the reported one only in its testbed is counted, not pooled.
void add_pool_runs(Store& store, ReportInput& input, const std::vector<std::int64_t>& ids,
                   const TestbedFilter& testbed) {
  const RunRecord& run = input.runs.back();
  std::set<std::int64_t> selected(ids.begin(), ids.end());
  std::string key = pool_key(run);
  auto runs = store.runs();
  for (auto it = runs.rbegin(); it != runs.rend() && input.pool_runs.size() + 1 < input.pool;
       ++it) {
    const RunRecord& r = *it;
    auto kind = r.labels.find("kind");
    bool nightly_baseline = kind != r.labels.end() && kind->second == kNightlyBaselineKind;
    if (selected.count(r.id) || r.id > run.id || r.suite_name != run.suite_name ||
        r.status != "complete" || nightly_baseline || pool_key(r) != key)
      continue;
    if (!on_testbed(r, testbed)) {
      ++input.pool_other_testbeds;
      continue;
    }
    input.pool_runs.push_back({r, store.samples({r.id}), store.pairs({r.id}, {r.id})});
  }
}

// A page over runs of several testbeds only when asked for.
void refuse_mixed_selection(const std::vector<RunRecord>& runs, const std::string& report_run,
                            bool across) {
  if (across || testbeds_of(runs).size() <= 1) return;
  throw UsageError(fmt::format(
      "--run {} selects runs of {} testbeds: {}; select the runs of one (e.g. add a label), "
      "or pass --across-testbeds to put them on one page (it lists each testbed with its runs)",
      printable(report_run), testbeds_of(runs).size(), describe_testbeds(runs)));
}

}  // namespace

ReportInput gather_report_input(Store& store, const std::string& report_run,
                                const std::string& report_suite, const ManifestVars& vars,
                                std::size_t pool, bool across_testbeds) {
  std::vector<std::int64_t> ids = selected_runs(store, report_run);
  ReportInput input;
  for (auto id : ids) input.runs.push_back(*store.run(id));
  refuse_mixed_selection(input.runs, report_run, across_testbeds);
  const RunRecord& run = input.runs.back();
  TestbedFilter testbed;
  if (!across_testbeds) testbed = testbed_of(run);
  input.across_testbeds = across_testbeds;
  std::string suite_file = report_suite.empty() ? run.suite_path : report_suite;
  std::optional<Suite> suite;
  if (!suite_file.empty() && fs::exists(suite_file)) {
    suite = load_suite(suite_file, vars);
  } else if (!report_suite.empty()) {
    throw UsageError(fmt::format("--suite '{}' does not exist", report_suite));
  }
  // The scenarios of every selected run (a fleet's shards, runs pooled by label), in the
  // suite's order: by position, then as first seen.
  std::vector<std::pair<int, std::string>> positioned;
  std::set<std::string> seen;
  for (auto id : ids) {
    for (const auto& [name, position] : store.scenarios(id))
      if (seen.insert(name).second) positioned.emplace_back(position, name);
  }
  std::stable_sort(positioned.begin(), positioned.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [position, name] : positioned) input.scenario_order.push_back(name);
  input.suite_name = run.suite_name;
  input.modes = builtin_startup_modes();
  if (suite) add_suite(input, *suite);
  input.samples = store.samples(ids);
  if (ids.size() == 1) input.pairs = store.pairs(ids, ids);  // a claim's pairs: within a run
  // Claims naming scenarios this run did not measure are left out, not failed.
  std::set<std::string> measured;
  for (const auto& s : input.samples) measured.insert(s.sample.scenario);
  std::vector<std::string> order;
  for (const auto& name : input.scenario_order) {
    if (measured.count(name)) order.push_back(name);
  }
  input.scenario_order = order;
  std::erase_if(input.claims, [&](const Claim& c) {
    return !measured.count(c.subject) || !measured.count(c.baseline);
  });
  for (const auto& stored : input.samples) {
    const Sample& s = stored.sample;
    if (s.kind == SampleKind::kBuild && s.status == SampleStatus::kOk && !s.image_id.empty()) {
      if (auto image = store.image(s.image_id)) input.images[s.scenario] = *image;
    }
  }
  input.history = history_up_to(store, run, testbed);
  input.pool = std::max<std::size_t>(pool, 1);
  if (input.pool > 1 && !input.claims.empty()) add_pool_runs(store, input, ids, testbed);
  input.reproduce = run.command.empty() ? "buildbench run" : run.command;
  return input;
}

}  // namespace bb
