#pragma once
// The store's one SQL interface over two backends: SQLite (the embedded default, over
// SQLiteCpp) and PostgreSQL (over libpq). Queries are written once, in SQLite's spelling
// with `?` or `?N` placeholders; translate() turns them into the other dialect, so every
// dialect difference lives in sql.cpp.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.hpp"

namespace SQLite {
class Database;
}

namespace bb::sql {

enum class Dialect { kSqlite, kPostgres };

// A query or script in SQLite's spelling, in `dialect`'s: placeholders, column types,
// identity keys, INSERT OR IGNORE and SQLite-only functions.
std::string translate(std::string_view sql, Dialect dialect);

// INSERT OR REPLACE of SQLite, ON CONFLICT (keys) DO UPDATE of PostgreSQL.
std::string replace_into(Dialect dialect, std::string_view table,
                         const std::vector<std::string>& columns,
                         const std::vector<std::string>& keys);

// The server cut the connection (restarted, or ended the session): whatever transaction was
// open is rolled back by the server. The PostgreSQL backend reopens the connection, retried
// for a bounded time and saying so on stderr, before the next statement outside a
// transaction; when it gives up, this again.
class ConnectionLost : public EnvironmentError {
 public:
  using EnvironmentError::EnvironmentError;
};

// One prepared statement of a backend; columns are read from the current row.
class StatementImpl {
 public:
  virtual ~StatementImpl() = default;
  virtual void bind(int index, std::int64_t value) = 0;
  virtual void bind(int index, double value) = 0;
  virtual void bind(int index, const std::string& value) = 0;
  virtual void bind_null(int index) = 0;
  // The next row; false when there is none.
  virtual bool step() = 0;
  // Runs to completion; the rows it changed.
  virtual int exec() = 0;
  // Runs an INSERT prepared with returning_id; the new row's id.
  virtual std::int64_t insert() = 0;
  // Ready to run again; bindings are kept.
  virtual void reset() = 0;
  virtual bool is_null(int column) const = 0;
  virtual std::int64_t int64(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual std::string text(int column) const = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // `sql` in SQLite's spelling. returning_id: an INSERT whose insert() gives the new id.
  virtual std::unique_ptr<StatementImpl> prepare(const std::string& sql, bool returning_id) = 0;
  // Statements without parameters, in SQLite's spelling.
  virtual void exec(const std::string& script) = 0;
  // A write transaction: SQLite takes the write lock at once (BEGIN IMMEDIATE).
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;
  // Schema bookkeeping: SQLite's application_id and user_version, PostgreSQL's
  // buildbench_schema table (0 and 0 when it has none).
  virtual int application_id() = 0;
  virtual int schema_version() = 0;
  // Inside a transaction: waits for any other migrating process, then (re)reads the version.
  virtual int lock_schema() = 0;
  virtual void set_schema(int application_id, int version) = 0;
  // Whether the database already holds tables that could clash with buildbench's: any table
  // of an SQLite file; a runs or buildbench_schema table in PostgreSQL's current schema.
  virtual bool holds_tables() = 0;
  // Where the data lives, for messages: a file, or a URL without any password.
  virtual std::string location() const = 0;

  // The SQLite handle, for SQLite-only tools (tests, the history benchmark); throws otherwise.
  virtual SQLite::Database& sqlite();
};

class Column {
 public:
  Column(const StatementImpl& statement, int index) : statement_(statement), index_(index) {}
  bool is_null() const { return statement_.is_null(index_); }
  std::int64_t int64() const { return statement_.int64(index_); }
  int int32() const { return static_cast<int>(statement_.int64(index_)); }
  double real() const { return statement_.real(index_); }
  std::string text() const { return statement_.text(index_); }

 private:
  const StatementImpl& statement_;
  int index_;
};

// A statement of a connection; binds are 1-based, columns 0-based (as in SQLite).
class Statement {
 public:
  enum class Returning { kNothing, kId };
  Statement(Connection& connection, const std::string& sql,
            Returning returning = Returning::kNothing)
      : impl_(connection.prepare(sql, returning == Returning::kId)) {}
  void bind(int index, std::int64_t value) { impl_->bind(index, value); }
  void bind(int index, int value) { impl_->bind(index, static_cast<std::int64_t>(value)); }
  void bind(int index, double value) { impl_->bind(index, value); }
  void bind(int index, const std::string& value) { impl_->bind(index, value); }
  void bind(int index) { impl_->bind_null(index); }
  bool step() { return impl_->step(); }
  int exec() { return impl_->exec(); }
  std::int64_t insert() { return impl_->insert(); }
  void reset() { impl_->reset(); }
  Column column(int index) const { return Column(*impl_, index); }

 private:
  std::unique_ptr<StatementImpl> impl_;
};

// Rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& connection) : connection_(connection) { connection_.begin(); }
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

// `location` names a database: postgresql:// or postgres:// URLs are servers.
bool is_server_url(std::string_view location);

// An SQLite file. read_only: opened without write access. Throws SQLite::Exception.
std::unique_ptr<Connection> open_sqlite(const std::string& path, bool read_only,
                                        int busy_timeout_ms);
// A PostgreSQL server by URL. A URL that holds a password is refused (UsageError) without
// echoing it: passwords come from PGPASSWORD, a service file or ~/.pgpass. Connection and
// query faults are EnvironmentError naming the URL without any password.
std::unique_ptr<Connection> open_postgres(const std::string& url, bool read_only);
// The URL as it may be printed: any password removed.
std::string printable_url(const std::string& url);

}  // namespace bb::sql
