#include "progress/eta.hpp"

#include <algorithm>
#include <cmath>

#include "model/cache_state.hpp"
#include "model/metrics.hpp"
#include "stats/summary.hpp"
#include "util/text.hpp"

namespace bb {

std::string work_kind(SampleKind kind, const std::string& state) {
  // Per cache state: a cold build, a dependency rebuild and a fully cached one differ tenfold.
  return kind == SampleKind::kStartup ? std::string(to_string(kind)) : state;
}

bool is_one_off(const std::string& kind) {
  return kind == kImageLayersWork || kind == kRegistryWork;
}

std::map<std::string, double> recorded_one_off(const Sample& sample) {
  double registry = 0;
  for (auto metric : {kPushSeconds, kPullSeconds, kPullOntoBaseSeconds}) {
    if (const double* seconds = sample.get(metric)) registry += *seconds;
  }
  if (registry > 0) return {{kRegistryWork, registry}};
  return {};
}

std::map<std::string, double> mean_task_seconds(const std::vector<StoredSample>& samples) {
  EtaModel model;
  for (std::size_t i = 0; i + 1 < samples.size(); ++i) {
    const Sample& s = samples[i].sample;
    auto from = parse_rfc3339(s.started_at), to = parse_rfc3339(samples[i + 1].sample.started_at);
    // Between kinds the gap holds other work (the start-up tools, detection): left out.
    if (s.kind != samples[i + 1].sample.kind || !from || !to || *to < *from) continue;
    model.task(work_kind(s.kind, s.state), *to - *from, recorded_one_off(s));
  }
  return model.means();
}

void EtaModel::timed(const std::string& kind, double seconds) {
  auto& [total, tasks] = timed_[kind];
  total += seconds;
  ++tasks;
}

void EtaModel::task(const std::string& kind, double took,
                    const std::map<std::string, double>& one_off) {
  for (const auto& [part, spent] : one_off) {
    timed(part, spent);
    took -= spent;
  }
  timed(kind, std::max(took, 0.0));
}

std::map<std::string, double> EtaModel::means() const {
  std::map<std::string, double> seconds;
  for (const auto& [kind, timed] : timed_) seconds[kind] = timed.first / timed.second;
  return seconds;
}

double EtaModel::seconds_left(const std::map<std::string, int>& remaining) const {
  double total = 0, all_seconds = 0;
  int all_tasks = 0;
  for (const auto& [kind, timed] : timed_) {
    if (is_one_off(kind)) continue;
    all_seconds += timed.first;
    all_tasks += timed.second;
  }
  auto mean = [](const std::pair<double, int>& timed) { return timed.first / timed.second; };
  for (const auto& [kind, count] : remaining) {
    if (count == 0) continue;
    auto timed = timed_.find(kind);
    auto prior = prior_.find(kind);
    // A start-up is a few docker calls, like a fully cached build: the first guess until one
    // is timed.
    auto alike = kind == to_string(SampleKind::kStartup)
                     ? timed_.find(to_string(CacheState::kWarmNoChange))
                     : timed_.end();
    if (timed != timed_.end()) {
      total += count * mean(timed->second);
    } else if (prior != prior_.end()) {
      total += count * prior->second;
    } else if (alike != timed_.end()) {
      total += count * mean(alike->second);
    } else if (all_tasks > 0) {
      total += count * all_seconds / all_tasks;  // no better guess yet
    } else {
      return std::nan("");
    }
  }
  return total;
}

namespace {

// Two values say little about one group's spread, but pooled over a kind's groups they show
// in the first rounds whether the kind will need more than its minimum.
double pooled_unit_width(const std::vector<double>& values, bool student_t) {
  return values.size() == 2 ? median_unit_spread(values) : unit_half_width(values, student_t);
}

}  // namespace

std::map<std::string, int> expected_work(const std::vector<GroupWork>& groups,
                                         const GroupTally& tally) {
  auto more = expected_by_group(groups, tally);
  std::map<std::string, int> remaining;
  for (std::size_t i = 0; i < groups.size(); ++i) remaining[groups[i].kind] += more[i];
  return remaining;
}

std::vector<int> expected_by_group(const std::vector<GroupWork>& groups, const GroupTally& tally) {
  std::map<std::string, std::vector<double>> widths;  // per kind: unit width / required
  for (const auto& group : groups) {
    const auto& values = tally.values(group.key);
    double need = pooled_unit_width(values, group.target.student_t) /
                  required_half_width(values, group.target);
    if (std::isfinite(need)) widths[group.kind].push_back(need);
  }
  std::vector<int> more;
  for (const auto& group : groups) {
    auto pooled = widths.find(group.kind);
    double typical = pooled == widths.end() ? std::nan("") : stats::median(pooled->second);
    more.push_back(expected_more(tally.values(group.key), tally.attempts(group.key), group.target,
                                 group.prior, typical));
  }
  return more;
}

}  // namespace bb
