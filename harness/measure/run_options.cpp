#include "measure/run_options.hpp"

namespace bb {

nlohmann::json stored_form(const RunOptions& options) {
  std::vector<std::string> state_names;
  for (auto state : options.states) state_names.push_back(to_string(state));
  nlohmann::json json = {{"runs", options.runs},
                         {"warmup", options.warmup},
                         {"startup_runs", options.startup_runs},
                         {"startup_min_runs", options.startup_min_runs},
                         {"claim_min_runs", options.claim_min_runs},
                         {"scenarios", options.scenarios},
                         {"states", state_names},
                         {"image_stats", options.image_stats},
                         {"build_timeout_ms", options.build_timeout.count()},
                         {"build_precision", options.build_precision},
                         {"startup_precision", options.startup_precision},
                         {"build_precision_floor", options.build_precision_floor},
                         {"min_runs", options.min_runs},
                         {"max_runs", options.max_runs},
                         {"registry", options.registry},
                         {"pull_engine", options.pull_engine},
                         {"pull_onto", options.pull_onto},
                         {"network_profile", options.network_profile}};
  if (options.startup_timeout) json["startup_timeout_ms"] = options.startup_timeout->count();
  if (!options.image_variant.empty()) json["image_variant"] = options.image_variant;
  if (options.student_t) json["stand_in"] = "student-t";  // the stopping rule below six values
  if (options.claim_precision > 0) json["claim_precision"] = options.claim_precision;
  if (options.claim_max_runs > 0) json["claim_max_runs"] = options.claim_max_runs;
  if (options.budget) json["budget_ms"] = options.budget->count();
  if (options.shard) {
    json["shard"] = {{"index", options.shard->index},
                     {"count", options.shard->count},
                     {"scenarios", options.shard->scenarios},
                     {"balanced_by", options.shard->balanced_by},
                     {"basis_runs", options.shard->basis_runs}};
  }
  if (!options.testbed.empty()) json["testbed"] = options.testbed;
  return json;
}

std::optional<ShardOptions> read_shard(const nlohmann::json& stored) {
  if (!stored.is_object()) return std::nullopt;
  ShardOptions shard;
  shard.index = stored.value("index", 0);
  shard.count = stored.value("count", 0);
  shard.scenarios = stored.value("scenarios", std::vector<std::string>{});
  shard.balanced_by = stored.value("balanced_by", std::string("count"));
  shard.basis_runs = stored.value("basis_runs", std::vector<std::int64_t>{});
  return shard;
}

RunOptions read_stored_form(const nlohmann::json& o, const RunOptions& given) {
  const RunOptions defaults;
  RunOptions options;
  options.runs = o.value("runs", defaults.runs);
  options.warmup = o.value("warmup", defaults.warmup);
  options.startup_runs = o.value("startup_runs", defaults.startup_runs);
  options.startup_min_runs = o.value("startup_min_runs", defaults.startup_min_runs);
  options.claim_min_runs = o.value("claim_min_runs", defaults.claim_min_runs);
  options.image_stats = o.value("image_stats", defaults.image_stats);
  options.build_precision = o.value("build_precision", defaults.build_precision);
  options.startup_precision = o.value("startup_precision", defaults.startup_precision);
  options.build_precision_floor = o.value("build_precision_floor", defaults.build_precision_floor);
  // A run recorded before the t stand-in resumes under the rule that stopped its groups.
  options.student_t = o.contains("stand_in");
  options.min_runs = o.value("min_runs", defaults.min_runs);
  options.max_runs = o.value("max_runs", defaults.max_runs);
  options.claim_precision = o.value("claim_precision", defaults.claim_precision);
  options.claim_max_runs = o.value("claim_max_runs", defaults.claim_max_runs);
  options.scenarios = o.value("scenarios", std::vector<std::string>{});
  for (const auto& name : o.value("states", std::vector<std::string>{})) {
    if (auto state = parse_cache_state(name)) options.states.push_back(*state);
  }
  options.build_timeout = std::chrono::milliseconds(
      o.value("build_timeout_ms", static_cast<long long>(defaults.build_timeout.count())));
  if (o.contains("startup_timeout_ms")) {
    options.startup_timeout = std::chrono::milliseconds(o["startup_timeout_ms"].get<long long>());
  }
  if (o.contains("budget_ms"))
    options.budget = std::chrono::milliseconds(o["budget_ms"].get<long long>());
  if (o.contains("shard")) options.shard = read_shard(o["shard"]);
  options.image_variant = o.value("image_variant", std::string());
  options.registry = o.value("registry", given.registry);
  options.pull_engine = o.value("pull_engine", given.pull_engine);
  // Runs before --pull-onto pulled into an empty engine.
  options.pull_onto = o.value("pull_onto", std::string("empty"));
  options.network_profile = o.value("network_profile", given.network_profile);
  options.testbed = o.value("testbed", std::string());
  return options;
}

RunOptions resumed_options(const RunRecord& run, const RunOptions& given) {
  RunOptions options = read_stored_form(run.options, given);
  options.secrets = given.secrets;  // never stored: the resuming command passes them again
  options.labels = run.labels;
  options.command = run.command;
  options.resume = run.id;
  return options;
}

}  // namespace bb
