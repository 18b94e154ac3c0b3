// Runs, their scenarios and their samples (with metrics and build steps).
#include "store/store.hpp"

#include "store/sql.hpp"

#include <map>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

#include "store/columns.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

std::string now() {
  return iso8601_utc(std::chrono::system_clock::now());
}

std::string new_uuid() {
  return random_hex(32);
}

}  // namespace

std::int64_t Store::begin_run(RunRecord& run) {
  sql::Transaction transaction(*db_);
  begin_run_in_transaction(run);
  transaction.commit();
  return run.id;
}

std::int64_t Store::begin_run_in_transaction(RunRecord& run) {
  if (run.started_at.empty()) run.started_at = now();
  if (run.uuid.empty()) run.uuid = new_uuid();
  sql::Statement insert(*db_,
                        "INSERT INTO runs (started_at, status, suite_name, suite_path, command, "
                        "git_commit, git_dirty, fingerprint, options, uuid, pruned) VALUES "
                        "(?,?,?,?,?,?,?,?,?,?,?)",
                        sql::Statement::Returning::kId);
  insert.bind(1, run.started_at);
  insert.bind(2, run.status);
  insert.bind(3, run.suite_name);
  insert.bind(4, run.suite_path);
  insert.bind(5, run.command);
  insert.bind(6, run.git_commit);
  insert.bind(7, run.git_dirty ? 1 : 0);
  insert.bind(8, run.fingerprint.dump());
  insert.bind(9, run.options.dump());
  insert.bind(10, run.uuid);
  insert.bind(11, run.pruned ? 1 : 0);
  run.id = insert.insert();
  for (const auto& [key, value] : run.labels) {
    sql::Statement label(*db_, "INSERT INTO run_labels (run_id, key, value) VALUES (?,?,?)");
    label.bind(1, run.id);
    label.bind(2, key);
    label.bind(3, value);
    label.exec();
  }
  if (!run.short_of_target.empty()) mark_short(run.id, run.short_of_target);
  if (!run.finished_at.empty()) {
    sql::Statement finish(*db_, "UPDATE runs SET finished_at = ? WHERE id = ?");
    finish.bind(1, run.finished_at);
    finish.bind(2, run.id);
    finish.exec();
  }
  return run.id;
}

void Store::finish_run_once(std::int64_t run_id, const std::string& status) {
  sql::Statement update(*db_, "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?");
  update.bind(1, status);
  update.bind(2, now());
  update.bind(3, run_id);
  update.exec();
}

void Store::mark_short(std::int64_t run_id, const std::vector<ShortGroup>& groups) {
  sql::Statement clear(*db_, "DELETE FROM short_groups WHERE run_id = ?");
  clear.bind(1, run_id);
  clear.exec();
  sql::Statement insert(*db_,
                        "INSERT INTO short_groups (run_id, scenario, kind, state, runs, wanted) "
                        "VALUES (?,?,?,?,?,?)");
  for (const auto& group : groups) {
    insert.bind(1, run_id);
    insert.bind(2, group.group.scenario);
    insert.bind(3, std::string(to_string(group.group.kind)));
    insert.bind(4, group.group.state);
    insert.bind(5, group.runs);
    insert.bind(6, group.wanted);
    insert.exec();
    insert.reset();
  }
}

void Store::set_run_option(std::int64_t run_id, const std::string& key,
                           const nlohmann::json& value) {
  sql::Transaction transaction(*db_);
  auto record = run(run_id);
  if (!record) throw std::logic_error("set_run_option: no run " + std::to_string(run_id));
  if (!record->options.is_object()) record->options = nlohmann::json::object();
  record->options[key] = value;
  sql::Statement update(*db_, "UPDATE runs SET options = ? WHERE id = ?");
  update.bind(1, record->options.dump());
  update.bind(2, run_id);
  update.exec();
  transaction.commit();
}

