#include "store/merge.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <map>
#include <set>

#include <fmt/format.h>

#include "store/sql.hpp"
#include "util/error.hpp"

namespace bb {

namespace {

// Refuses a source that is missing, not a buildbench database, or of another schema version
// (its rows would not mean what ours do).
void check_source(const std::filesystem::path& source) {
  if (!std::filesystem::exists(source)) {
    throw UsageError(fmt::format("--from '{}' does not exist", source.string()));
  }
  int version = 0, application_id = 0;
  try {
    SQLite::Database db(source.string(), SQLite::OPEN_READONLY);
    version = db.execAndGet("PRAGMA user_version").getInt();
    application_id = db.execAndGet("PRAGMA application_id").getInt();
  } catch (const SQLite::Exception& error) {
    throw UsageError(
        fmt::format("--from '{}' is not an SQLite database ({})", source.string(), error.what()));
  }
  if (application_id != kApplicationId) {
    throw UsageError(fmt::format("--from '{}' is not a buildbench database", source.string()));
  }
  if (version != kSchemaVersion) {
    throw UsageError(fmt::format(
        "--from '{}' has schema version {}, this database and buildbench use {}; open it with "
        "the matching buildbench first (any read migrates an older one forward)",
        source.string(), version, kSchemaVersion));
  }
}

// One run of `from` with its scenarios, samples, their images and its summaries, in one
// transaction; sample_ids learns where each sample went.
void copy_run(Store& target, Store& from, RunRecord run,
              std::map<std::int64_t, std::int64_t>& sample_ids, MergeResult& result) {
  auto samples = from.samples({run.id});
  auto scenarios = from.scenarios(run.id);
  std::int64_t old_id = run.id;
  sql::Transaction transaction(target.connection());
  target.begin_run_in_transaction(run);
  for (const auto& [name, position] : scenarios) {
    target.add_scenario(run.id, name, position, from.scenario_manifest(old_id, name));
  }
  for (const auto& stored : samples) {
    sample_ids[stored.id] = target.add_sample_in_transaction(run.id, stored.sample);
    if (!stored.sample.image_id.empty() && !target.has_image(stored.sample.image_id)) {
      if (auto image = from.image(stored.sample.image_id)) target.add_image_in_transaction(*image);
    }
    ++result.samples;
  }
  target.copy_summaries(from, old_id, run.id);
  transaction.commit();
}

// Pairs span two runs: copied once both of their samples are in.
void copy_pairs(Store& target, Store& from,
                const std::map<std::int64_t, std::int64_t>& sample_ids) {
  sql::Transaction transaction(target.connection());
  for (auto pair : from.all_pairs()) {
    auto base = sample_ids.find(pair.baseline_sample_id);
    auto cand = sample_ids.find(pair.candidate_sample_id);
    if (base == sample_ids.end() || cand == sample_ids.end()) continue;
    pair.baseline_sample_id = base->second;
    pair.candidate_sample_id = cand->second;
    target.add_pair(pair);
  }
  transaction.commit();
}

}  // namespace

MergeResult merge_database(Store& target, const std::filesystem::path& source) {
  // A server's store is checked by opening it (not buildbench's, or newer: refused).
  bool server = sql::is_server_url(source.string());
  if (!server) check_source(source);
  Store from(source, Store::Mode::kReadOnly);
  if (server && from.connection().schema_version() != kSchemaVersion) {
    throw UsageError(fmt::format(
        "--from {} has schema version {}, buildbench uses {}; open it read-write with this "
        "buildbench first (any write migrates an older one forward)",
        from.location(), from.connection().schema_version(), kSchemaVersion));
  }
  MergeResult result;
  std::set<std::string> present;
  for (const auto& run : target.runs()) present.insert(run.uuid);
  std::map<std::int64_t, std::int64_t> sample_ids;  // in `from` -> in the target
  for (const auto& run : from.runs()) {
    if (present.count(run.uuid)) {
      ++result.skipped;
      continue;
    }
    copy_run(target, from, run, sample_ids, result);
    ++result.imported;
  }
  copy_pairs(target, from, sample_ids);
  return result;
}

}  // namespace bb
