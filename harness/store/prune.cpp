#include "store/prune.hpp"

#include <cmath>
#include <map>

#include "stats/summary.hpp"

namespace bb {

std::vector<std::int64_t> runs_to_prune(const std::vector<RunRecord>& runs, std::size_t keep) {
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i + keep < runs.size(); ++i) {
    if (runs[i].pruned || runs[i].status == "running") continue;
    ids.push_back(runs[i].id);
  }
  return ids;
}

std::vector<Store::SummaryRow> prune_summaries(std::int64_t run_id,
                                               const std::vector<StoredSample>& samples) {
  std::map<MetricKey, std::vector<double>> values;
  std::map<GroupKey, std::size_t> failures;
  for (const auto& stored : samples) {
    const Sample& s = stored.sample;
    if (s.warmup) continue;
    if (s.status != SampleStatus::kOk) ++failures[GroupKey::of(s)];
    for (const auto& m : s.metrics) values[{GroupKey::of(s), m.name}].push_back(m.value);
  }
  std::vector<Store::SummaryRow> rows;
  for (const auto& [key, v] : values) {
    auto s = stats::summarize(v);
    Store::SummaryRow r;
    r.run_id = run_id;
    r.key = key;
    r.count = s.count;
    r.failures = failures[key.group];
    r.median = s.median;
    r.mean = s.mean;
    r.stddev = s.stddev;
    r.mad = s.mad;
    r.min = s.min;
    r.max = s.max;
    r.ci_low = s.median_ci.available ? s.median_ci.low : NAN;
    r.ci_high = s.median_ci.available ? s.median_ci.high : NAN;
    rows.push_back(r);
  }
  return rows;
}

}  // namespace bb
