#include "store/store.hpp"

#include <set>

#include "model/metrics.hpp"
#include "store/columns.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <cmath>
#include <random>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

const char* kSchemaV1 = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL,
  suite_name TEXT NOT NULL,
  suite_path TEXT NOT NULL,
  command TEXT NOT NULL,
  git_commit TEXT NOT NULL,
  git_dirty INTEGER NOT NULL,
  fingerprint TEXT NOT NULL,
  options TEXT NOT NULL
);
CREATE TABLE run_labels (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (run_id, key)
);
CREATE TABLE scenarios (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  name TEXT NOT NULL,
  position INTEGER NOT NULL,
  manifest TEXT NOT NULL,
  PRIMARY KEY (run_id, name)
);
CREATE TABLE samples (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  scenario TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  repetition INTEGER NOT NULL,
  warmup INTEGER NOT NULL,
  status TEXT NOT NULL,
  error TEXT NOT NULL,
  started_at TEXT NOT NULL,
  image_id TEXT NOT NULL
);
CREATE INDEX samples_by_run ON samples(run_id, scenario, kind, state);
CREATE TABLE metrics (
  sample_id INTEGER NOT NULL REFERENCES samples(id),
  name TEXT NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (sample_id, name)
);
CREATE TABLE steps (
  sample_id INTEGER NOT NULL REFERENCES samples(id),
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  started REAL,
  completed REAL,
  cached INTEGER NOT NULL,
  error TEXT NOT NULL,
  PRIMARY KEY (sample_id, position)
);
CREATE TABLE images (
  image_id TEXT PRIMARY KEY,
  size_bytes INTEGER NOT NULL,
  compressed_bytes INTEGER NOT NULL,
  pyc_count INTEGER NOT NULL,
  pyc_bytes INTEGER NOT NULL
);
CREATE TABLE layers (
  image_id TEXT NOT NULL REFERENCES images(image_id),
  position INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  size_bytes INTEGER NOT NULL,
  compressed_bytes INTEGER NOT NULL,
  pyc_count INTEGER NOT NULL,
  pyc_bytes INTEGER NOT NULL,
  PRIMARY KEY (image_id, position)
);
)sql";

// v2: a stable identity per run (merge across databases) and summaries that outlive
// thinned raw samples (prune-history).
const char* kSchemaV2 = R"sql(
ALTER TABLE runs ADD COLUMN uuid TEXT;
UPDATE runs SET uuid = lower(hex(randomblob(16))) WHERE uuid IS NULL;
CREATE UNIQUE INDEX runs_by_uuid ON runs(uuid);
ALTER TABLE runs ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0;
CREATE TABLE summaries (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  scenario TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  metric TEXT NOT NULL,
  count INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  median REAL, mean REAL, stddev REAL, mad REAL, min REAL, max REAL,
  ci_low REAL, ci_high REAL,
  PRIMARY KEY (run_id, scenario, kind, state, metric)
);
)sql";

// v3: start-up modes are named by the suite; the two of the Python-only days get the names
// of the built-in modes ("bytecode" is the image as built, "none" is no-bytecode).
const char* kSchemaV3 = R"sql(
UPDATE samples SET state = 'as-built' WHERE kind = 'startup' AND state = 'bytecode';
UPDATE samples SET state = 'no-bytecode' WHERE kind = 'startup' AND state = 'none';
UPDATE summaries SET state = 'as-built' WHERE kind = 'startup' AND state = 'bytecode';
UPDATE summaries SET state = 'no-bytecode' WHERE kind = 'startup' AND state = 'none';
)sql";

// v4: the pairs of an A/B session (`buildbench ab`): which baseline sample goes with which
// candidate sample, and which of the two ran first.
const char* kSchemaV4 = R"sql(
CREATE TABLE pairs (
  ab_id TEXT NOT NULL,
  baseline_sample_id INTEGER NOT NULL REFERENCES samples(id),
  candidate_sample_id INTEGER NOT NULL REFERENCES samples(id),
  first TEXT NOT NULL CHECK (first IN ('baseline', 'candidate')),
  PRIMARY KEY (baseline_sample_id, candidate_sample_id)
);
CREATE INDEX pairs_by_candidate ON pairs(candidate_sample_id);
)sql";

