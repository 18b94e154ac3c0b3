// The schema, its forward migrations (written once for both backends; sql.cpp translates)
// and opening a database file or server.
#include "store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <vector>

#include <fmt/format.h>

#include "store/sql.hpp"
#include "util/error.hpp"

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

// v5: the groups a run's time budget (--budget) ended short of their target, with the
// repetitions each got and what it would have taken.
const char* kSchemaV5 = R"sql(
CREATE TABLE short_groups (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  scenario TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  runs INTEGER NOT NULL,
  wanted INTEGER NOT NULL,
  PRIMARY KEY (run_id, scenario, kind, state)
);
)sql";

// Forward migrations: entry i takes a database from version i to i + 1.
const std::vector<const char*>& migrations() {
  static const std::vector<const char*> list = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4,
                                                kSchemaV5};
  return list;
}

}  // namespace

Store::Store(const fs::path& path, Mode mode, int busy_timeout_ms) {
  if (sql::is_server_url(path.string())) {
    open_server(path.string(), mode);
  } else {
    open_file(path, mode, busy_timeout_ms);
  }
}

void Store::open_file(const fs::path& path, Mode mode, int busy_timeout_ms) {
  path_ = path;
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
  try {
    db_ = sql::open_sqlite(path.string(), mode == Mode::kReadOnly, busy_timeout_ms);
    // Reading the header tells a foreign or corrupt file apart before anything is written.
    int application_id = db_->application_id();
    int version = db_->schema_version();
    if (db_->holds_tables() && application_id != kApplicationId) {
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
      db_ = sql::open_sqlite(path.string(), true, busy_timeout_ms);
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

void Store::open_server(const std::string& url, Mode mode) {
  db_ = sql::open_postgres(url, mode == Mode::kReadOnly);
  path_ = db_->location();
  int version = db_->schema_version();
  if (db_->holds_tables() && db_->application_id() != kApplicationId) {
    throw UsageError(
        fmt::format("{} holds tables that are not a buildbench store (a 'runs' table without "
                    "buildbench_schema); name another database (nothing was changed)",
                    location()));
  }
  if (version > kSchemaVersion) {
    throw UsageError(
        fmt::format("{} has schema version {}, newer than this buildbench understands ({}); "
                    "use a newer buildbench (nothing was changed)",
                    location(), version, kSchemaVersion));
  }
  if (mode == Mode::kReadOnly && version == 0) {
    throw UsageError(fmt::format(
        "database {} holds no buildbench store yet; run 'buildbench run --db URL' first",
        location()));
  }
  if (version < kSchemaVersion) {
    // A read-only session may not write: the migration gets a writable one of its own.
    if (mode == Mode::kReadOnly) {
      Store migrated(url, Mode::kReadWrite);
    } else {
      migrate();
    }
  }
}

Store::~Store() = default;
Store::Store(Store&&) noexcept = default;

SQLite::Database& Store::database() {
  return db_->sqlite();
}

void Store::migrate() {
  int version = db_->schema_version();
  const auto& steps = migrations();
  while (version < kSchemaVersion) {
    sql::Transaction transaction(*db_);
    // Re-read under the lock: another process may have migrated meanwhile.
    version = db_->lock_schema();
    if (version >= kSchemaVersion) break;
    db_->exec(steps[version]);
    ++version;
    db_->set_schema(kApplicationId, version);
    transaction.commit();
  }
}

bool store_exists(const std::string& db) {
  if (!sql::is_server_url(db)) return fs::exists(db);
  return sql::open_postgres(db, true)->schema_version() > 0;
}

std::string printable_location(const std::string& db) {
  if (sql::is_server_url(db)) return sql::printable_url(db);
  return fs::absolute(db).string();
}

}  // namespace bb
