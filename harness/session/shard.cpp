#include "session/shard.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <numeric>
#include <set>

#include <fmt/format.h>

#include "model/metrics.hpp"
#include "session/plan.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

const char* kShardUsage = "write K/N with 1 <= K <= N, e.g. --shard 2/4 for the second of 4";

int shard_number(const std::string& part, const std::string& text, const std::string& flag) {
  std::size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(part, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (part.empty() || used != part.size() || !std::isdigit(static_cast<unsigned char>(part[0]))) {
    throw UsageError(fmt::format("{} '{}' is not a shard: {}", flag, printable(text), kShardUsage));
  }
  return value;
}

// A unit of the split: scenarios claims tie together (indices into names, ascending).
std::vector<std::vector<std::size_t>> units_of(
    const std::vector<std::string>& names,
    const std::vector<std::pair<std::string, std::string>>& together) {
  std::vector<std::size_t> root(names.size());
  std::iota(root.begin(), root.end(), 0);
  auto find = [&](std::size_t i) {
    while (root[i] != i) i = root[i] = root[root[i]];
    return i;
  };
  auto index = [&](const std::string& name) {
    return std::find(names.begin(), names.end(), name) - names.begin();
  };
  for (const auto& [a, b] : together) {
    auto i = static_cast<std::size_t>(index(a)), j = static_cast<std::size_t>(index(b));
    if (i >= names.size() || j >= names.size()) continue;  // a side not selected
    auto ri = find(i), rj = find(j);
    root[std::max(ri, rj)] = std::min(ri, rj);  // the root is the unit's first scenario
  }
  std::map<std::size_t, std::vector<std::size_t>> units;
  for (std::size_t i = 0; i < names.size(); ++i) units[find(i)].push_back(i);
  std::vector<std::vector<std::size_t>> result;
  for (auto& [first, members] : units) result.push_back(std::move(members));
  return result;  // in the suite's order of each unit's first scenario
}

std::size_t least_loaded(const std::vector<double>& load) {
  return std::min_element(load.begin(), load.end()) - load.begin();  // ties: the lower shard
}

}  // namespace

ShardSpec parse_shard(const std::string& text, const std::string& flag) {
  auto slash = text.find('/');
  if (slash == std::string::npos) {
    throw UsageError(fmt::format("{} '{}' is not a shard: {}", flag, printable(text), kShardUsage));
  }
  ShardSpec spec{shard_number(text.substr(0, slash), text, flag),
                 shard_number(text.substr(slash + 1), text, flag)};
  if (spec.count < 1 || spec.index < 1 || spec.index > spec.count) {
    throw UsageError(
        fmt::format("{} {}: shards are numbered 1 to N; {}", flag, printable(text), kShardUsage));
  }
  return spec;
}

Partition partition_scenarios(const std::vector<std::string>& names,
                              const std::vector<std::pair<std::string, std::string>>& together,
                              const std::map<std::string, double>& cost, int count) {
  auto units = units_of(names, together);
  std::vector<double> known;
  for (const auto& name : names)
    if (auto it = cost.find(name); it != cost.end()) known.push_back(it->second);
  Partition partition;
  partition.shards.resize(count);
  partition.load.assign(count, 0.0);
  partition.balanced_by = known.empty() ? "count" : "cost";
  double fallback =
      known.empty() ? 1.0 : std::accumulate(known.begin(), known.end(), 0.0) / known.size();
  std::vector<double> unit_cost;
  for (const auto& unit : units) {
    double total = 0;
    for (auto i : unit) {
      auto it = cost.find(names[i]);
      total += known.empty() ? 1.0 : it != cost.end() ? it->second : fallback;
    }
    unit_cost.push_back(total);
  }
  std::vector<std::size_t> order(units.size());
  std::iota(order.begin(), order.end(), 0);
  if (!known.empty()) {
    // Longest first; stable, so equal costs keep the suite's order.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return unit_cost[a] > unit_cost[b]; });
  }
  std::vector<std::vector<std::size_t>> members(count);
  for (auto u : order) {
    auto shard = least_loaded(partition.load);
    partition.load[shard] += unit_cost[u];
    members[shard].insert(members[shard].end(), units[u].begin(), units[u].end());
  }
  for (int k = 0; k < count; ++k) {
    std::sort(members[k].begin(), members[k].end());
    for (auto i : members[k]) partition.shards[k].push_back(names[i]);
  }
  return partition;
}