// Forward migrations: entry i takes a database from version i to i + 1.
const std::vector<const char*>& migrations() {
  static const std::vector<const char*> list = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4};
  return list;
}

std::string now() {
  return iso8601_utc(std::chrono::system_clock::now());
}

std::string new_uuid() {
  std::random_device device;
  std::uniform_int_distribution<int> hex(0, 15);
  std::string id;
  for (int i = 0; i < 32; ++i) id += "0123456789abcdef"[hex(device)];
  return id;
}

}  // namespace

Store::Store(const fs::path& path, Mode mode, int busy_timeout_ms) : path_(path) {
  bool exists = fs::exists(path);
  if (mode == Mode::kReadOnly && !exists) {
    throw UsageError(
        fmt::format("database '{}' does not exist; run 'buildbench run' first or "
                    "pass --db FILE",
                    path.string()));
  }
  if (exists && !fs::is_regular_file(path)) {
    throw UsageError(
        fmt::format("--db '{}' is not a regular file; name a database file", path.string()));
  }
  int flags = mode == Mode::kReadOnly ? SQLite::OPEN_READONLY
                                      : (SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  try {
    db_ = std::make_unique<SQLite::Database>(path.string(), flags, busy_timeout_ms);
    // Reading the header tells a foreign or corrupt file apart before anything is written.
    int application_id = db_->execAndGet("PRAGMA application_id").getInt();
    int version = db_->execAndGet("PRAGMA user_version").getInt();
    int tables = db_->execAndGet("SELECT count(*) FROM sqlite_master").getInt();
    if (tables > 0 && application_id != kApplicationId) {
      throw UsageError(
          fmt::format("'{}' is an SQLite database but not a buildbench database; "
                      "pass another --db FILE (the file was left untouched)",
                      path.string()));
    }
    if (version > kSchemaVersion) {
      throw UsageError(
          fmt::format("'{}' has schema version {}, newer than this buildbench "
                      "understands ({}); use a newer buildbench (the file was left "
                      "untouched)",
                      path.string(), version, kSchemaVersion));
    }
    if (mode == Mode::kReadWrite) {
      db_->exec("PRAGMA journal_mode=WAL");
      db_->exec("PRAGMA synchronous=NORMAL");
      db_->exec("PRAGMA foreign_keys=ON");
      migrate();
    } else if (version < kSchemaVersion) {
      // Reading an older database: migrate it forward first (same as any write would).
      db_.reset();
      { Store migrated(path, Mode::kReadWrite, busy_timeout_ms); }
      db_ = std::make_unique<SQLite::Database>(path.string(), flags, busy_timeout_ms);
    }
  } catch (const SQLite::Exception& error) {
    std::string what = error.what();
    if (what.find("not a database") != std::string::npos ||
        what.find("malformed") != std::string::npos) {
      throw UsageError(
          fmt::format("'{}' is not a valid SQLite database ({}); pass another --db "
                      "FILE (the file was left untouched)",
                      path.string(), what));
    }
    throw EnvironmentError(fmt::format("cannot open database '{}': {}", path.string(), what));
  }
}

Store::~Store() = default;
Store::Store(Store&&) noexcept = default;

SQLite::Database& Store::database() {
  return *db_;
}

void Store::migrate() {
  int version = db_->execAndGet("PRAGMA user_version").getInt();
  const auto& steps = migrations();
  while (version < kSchemaVersion) {
    SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    // Re-read inside the lock: another process may have migrated meanwhile.
    version = db_->execAndGet("PRAGMA user_version").getInt();
    if (version >= kSchemaVersion) break;
    db_->exec(steps[version]);
    ++version;
    db_->exec(fmt::format("PRAGMA user_version = {}", version));
    db_->exec(fmt::format("PRAGMA application_id = {}", kApplicationId));
    transaction.commit();
  }
}

std::int64_t Store::begin_run(RunRecord& run) {
  SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  begin_run_in_transaction(run);
  transaction.commit();
  return run.id;
}

std::int64_t Store::begin_run_in_transaction(RunRecord& run) {
  if (run.started_at.empty()) run.started_at = now();
  if (run.uuid.empty()) run.uuid = new_uuid();
  SQLite::Statement insert(*db_,
                           "INSERT INTO runs (started_at, status, suite_name, suite_path, command, "
                           "git_commit, git_dirty, fingerprint, options, uuid, pruned) VALUES "
                           "(?,?,?,?,?,?,?,?,?,?,?)");
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
  insert.exec();
  run.id = db_->getLastInsertRowid();
  for (const auto& [key, value] : run.labels) {
    SQLite::Statement label(*db_, "INSERT INTO run_labels (run_id, key, value) VALUES (?,?,?)");
    label.bind(1, run.id);
    label.bind(2, key);
    label.bind(3, value);
    label.exec();
  }
  if (!run.finished_at.empty()) {
    SQLite::Statement finish(*db_, "UPDATE runs SET finished_at = ? WHERE id = ?");
    finish.bind(1, run.finished_at);
    finish.bind(2, run.id);
    finish.exec();
  }
  return run.id;
}

void Store::finish_run(std::int64_t run_id, const std::string& status) {
  SQLite::Statement update(*db_, "UPDATE runs SET status = ?, finished_at = ? WHERE id = ?");
  update.bind(1, status);
  update.bind(2, now());
  update.bind(3, run_id);
  update.exec();
}

void Store::reopen_run(std::int64_t run_id) {
  SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
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
    SQLite::Statement statement(*db_, sql);
    statement.bind(1, run_id);
    statement.exec();
  }
  transaction.commit();
}

