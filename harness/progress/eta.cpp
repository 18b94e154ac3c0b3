#include "progress/eta.hpp"

#include <algorithm>
#include <cmath>
#include <set>

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

double EtaModel::planning_seconds(const std::string& kind) const {
  if (auto timed = timed_.find(kind); timed != timed_.end())
    return timed->second.first / timed->second.second;
  if (auto prior = prior_.find(kind); prior != prior_.end()) return prior->second;
  double seconds = 0;
  int tasks = 0;
  for (const auto& [other, timed] : timed_) {
    if (is_one_off(other)) continue;
    seconds += timed.first;
    tasks += timed.second;
  }
  double mean = tasks > 0 ? seconds / tasks : std::nan("");
  // A fresh runner's build is a cold build and its pulls. Guessed at the mean task (start-ups
  // and cached builds among them), a claim's cold-pull looked the cheapest, got its first look
  // before every other claim, then cost 50 s a build (2026-12-06: five claims left at 1 pair).
  if (kind == to_string(CacheState::kColdPull)) {
    double cold = planning_seconds(to_string(CacheState::kCold));
    if (std::isfinite(cold)) return std::isfinite(mean) ? std::max(mean, cold) : cold;
  }
  return mean;
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

namespace {

// What a group's need is pooled over: its work kind (a build's cache state), for a start-up
// its mode, whose cost (bytecode compiled or not) sets its spread.
std::string pool_of(const GroupWork& group) {
  return group.key.kind == SampleKind::kStartup ? group.kind + " " + group.key.state : group.kind;
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
  std::map<std::string, std::vector<double>> needs;      // per pool: unit width / required
  std::map<SampleKind, std::vector<double>> kind_needs;  // every build's, every start-up's
  for (const auto& group : groups) {
    const auto& values = tally.values(group.key);
    double need = pooled_unit_width(values, group.target.student_t) /
                  required_half_width(values, group.target);
    if (!std::isfinite(need)) continue;
    needs[pool_of(group)].push_back(need);
    kind_needs[group.key.kind].push_back(need);
  }
  std::vector<int> more;
  for (const auto& group : groups) {
    // Its own pool, else (a first round's cold builds, before any has two values) the pool of
    // its sample kind: the machine's noise shows in the warm groups first.
    auto pooled = needs.find(pool_of(group));
    auto kind_pooled = kind_needs.find(group.key.kind);
    double typical = pooled != needs.end()             ? stats::median(pooled->second)
                     : kind_pooled != kind_needs.end() ? stats::median(kind_pooled->second)
                                                       : std::nan("");
    more.push_back(expected_more(tally.values(group.key), tally.attempts(group.key), group.target,
                                 group.prior, typical));
  }
  return more;
}

double EtaReplay::error_at(double fraction) const {
  const EtaPoint* last = nullptr;
  for (const auto& point : points)
    if (point.elapsed <= fraction * total) last = &point;
  if (!last || !(total > 0)) return std::nan("");
  return (last->predicted_end - total) / total;
}

double EtaReplay::largest_error_after(double fraction) const {
  double worst = 0;
  for (const auto& point : points) {
    if (point.elapsed < fraction * total || !(total > 0)) continue;
    double error = (point.predicted_end - total) / total;
    if (std::isnan(error) || std::abs(error) > std::abs(worst)) worst = error;
    if (std::isnan(error)) break;  // no guess at all after `fraction`: that is the answer
  }
  return worst;
}

EtaReplay replay_eta(const std::vector<Sample>& samples, const std::vector<GroupWork>& groups,
                     const std::map<std::string, double>& prior_seconds,
                     std::optional<double> budget_seconds) {
  EtaReplay replay;
  replay.tasks = static_cast<int>(samples.size());
  if (samples.empty()) return replay;
  std::set<std::string> registry_due;
  bool registry = std::any_of(samples.begin(), samples.end(),
                              [](const Sample& s) { return !recorded_one_off(s).empty(); });
  for (const auto& group : groups) {
    if (registry && group.key.kind == SampleKind::kBuild &&
        group.key.state == to_string(CacheState::kCold))
      registry_due.insert(group.key.scenario);
  }
  auto first = parse_rfc3339(samples.front().started_at);
  auto last = parse_rfc3339(samples.back().started_at);
  if (!first || !last) return replay;
  replay.total = *last - *first;
  GroupTally tally;
  EtaModel eta;
  eta.prior(prior_seconds);
  for (std::size_t i = 0; i + 1 < samples.size(); ++i) {
    const Sample& s = samples[i];
    auto start = parse_rfc3339(s.started_at), end = parse_rfc3339(samples[i + 1].started_at);
    if (!start || !end) continue;
    auto one_off = recorded_one_off(s);
    if (!one_off.empty()) registry_due.erase(s.scenario);
    if (s.kind == samples[i + 1].kind && *end >= *start)
      eta.task(work_kind(s.kind, s.state), *end - *start, one_off);
    if (!s.warmup) {
      auto figure = figure_of(s);
      tally.add(GroupKey::of(s), figure.has_value(), figure.value_or(0));
    }
    auto remaining = expected_work(groups, tally);
    remaining[kRegistryWork] = static_cast<int>(registry_due.size());
    int left = 0;
    for (const auto& [kind, count] : remaining)
      if (!is_one_off(kind)) left += count;
    double elapsed = *end - *first;
    double predicted = elapsed + eta.seconds_left(remaining);
    if (budget_seconds && !std::isnan(predicted))
      predicted = std::min(predicted, std::max(elapsed, *budget_seconds));
    replay.points.push_back({elapsed, predicted, static_cast<int>(i + 1) + left});
  }
  return replay;
}

}  // namespace bb