std::map<std::string, double> scenario_costs(Store& store, const std::vector<std::int64_t>& runs) {
  std::map<std::string, double> cost;
  std::vector<std::int64_t> newest_first = runs;
  std::sort(newest_first.begin(), newest_first.end(), std::greater<>());
  for (auto run_id : newest_first) {
    std::map<std::string, double> of_run;
    for (const auto& stored : store.samples({run_id}, false)) {
      for (auto metric : {kBuildSeconds, kStartupSeconds}) {
        if (const double* seconds = stored.sample.get(metric))
          of_run[stored.sample.scenario] += *seconds;
      }
    }
    for (const auto& [name, seconds] : of_run) cost.emplace(name, seconds);  // newer kept
  }
  return cost;
}

namespace {

std::optional<ShardOptions> stored_shard(const RunRecord& run) {
  if (!run.options.is_object() || !run.options.contains("shard")) return std::nullopt;
  return read_shard(run.options["shard"]);
}

bool same_fleet(const RunRecord& run, const std::string& suite_name,
                const std::map<std::string, std::string>& labels, int count) {
  auto shard = stored_shard(run);
  return run.suite_name == suite_name && run.labels == labels && shard && shard->count == count;
}

std::vector<std::int64_t> pinned_basis(Store& store, const std::string& suite_name,
                                       const std::string& pinned) {
  auto ids = store.select_runs(pinned);
  for (auto id : ids) {
    auto run = store.run(id);
    if (run->suite_name != suite_name) {
      throw UsageError(fmt::format(
          "--shard-by {}: run {} measured suite '{}', not '{}'; pick runs of this suite",
          printable(pinned), id, run->suite_name, suite_name));
    }
  }
  return ids;
}

}  // namespace

std::vector<std::int64_t> shard_basis(Store& store, const std::string& suite_name,
                                      const std::map<std::string, std::string>& labels, int count,
                                      const std::string& pinned) {
  if (!pinned.empty()) return pinned_basis(store, suite_name, pinned);
  auto runs = store.runs();
  for (const auto& run : runs) {  // oldest first: the fleet's first shard chose for all
    if (same_fleet(run, suite_name, labels, count)) return stored_shard(run)->basis_runs;
  }
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    const RunRecord& run = *it;
    if (run.suite_name != suite_name || run.status != "complete" || run.pruned ||
        run.labels == labels)
      continue;
    auto shard = stored_shard(run);
    if (!shard) return {run.id};
    std::vector<std::int64_t> siblings;
    for (const auto& other : runs) {
      if (other.status == "complete" && !other.pruned &&
          same_fleet(other, suite_name, run.labels, shard->count))
        siblings.push_back(other.id);
    }
    return siblings;
  }
  return {};
}

Partition plan_partition(Store* store, const Suite& suite, const RunOptions& options, int count,
                         const std::string& pinned) {
  std::vector<std::string> names;
  for (const auto& unit : single_units(suite, options))
    for (const auto& leg : unit.legs) names.push_back(leg.scenario->name);
  std::vector<std::pair<std::string, std::string>> together;
  for (const auto& claim : suite.claims) together.emplace_back(claim.subject, claim.baseline);
  std::vector<std::int64_t> basis;
  std::map<std::string, double> cost;
  if (store) {
    basis = shard_basis(*store, suite.name, options.labels, count, pinned);
    cost = scenario_costs(*store, basis);
  }
  auto partition = partition_scenarios(names, together, cost, count);
  if (partition.balanced_by == "cost") partition.basis_runs = basis;
  return partition;
}

ShardOptions shard_of(const Partition& partition, const ShardSpec& spec) {
  const auto& scenarios = partition.shards.at(spec.index - 1);
  if (scenarios.empty()) {
    std::size_t filled = std::count_if(partition.shards.begin(), partition.shards.end(),
                                       [](const auto& shard) { return !shard.empty(); });
    throw UsageError(fmt::format(
        "--shard {}/{}: shard {} gets no scenario: the selected scenarios fill only {} of {} "
        "shards (a claim's two scenarios share one); run with --shard K/{} or fewer runners",
        spec.index, spec.count, spec.index, filled, spec.count, filled));
  }
  return {spec.index, spec.count, scenarios, partition.balanced_by, partition.basis_runs};
}

}  // namespace bb