void Store::add_scenario(std::int64_t run_id, const std::string& name, int position,
                         const nlohmann::json& manifest) {
  SQLite::Statement insert(*db_,
                           "INSERT OR REPLACE INTO scenarios (run_id, name, position, manifest) "
                           "VALUES (?,?,?,?)");
  insert.bind(1, run_id);
  insert.bind(2, name);
  insert.bind(3, position);
  insert.bind(4, manifest.dump());
  insert.exec();
}

std::int64_t Store::add_sample(std::int64_t run_id, const Sample& sample) {
  SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  auto id = add_sample_in_transaction(run_id, sample);
  transaction.commit();
  return id;
}

std::int64_t Store::add_sample_in_transaction(std::int64_t run_id, const Sample& sample) {
  SQLite::Statement insert(
      *db_,
      "INSERT INTO samples (run_id, scenario, kind, state, repetition, "
      "warmup, status, error, started_at, image_id) VALUES (?,?,?,?,?,?,?,?,?,?)");
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
  insert.exec();
  std::int64_t id = db_->getLastInsertRowid();
  SQLite::Statement metric(
      *db_, "INSERT OR REPLACE INTO metrics (sample_id, name, value) VALUES (?,?,?)");
  for (const auto& m : sample.metrics) {
    metric.bind(1, id);
    metric.bind(2, m.name);
    metric.bind(3, m.value);
    metric.exec();
    metric.reset();
  }
  SQLite::Statement step(*db_,
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

bool Store::has_image(const std::string& image_id) {
  SQLite::Statement query(*db_, "SELECT 1 FROM images WHERE image_id = ?");
  query.bind(1, image_id);
  return query.executeStep();
}

void Store::add_image(const ImageRecord& image) {
  SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  add_image_in_transaction(image);
  transaction.commit();
}

void Store::add_image_in_transaction(const ImageRecord& image) {
  SQLite::Statement insert(*db_,
                           "INSERT OR IGNORE INTO images (image_id, size_bytes, compressed_bytes, "
                           "pyc_count, pyc_bytes) VALUES (?,?,?,?,?)");
  insert.bind(1, image.image_id);
  insert.bind(2, image.size_bytes);
  insert.bind(3, image.compressed_bytes);
  insert.bind(4, image.pyc_count);
  insert.bind(5, image.pyc_bytes);
  if (insert.exec() > 0) {
    SQLite::Statement layer(*db_,
                            "INSERT INTO layers (image_id, position, created_by, size_bytes, "
                            "compressed_bytes, pyc_count, pyc_bytes) VALUES (?,?,?,?,?,?,?)");
    for (const auto& l : image.layers) {
      layer.bind(1, image.image_id);
      layer.bind(2, l.index);
      layer.bind(3, l.created_by);
      layer.bind(4, l.size_bytes);
      layer.bind(5, l.compressed_bytes);
      layer.bind(6, l.pyc_count);
      layer.bind(7, l.pyc_bytes);
      layer.exec();
      layer.reset();
    }
  }
}

namespace {
RunRecord read_run(SQLite::Database& db, SQLite::Statement& query) {
  RunRecord run;
  run.id = query.getColumn(0).getInt64();
  run.started_at = query.getColumn(1).getString();
  run.finished_at = query.getColumn(2).isNull() ? "" : query.getColumn(2).getString();
  run.status = query.getColumn(3).getString();
  run.suite_name = query.getColumn(4).getString();
  run.suite_path = query.getColumn(5).getString();
  run.command = query.getColumn(6).getString();
  run.git_commit = query.getColumn(7).getString();
  run.git_dirty = query.getColumn(8).getInt() != 0;
  run.fingerprint = nlohmann::json::parse(query.getColumn(9).getString(), nullptr, false);
  run.options = nlohmann::json::parse(query.getColumn(10).getString(), nullptr, false);
  run.uuid = query.getColumn(11).isNull() ? "" : query.getColumn(11).getString();
  run.pruned = query.getColumn(12).getInt() != 0;
  SQLite::Statement labels(db, "SELECT key, value FROM run_labels WHERE run_id = ? ORDER BY key");
  labels.bind(1, run.id);
  while (labels.executeStep()) {
    run.labels[labels.getColumn(0).getString()] = labels.getColumn(1).getString();
  }
  return run;
}
const char* kRunColumns =
    "SELECT id, started_at, finished_at, status, suite_name, suite_path, command, git_commit, "
    "git_dirty, fingerprint, options, uuid, pruned FROM runs";
}  // namespace

std::vector<RunRecord> Store::runs() {
  std::vector<RunRecord> runs;
  SQLite::Statement query(*db_, std::string(kRunColumns) + " ORDER BY id");
  while (query.executeStep()) runs.push_back(read_run(*db_, query));
  return runs;
}

std::optional<RunRecord> Store::run(std::int64_t id) {
  SQLite::Statement query(*db_, std::string(kRunColumns) + " WHERE id = ?");
  query.bind(1, id);
  if (!query.executeStep()) return std::nullopt;
  return read_run(*db_, query);
}

std::vector<std::int64_t> Store::select_runs(const std::string& selector) {
  std::vector<std::int64_t> ids;
  if (selector == "latest") {
    SQLite::Statement query(*db_, "SELECT max(id) FROM runs");
    if (query.executeStep() && !query.getColumn(0).isNull()) {
      ids.push_back(query.getColumn(0).getInt64());
    }
    if (ids.empty()) {
      throw UsageError(
          fmt::format("database '{}' holds no runs; run 'buildbench run' first", path_.string()));
    }
    return ids;
  }
  if (auto eq = selector.find('='); eq != std::string::npos) {
    SQLite::Statement query(*db_,
                            "SELECT run_id FROM run_labels WHERE key = ? AND value = ? ORDER BY "
                            "run_id");
    query.bind(1, selector.substr(0, eq));
    query.bind(2, selector.substr(eq + 1));
    while (query.executeStep()) ids.push_back(query.getColumn(0).getInt64());
    if (ids.empty()) {
      throw UsageError(
          fmt::format("no run in '{}' has the label {}; list runs with 'buildbench "
                      "export' or label a run with --label KEY=VALUE",
                      path_.string(), printable(selector)));
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
    throw UsageError(fmt::format("no run {} in '{}'", id, path_.string()));
  }
  ids.push_back(id);
  return ids;
}

std::vector<StoredSample> Store::samples(const std::vector<std::int64_t>& run_ids,
                                         bool with_steps) {
  std::vector<StoredSample> result;
  std::map<std::int64_t, std::size_t> index;
  for (auto run_id : run_ids) {
    SQLite::Statement query(*db_,
                            "SELECT id, scenario, kind, state, repetition, warmup, status, error, "
                            "started_at, image_id FROM samples WHERE run_id = ? ORDER BY id");
    query.bind(1, run_id);
    while (query.executeStep()) {
      StoredSample stored;
      stored.id = query.getColumn(0).getInt64();
      stored.run_id = run_id;
      Sample& s = stored.sample;
      s.scenario = query.getColumn(1).getString();
      s.kind = stored_sample_kind(query.getColumn(2).getString(), run_id, "samples.kind");
      s.state = query.getColumn(3).getString();
      s.repetition = query.getColumn(4).getInt();
      s.warmup = query.getColumn(5).getInt() != 0;
      s.status = stored_sample_status(query.getColumn(6).getString(), run_id);
      s.error = query.getColumn(7).getString();
      s.started_at = query.getColumn(8).getString();
      s.image_id = query.getColumn(9).getString();
      index[stored.id] = result.size();
      result.push_back(std::move(stored));
    }
    SQLite::Statement metrics(*db_,
                              "SELECT m.sample_id, m.name, m.value FROM metrics m JOIN samples s "
                              "ON s.id = m.sample_id WHERE s.run_id = ? ORDER BY m.sample_id, "
                              "m.rowid");
    metrics.bind(1, run_id);
    while (metrics.executeStep()) {
      auto& s = result[index.at(metrics.getColumn(0).getInt64())].sample;
      s.metrics.push_back({metrics.getColumn(1).getString(), metrics.getColumn(2).getDouble()});
    }
    if (!with_steps) continue;
    SQLite::Statement steps(*db_,
                            "SELECT t.sample_id, t.name, t.started, t.completed, t.cached, t.error "
                            "FROM steps t JOIN samples s ON s.id = t.sample_id WHERE s.run_id = ? "
                            "ORDER BY t.sample_id, t.position");
    steps.bind(1, run_id);
    while (steps.executeStep()) {
      auto& s = result[index.at(steps.getColumn(0).getInt64())].sample;
      BuildStep step;
      step.name = steps.getColumn(1).getString();
      if (!steps.getColumn(2).isNull()) step.started = steps.getColumn(2).getDouble();
      if (!steps.getColumn(3).isNull()) step.completed = steps.getColumn(3).getDouble();
      step.cached = steps.getColumn(4).getInt() != 0;
      step.error = steps.getColumn(5).getString();
      s.steps.push_back(std::move(step));
    }
  }
  return result;
}

std::optional<ImageRecord> Store::image(const std::string& image_id) {
  SQLite::Statement query(*db_,
                          "SELECT size_bytes, compressed_bytes, pyc_count, pyc_bytes FROM images "
                          "WHERE image_id = ?");
  query.bind(1, image_id);
  if (!query.executeStep()) return std::nullopt;
  ImageRecord image;
  image.image_id = image_id;
  image.size_bytes = query.getColumn(0).getInt64();
  image.compressed_bytes = query.getColumn(1).getInt64();
  image.pyc_count = query.getColumn(2).getInt64();
  image.pyc_bytes = query.getColumn(3).getInt64();
  SQLite::Statement layers(*db_,
                           "SELECT position, created_by, size_bytes, compressed_bytes, pyc_count, "
                           "pyc_bytes FROM layers WHERE image_id = ? ORDER BY position");
  layers.bind(1, image_id);
  while (layers.executeStep()) {
    LayerStats layer;
    layer.index = layers.getColumn(0).getInt();
    layer.created_by = layers.getColumn(1).getString();
    layer.size_bytes = layers.getColumn(2).getInt64();
    layer.compressed_bytes = layers.getColumn(3).getInt64();
    layer.pyc_count = layers.getColumn(4).getInt64();
    layer.pyc_bytes = layers.getColumn(5).getInt64();
    image.layers.push_back(layer);
  }
  return image;
}

std::vector<Store::SeriesValue> Store::metric_series(
    const std::vector<std::int64_t>& run_ids,
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<SeriesValue> out;
  SQLite::Statement query(*db_,
                          "SELECT s.scenario, s.kind, m.value FROM samples s JOIN metrics m ON "
                          "m.sample_id "
                          "= s.id WHERE s.run_id = ? AND s.state = ? AND m.name = ? AND s.status "
                          "= 'ok' AND s.warmup = 0");
  for (auto run_id : run_ids) {
    for (const auto& [state, metric] : pairs) {
      query.reset();
      query.bind(1, run_id);
      query.bind(2, state);
      query.bind(3, metric);
      bool any = false;
      while (query.executeStep()) {
        any = true;
        auto kind = stored_sample_kind(query.getColumn(1).getString(), run_id, "samples.kind");
        out.push_back({run_id,
                       {{query.getColumn(0).getString(), kind, state}, metric},
                       query.getColumn(2).getDouble()});
      }
      if (!any) {
        // A pruned run keeps its medians in summaries.
        SQLite::Statement kept(*db_,
                               "SELECT scenario, kind, median FROM summaries WHERE run_id = ? AND "
                               "state "
                               "= ? AND metric = ? AND median IS NOT NULL");
        kept.bind(1, run_id);
        kept.bind(2, state);
        kept.bind(3, metric);
        while (kept.executeStep()) {
          auto kind = stored_sample_kind(kept.getColumn(1).getString(), run_id, "summaries.kind");
          out.push_back({run_id,
                         {{kept.getColumn(0).getString(), kind, state}, metric},
                         kept.getColumn(2).getDouble()});
        }
      }
    }
  }
  return out;
}

std::vector<Store::SeriesValue> Store::metric_series_of(const std::vector<std::int64_t>& run_ids,
                                                        const std::vector<std::string>& metrics) {
  // Pairs only where a state's samples can carry the metric (builds or start-ups).
  std::set<std::pair<std::string, std::string>> pairs;
  SQLite::Statement states(*db_,
                           "SELECT DISTINCT kind, state FROM samples WHERE run_id = ? UNION "
                           "SELECT DISTINCT '', state FROM summaries WHERE run_id = ?");
  for (auto run_id : run_ids) {
    states.reset();
    states.bind(1, run_id);
    states.bind(2, run_id);
    while (states.executeStep()) {
      std::string kind = states.getColumn(0).getString();
      for (const auto& metric : metrics) {
        const MetricInfo* info = find_metric(metric);
        if (kind.empty() || !info || to_string(info->sample_kind) == kind)
          pairs.insert({states.getColumn(1).getString(), metric});
      }
    }
  }
  return metric_series(
      run_ids, std::vector<std::pair<std::string, std::string>>(pairs.begin(), pairs.end()));
}

nlohmann::json Store::scenario_manifest(std::int64_t run_id, const std::string& name) {
  SQLite::Statement query(*db_, "SELECT manifest FROM scenarios WHERE run_id = ? AND name = ?");
  query.bind(1, run_id);
  query.bind(2, name);
  if (!query.executeStep()) return nlohmann::json::object();
  return nlohmann::json::parse(query.getColumn(0).getString(), nullptr, false);
}

void Store::copy_summaries(Store& from, std::int64_t from_run, std::int64_t to_run) {
  for (auto summary : from.summaries(from_run)) {
    summary.run_id = to_run;
    add_summary(summary);
  }
}

void Store::add_summary(const SummaryRow& r) {
  SQLite::Statement insert(
      *db_,
      "INSERT OR REPLACE INTO summaries (run_id, scenario, kind, state, metric, "
      "count, failures, median, mean, stddev, mad, min, max, ci_low, ci_high) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  insert.bind(1, r.run_id);
  insert.bind(2, r.key.group.scenario);
  insert.bind(3, std::string(to_string(r.key.group.kind)));
  insert.bind(4, r.key.group.state);
  insert.bind(5, r.key.metric);
  insert.bind(6, static_cast<std::int64_t>(r.count));
  insert.bind(7, static_cast<std::int64_t>(r.failures));
  int column = 8;
  for (double v : {r.median, r.mean, r.stddev, r.mad, r.min, r.max, r.ci_low, r.ci_high}) {
    if (std::isfinite(v))
      insert.bind(column, v);
    else
      insert.bind(column);
    ++column;
  }
  insert.exec();
}

std::vector<Store::SummaryRow> Store::summaries(std::int64_t run_id) {
  std::vector<SummaryRow> rows;
  SQLite::Statement query(*db_,
                          "SELECT scenario, kind, state, metric, count, failures, median, mean, "
                          "stddev, mad, min, max, ci_low, ci_high FROM summaries WHERE run_id = ? "
                          "ORDER BY scenario, kind, state, metric");
  query.bind(1, run_id);
  while (query.executeStep()) {
    SummaryRow r;
    r.run_id = run_id;
    r.key.group.scenario = query.getColumn(0).getString();
    r.key.group.kind = stored_sample_kind(query.getColumn(1).getString(), run_id, "summaries.kind");
    r.key.group.state = query.getColumn(2).getString();
    r.key.metric = query.getColumn(3).getString();
    r.count = query.getColumn(4).getInt64();
    r.failures = query.getColumn(5).getInt64();
    double* fields[] = {&r.median, &r.mean, &r.stddev, &r.mad,
                        &r.min,    &r.max,  &r.ci_low, &r.ci_high};
    for (int i = 0; i < 8; ++i) {
      *fields[i] = query.getColumn(6 + i).isNull() ? NAN : query.getColumn(6 + i).getDouble();
    }
    rows.push_back(r);
  }
  return rows;
}

void Store::vacuum() {
  db_->exec("VACUUM");
}

std::size_t Store::prune_run(std::int64_t run_id, const std::vector<SummaryRow>& summaries) {
  SQLite::Transaction transaction(*db_, SQLite::TransactionBehavior::IMMEDIATE);
  for (const auto& s : summaries) add_summary(s);
  SQLite::Statement count(*db_, "SELECT count(*) FROM samples WHERE run_id = ?");
  count.bind(1, run_id);
  count.executeStep();
  std::size_t removed = count.getColumn(0).getInt64();
  for (const char* sql :
       {"DELETE FROM pairs WHERE baseline_sample_id IN (SELECT id FROM samples WHERE run_id = ?1) "
        "OR candidate_sample_id IN (SELECT id FROM samples WHERE run_id = ?1)",
        "DELETE FROM metrics WHERE sample_id IN (SELECT id FROM samples WHERE run_id = ?)",
        "DELETE FROM steps WHERE sample_id IN (SELECT id FROM samples WHERE run_id = ?)",
        "DELETE FROM samples WHERE run_id = ?", "UPDATE runs SET pruned = 1 WHERE id = ?"}) {
    SQLite::Statement statement(*db_, sql);
    statement.bind(1, run_id);
    statement.exec();
  }
  transaction.commit();
  return removed;
}

namespace {
// A row of SELECT ab_id, baseline_sample_id, candidate_sample_id, first.
PairRecord pair_row(SQLite::Statement& query) {
  return {query.getColumn(0).getString(), query.getColumn(1).getInt64(),
          query.getColumn(2).getInt64(), query.getColumn(3).getString()};
}
}  // namespace

void Store::add_pair(const PairRecord& pair) {
  SQLite::Statement insert(*db_,
                           "INSERT INTO pairs (ab_id, baseline_sample_id, candidate_sample_id, "
                           "first) VALUES (?,?,?,?)");
  insert.bind(1, pair.ab_id);
  insert.bind(2, pair.baseline_sample_id);
  insert.bind(3, pair.candidate_sample_id);
  insert.bind(4, pair.first);
  insert.exec();
}

std::vector<PairRecord> Store::pairs(const std::vector<std::int64_t>& baseline_runs,
                                     const std::vector<std::int64_t>& candidate_runs) {
  std::vector<PairRecord> result;
  SQLite::Statement query(*db_,
                          "SELECT p.ab_id, p.baseline_sample_id, p.candidate_sample_id, p.first "
                          "FROM pairs p JOIN samples b ON b.id = p.baseline_sample_id JOIN "
                          "samples c ON c.id = p.candidate_sample_id WHERE b.run_id = ? AND "
                          "c.run_id = ? ORDER BY p.baseline_sample_id");
  for (auto base : baseline_runs) {
    for (auto cand : candidate_runs) {
      query.reset();
      query.bind(1, base);
      query.bind(2, cand);
      while (query.executeStep()) result.push_back(pair_row(query));
    }
  }
  return result;
}

std::vector<PairRecord> Store::all_pairs() {
  std::vector<PairRecord> result;
  SQLite::Statement query(*db_,
                          "SELECT ab_id, baseline_sample_id, candidate_sample_id, first FROM "
                          "pairs ORDER BY baseline_sample_id");
  while (query.executeStep()) result.push_back(pair_row(query));
  return result;
}

std::vector<std::pair<std::string, int>> Store::scenarios(std::int64_t run_id) {
  std::vector<std::pair<std::string, int>> result;
  SQLite::Statement query(
      *db_, "SELECT name, position FROM scenarios WHERE run_id = ? ORDER BY position");
  query.bind(1, run_id);
  while (query.executeStep()) {
    result.emplace_back(query.getColumn(0).getString(), query.getColumn(1).getInt());
  }
  return result;
}

}  // namespace bb