void Store::reopen_run(std::int64_t run_id) {
  sql::Transaction transaction(*db_);
  // A pair needs both of its samples: one cut short takes its pair along (?1 is the run).
  for (const char* sql : {"DELETE FROM pairs WHERE baseline_sample_id IN (SELECT id FROM samples "
                          "WHERE run_id = ?1 AND status = 'interrupted') OR candidate_sample_id IN "
                          "(SELECT id FROM samples WHERE run_id = ?1 AND status = 'interrupted')",
                          "DELETE FROM metrics WHERE sample_id IN (SELECT id FROM samples WHERE "
                          "run_id = ? AND status = 'interrupted')",
                          "DELETE FROM steps WHERE sample_id IN (SELECT id FROM samples WHERE "
                          "run_id = ? AND status = 'interrupted')",
                          "DELETE FROM samples WHERE run_id = ? AND status = 'interrupted'",
                          "UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?"}) {
    sql::Statement statement(*db_, sql);
    statement.bind(1, run_id);
    statement.exec();
  }
  transaction.commit();
}

void Store::add_scenario(std::int64_t run_id, const std::string& name, int position,
                         const nlohmann::json& manifest) {
  sql::Statement insert(
      *db_, sql::replace_into(db_->dialect(), "scenarios",
                              {"run_id", "name", "position", "manifest"}, {"run_id", "name"}));
  insert.bind(1, run_id);
  insert.bind(2, name);
  insert.bind(3, position);
  insert.bind(4, manifest.dump());
  insert.exec();
}

std::int64_t Store::add_sample(std::int64_t run_id, const Sample& sample) {
  for (int attempt = 1;; ++attempt) {
    try {
      sql::Transaction transaction(*db_);
      auto id = add_sample_in_transaction(run_id, sample);
      transaction.commit();
      return id;
    } catch (const sql::ConnectionLost&) {
      if (attempt == kSampleAttempts) throw;
    }
    // The server rolled the transaction back, unless the cut came after its COMMIT landed:
    // look before writing it again (reconnecting first; giving up throws).
    if (auto id = stored_sample_id(run_id, sample)) return *id;
    fmt::print(stderr, "buildbench: database {}: writing the sample again ({} of {})\n", location(),
               attempt + 1, kSampleAttempts);
  }
}

std::optional<std::int64_t> Store::stored_sample_id(std::int64_t run_id, const Sample& sample) {
  sql::Statement query(*db_,
                       "SELECT id FROM samples WHERE run_id = ? AND scenario = ? AND kind = ? AND "
                       "state = ? AND repetition = ? AND warmup = ? AND status = ? AND "
                       "started_at = ? ORDER BY id");
  query.bind(1, run_id);
  query.bind(2, sample.scenario);
  query.bind(3, std::string(to_string(sample.kind)));
  query.bind(4, sample.state);
  query.bind(5, sample.repetition);
  query.bind(6, sample.warmup ? 1 : 0);
  query.bind(7, std::string(to_string(sample.status)));
  query.bind(8, sample.started_at);
  std::vector<std::int64_t> candidates;
  while (query.step()) candidates.push_back(query.column(0).int64());
  for (auto id : candidates) {
    // Same group, repetition and second: the same sample only with the same figures too.
    sql::Statement metrics(*db_,
                           "SELECT name, value FROM metrics WHERE sample_id = ? ORDER BY rowid");
    metrics.bind(1, id);
    std::vector<Metric> stored;
    while (metrics.step()) stored.push_back({metrics.column(0).text(), metrics.column(1).real()});
    if (stored == sample.metrics) return id;
  }
  return std::nullopt;
}

void Store::finish_run(std::int64_t run_id, const std::string& status) {
  try {
    finish_run_once(run_id, status);
  } catch (const sql::ConnectionLost&) {
    finish_run_once(run_id, status);  // one UPDATE: the same outcome if it ran twice
  }
}

std::int64_t Store::add_sample_in_transaction(std::int64_t run_id, const Sample& sample) {
  sql::Statement insert(*db_,
                        "INSERT INTO samples (run_id, scenario, kind, state, repetition, "
                        "warmup, status, error, started_at, image_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        sql::Statement::Returning::kId);
  insert.bind(1, run_id);
  insert.bind(2, sample.scenario);
  insert.bind(3, std::string(to_string(sample.kind)));
  insert.bind(4, sample.state);
  insert.bind(5, sample.repetition);
  insert.bind(6, sample.warmup ? 1 : 0);
  insert.bind(7, std::string(to_string(sample.status)));
  insert.bind(8, sample.error);
  insert.bind(9, sample.started_at);
  insert.bind(10, sample.image_id);
  std::int64_t id = insert.insert();
  sql::Statement metric(*db_,
                        sql::replace_into(db_->dialect(), "metrics", {"sample_id", "name", "value"},
                                          {"sample_id", "name"}));
  for (const auto& m : sample.metrics) {
    metric.bind(1, id);
    metric.bind(2, m.name);
    metric.bind(3, m.value);
    metric.exec();
    metric.reset();
  }
  sql::Statement step(*db_,
                      "INSERT INTO steps (sample_id, position, name, started, completed, "
                      "cached, error) VALUES (?,?,?,?,?,?,?)");
  int position = 0;
  for (const auto& s : sample.steps) {
    step.bind(1, id);
    step.bind(2, position++);
    step.bind(3, s.name);
    if (s.started)
      step.bind(4, *s.started);
    else
      step.bind(4);
    if (s.completed)
      step.bind(5, *s.completed);
    else
      step.bind(5);
    step.bind(6, s.cached ? 1 : 0);
    step.bind(7, s.error);
    step.exec();
    step.reset();
  }
  return id;
}

namespace {
RunRecord read_run(sql::Connection& db, sql::Statement& query) {
  RunRecord run;
  run.id = query.column(0).int64();
  run.started_at = query.column(1).text();
  run.finished_at = query.column(2).is_null() ? "" : query.column(2).text();
  run.status = query.column(3).text();
  run.suite_name = query.column(4).text();
  run.suite_path = query.column(5).text();
  run.command = query.column(6).text();
  run.git_commit = query.column(7).text();
  run.git_dirty = query.column(8).int32() != 0;
  run.fingerprint = nlohmann::json::parse(query.column(9).text(), nullptr, false);
  run.options = nlohmann::json::parse(query.column(10).text(), nullptr, false);
  run.uuid = query.column(11).is_null() ? "" : query.column(11).text();
  run.pruned = query.column(12).int32() != 0;
  sql::Statement labels(db, "SELECT key, value FROM run_labels WHERE run_id = ? ORDER BY key");
  labels.bind(1, run.id);
  while (labels.step()) {
    run.labels[labels.column(0).text()] = labels.column(1).text();
  }
  sql::Statement short_groups(
      db,
      "SELECT scenario, kind, state, runs, wanted FROM short_groups WHERE run_id = ? ORDER BY "
      "rowid");
  short_groups.bind(1, run.id);
  while (short_groups.step()) {
    GroupKey key{short_groups.column(0).text(),
                 stored_sample_kind(short_groups.column(1).text(), run.id, "short_groups.kind"),
                 short_groups.column(2).text()};
    run.short_of_target.push_back(
        {key, short_groups.column(3).int32(), short_groups.column(4).int32()});
  }
  return run;
}
const char* kRunColumns =
    "SELECT id, started_at, finished_at, status, suite_name, suite_path, command, git_commit, "
    "git_dirty, fingerprint, options, uuid, pruned FROM runs";
}  // namespace

std::vector<RunRecord> Store::runs() {
  std::vector<RunRecord> runs;
  sql::Statement query(*db_, std::string(kRunColumns) + " ORDER BY id");
  while (query.step()) runs.push_back(read_run(*db_, query));
  return runs;
}

std::optional<RunRecord> Store::run(std::int64_t id) {
  sql::Statement query(*db_, std::string(kRunColumns) + " WHERE id = ?");
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return read_run(*db_, query);
}

std::vector<std::int64_t> Store::select_runs(const std::string& selector) {
  std::vector<std::int64_t> ids;
  if (selector == "latest") {
    sql::Statement query(*db_, "SELECT max(id) FROM runs");
    if (query.step() && !query.column(0).is_null()) {
      ids.push_back(query.column(0).int64());
    }
    if (ids.empty()) {
      throw UsageError(
          fmt::format("database '{}' holds no runs; run 'buildbench run' first", location()));
    }
    return ids;
  }
  if (auto eq = selector.find('='); eq != std::string::npos) {
    sql::Statement query(*db_,
                         "SELECT run_id FROM run_labels WHERE key = ? AND value = ? ORDER BY "
                         "run_id");
    query.bind(1, selector.substr(0, eq));
    query.bind(2, selector.substr(eq + 1));
    while (query.step()) ids.push_back(query.column(0).int64());
    if (ids.empty()) {
      throw UsageError(
          fmt::format("no run in '{}' has the label {}; list runs with 'buildbench "
                      "export' or label a run with --label KEY=VALUE",
                      location(), printable(selector)));
    }
    return ids;
  }
  std::int64_t id = 0;
  try {
    std::size_t used = 0;
    id = std::stoll(selector, &used);
    if (used != selector.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw UsageError(
        fmt::format("'{}' is not a run selector; give a run id, 'latest' or "
                    "KEY=VALUE",
                    printable(selector)));
  }
  if (!run(id)) {
    throw UsageError(fmt::format("no run {} in '{}'", id, location()));
  }
  ids.push_back(id);
  return ids;
}

std::vector<StoredSample> Store::samples(const std::vector<std::int64_t>& run_ids,
                                         bool with_steps) {
  std::vector<StoredSample> result;
  std::map<std::int64_t, std::size_t> index;
  for (auto run_id : run_ids) {
    sql::Statement query(*db_,
                         "SELECT id, scenario, kind, state, repetition, warmup, status, error, "
                         "started_at, image_id FROM samples WHERE run_id = ? ORDER BY id");
    query.bind(1, run_id);
    while (query.step()) {
      StoredSample stored;
      stored.id = query.column(0).int64();
      stored.run_id = run_id;
      Sample& s = stored.sample;
      s.scenario = query.column(1).text();
      s.kind = stored_sample_kind(query.column(2).text(), run_id, "samples.kind");
      s.state = query.column(3).text();
      s.repetition = query.column(4).int32();
      s.warmup = query.column(5).int32() != 0;
      s.status = stored_sample_status(query.column(6).text(), run_id);
      s.error = query.column(7).text();
      s.started_at = query.column(8).text();
      s.image_id = query.column(9).text();
      index[stored.id] = result.size();
      result.push_back(std::move(stored));
    }
    sql::Statement metrics(*db_,
                           "SELECT m.sample_id, m.name, m.value FROM metrics m JOIN samples s "
                           "ON s.id = m.sample_id WHERE s.run_id = ? ORDER BY m.sample_id, "
                           "m.rowid");
    metrics.bind(1, run_id);
    while (metrics.step()) {
      auto& s = result[index.at(metrics.column(0).int64())].sample;
      s.metrics.push_back({metrics.column(1).text(), metrics.column(2).real()});
    }
    if (!with_steps) continue;
    sql::Statement steps(*db_,
                         "SELECT t.sample_id, t.name, t.started, t.completed, t.cached, t.error "
                         "FROM steps t JOIN samples s ON s.id = t.sample_id WHERE s.run_id = ? "
                         "ORDER BY t.sample_id, t.position");
    steps.bind(1, run_id);
    while (steps.step()) {
      auto& s = result[index.at(steps.column(0).int64())].sample;
      BuildStep step;
      step.name = steps.column(1).text();
      if (!steps.column(2).is_null()) step.started = steps.column(2).real();
      if (!steps.column(3).is_null()) step.completed = steps.column(3).real();
      step.cached = steps.column(4).int32() != 0;
      step.error = steps.column(5).text();
      s.steps.push_back(std::move(step));
    }
  }
  return result;
}

nlohmann::json Store::scenario_manifest(std::int64_t run_id, const std::string& name) {
  sql::Statement query(*db_, "SELECT manifest FROM scenarios WHERE run_id = ? AND name = ?");
  query.bind(1, run_id);
  query.bind(2, name);
  if (!query.step()) return nlohmann::json::object();
  return nlohmann::json::parse(query.column(0).text(), nullptr, false);
}

std::vector<std::pair<std::string, int>> Store::scenarios(std::int64_t run_id) {
  std::vector<std::pair<std::string, int>> result;
  sql::Statement query(*db_,
                       "SELECT name, position FROM scenarios WHERE run_id = ? ORDER BY position");
  query.bind(1, run_id);
  while (query.step()) {
    result.emplace_back(query.column(0).text(), query.column(1).int32());
  }
  return result;
}

}  // namespace bb
