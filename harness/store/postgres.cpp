// The PostgreSQL backend over libpq. Parameters travel as text and the server infers their
// types from the query; doubles are written and read back in their shortest exact form.
#include <libpq-fe.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>

#include <fmt/format.h>

#include "store/sql.hpp"
#include "util/error.hpp"

namespace bb::sql {

namespace {

constexpr int kReconnectAttempts = 8;

struct ResultFree {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultFree>;

struct OptionsFree {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// The libpq options of a URL (keyword -> value, set ones only); throws UsageError for a URL
// libpq cannot parse, without echoing it (it may hold a password).
std::vector<std::pair<std::string, std::string>> url_options(const std::string& url) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, OptionsFree> options(PQconninfoParse(url.c_str(), &error));
  if (!options) {
    std::string why = error ? trimmed(error) : "out of memory";
    PQfreemem(error);
    throw UsageError(fmt::format(
        "--db: not a valid PostgreSQL URL ({}); write postgresql://USER@HOST:PORT/DATABASE", why));
  }
  std::vector<std::pair<std::string, std::string>> set;
  for (auto* option = options.get(); option->keyword; ++option) {
    if (option->val) set.emplace_back(option->keyword, option->val);
  }
  return set;
}

}  // namespace

std::string printable_url(const std::string& url) {
  std::vector<std::pair<std::string, std::string>> options;
  try {
    options = url_options(url);
  } catch (const UsageError&) {
    return "postgresql://(unparsable URL)";
  }
  std::string user, host, port, dbname, rest;
  for (const auto& [key, value] : options) {
    if (key == "user")
      user = value;
    else if (key == "host")
      host = value;
    else if (key == "port")
      port = value;
    else if (key == "dbname")
      dbname = value;
    else if (key != "password")
      rest += fmt::format("{}{}={}", rest.empty() ? "?" : "&", key, value);
  }
  return fmt::format("postgresql://{}{}{}{}/{}{}", user, user.empty() ? "" : "@", host,
                     port.empty() ? "" : ":" + port, dbname, rest);
}

namespace {

class PostgresConnection;

class PostgresStatement final : public StatementImpl {
 public:
  PostgresStatement(PostgresConnection& connection, std::string sql)
      : connection_(connection), sql_(std::move(sql)) {}
  void bind(int index, std::int64_t value) override { set(index, std::to_string(value)); }
  void bind(int index, double value) override { set(index, fmt::format("{}", value)); }
  void bind(int index, const std::string& value) override { set(index, value); }
  void bind_null(int index) override { set(index, std::nullopt); }
  bool step() override {
    if (!result_) run();
    return ++row_ < PQntuples(result_.get());
  }
  int exec() override {
    run();
    return std::atoi(PQcmdTuples(result_.get()));
  }
  std::int64_t insert() override {
    run();
    row_ = 0;
    return int64(0);
  }
  void reset() override {
    result_.reset();
    row_ = -1;
  }
  bool is_null(int column) const override { return PQgetisnull(result_.get(), row_, column); }
  std::int64_t int64(int column) const override {
    return std::strtoll(PQgetvalue(result_.get(), row_, column), nullptr, 10);
  }
  double real(int column) const override {
    return std::strtod(PQgetvalue(result_.get(), row_, column), nullptr);
  }
  std::string text(int column) const override {
    return std::string(PQgetvalue(result_.get(), row_, column),
                       PQgetlength(result_.get(), row_, column));
  }

 private:
  void set(int index, std::optional<std::string> value) {
    if (static_cast<int>(params_.size()) < index) params_.resize(index);
    params_[index - 1] = std::move(value);
  }
  void run();
  PostgresConnection& connection_;
  std::string sql_;
  std::vector<std::optional<std::string>> params_;
  Result result_;
  int row_ = -1;
};

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(const std::string& url, bool read_only) : location_(printable_url(url)) {
    for (const auto& [key, value] : url_options(url)) {
      if (key == "password") {
        throw UsageError(fmt::format(
            "--db {}: the URL holds a password, which would be seen in the process list and "
            "shell history; remove it and give it in PGPASSWORD, ~/.pgpass or a libpq service "
            "file",
            location_));
      }
    }
    connection_ = PQconnectdb(url.c_str());
    if (PQstatus(connection_) != CONNECTION_OK) {
      std::string why = trimmed(PQerrorMessage(connection_));
      PQfinish(connection_);
      connection_ = nullptr;
      throw EnvironmentError(fmt::format(
          "cannot connect to the database {}: {}; check that the server runs and that the "
          "role may log in (a password comes from PGPASSWORD, ~/.pgpass or a service file)",
          location_, why));
    }
    read_only_ = read_only;
    set_up_session();
  }
  ~PostgresConnection() override {
    if (connection_) PQfinish(connection_);
  }
  Dialect dialect() const override { return Dialect::kPostgres; }
  std::unique_ptr<StatementImpl> prepare(const std::string& sql, bool returning_id) override {
    std::string translated = translate(sql, Dialect::kPostgres);
    if (returning_id) translated += " RETURNING id";
    return std::make_unique<PostgresStatement>(*this, std::move(translated));
  }
  void exec(const std::string& script) override {
    ensure_live();
    exec_here(script);
  }
  void begin() override {
    exec("BEGIN");
    in_transaction_ = true;
  }
  // On this session only: a COMMIT on a new session would commit nothing and say nothing.
  void commit() override { end_transaction("COMMIT"); }
  void rollback() override { end_transaction("ROLLBACK"); }
  // A new session to the server, retried for a bounded time (a restart takes seconds);
  // throws ConnectionLost when it gives up.
  void reconnect();
  // Outside a transaction, a connection the server has since closed (a restart while the
  // runner built) is reopened before the next statement: nothing was in flight on it.
  void ensure_live() {
    if (in_transaction_) return;
    if (PQconsumeInput(connection_) && PQstatus(connection_) == CONNECTION_OK) return;
    reconnect();
  }
  int application_id() override { return bookkeeping("application_id"); }
  int schema_version() override { return bookkeeping("version"); }
  int lock_schema() override {
    // One migrator at a time; the key is buildbench's application id.
    exec("SELECT pg_advisory_xact_lock(1650615907)");
    exec(
        "CREATE TABLE IF NOT EXISTS buildbench_schema (application_id INTEGER NOT NULL, "
        "version INTEGER NOT NULL)");
    return schema_version();
  }
  void set_schema(int application_id, int version) override {
    exec("DELETE FROM buildbench_schema");
    exec(fmt::format("INSERT INTO buildbench_schema (application_id, version) VALUES ({}, {})",
                     application_id, version));
  }
  bool holds_tables() override {
    return single(
               "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND "
               "tablename IN ('runs', 'buildbench_schema')") > 0;
  }
  std::string location() const override { return location_; }

  // Throws EnvironmentError for a failed command, naming the database and what went wrong.
  Result check(Result result, const std::string& sql) {
    auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
    std::string why =
        trimmed(result ? PQresultErrorMessage(result.get()) : PQerrorMessage(connection_));
    if (why.empty()) why = trimmed(PQerrorMessage(connection_));
    if (PQstatus(connection_) == CONNECTION_BAD) {
      in_transaction_ = false;
      throw ConnectionLost(fmt::format(
          "database {}: the connection to the server was lost ({}); the server rolled back "
          "the unfinished transaction, so nothing of it was stored; rerun, or continue the run "
          "with --resume",
          location_, why));
    }
    const char* state = result ? PQresultErrorField(result.get(), PG_DIAG_SQLSTATE) : nullptr;
    std::string first_line = sql.substr(0, sql.find('\n'));
    throw EnvironmentError(fmt::format("database {}: {} (SQLSTATE {}) in: {}{}", location_, why,
                                       state ? state : "?", first_line.substr(0, 120),
                                       advice(state ? state : "")));
  }
  PGconn* handle() { return connection_; }

 private:
  std::int64_t single(const std::string& sql) {
    auto result = check(Result(PQexec(connection_, sql.c_str())), sql);
    return std::strtoll(PQgetvalue(result.get(), 0, 0), nullptr, 10);
  }
  int bookkeeping(const char* column) {
    if (single("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND "
               "tablename = 'buildbench_schema'") == 0)
      return 0;
    auto sql = fmt::format("SELECT {} FROM buildbench_schema", column);
    auto result = check(Result(PQexec(connection_, sql.c_str())), sql);
    if (PQntuples(result.get()) == 0) return 0;
    return std::atoi(PQgetvalue(result.get(), 0, 0));
  }
  // What to do about a statement the server stopped: the transaction is rolled back whole.
  static std::string advice(const std::string& state) {
    if (state == "57014" || state == "55P03" || state == "40P01") {
      return "; the server stopped the statement (statement_timeout, lock_timeout or a "
             "deadlock, e.g. a lock another session held) and rolled its transaction back, so "
             "nothing of it was stored; find the blocking session in pg_stat_activity, or raise "
             "the role's statement_timeout, then rerun or continue with --resume";
    }
    return "";
  }
  void exec_here(const std::string& script) {
    check(Result(PQexec(connection_, translate(script, Dialect::kPostgres).c_str())), script);
  }
  void end_transaction(const char* command) {
    in_transaction_ = false;  // whatever the outcome, no transaction is open after it
    exec_here(command);
  }
  void set_up_session() {
    // Notices (e.g. "relation already exists, skipping") are not for the user.
    PQsetNoticeProcessor(
        connection_, [](void*, const char*) {}, nullptr);
    exec("SET client_min_messages = warning");
    exec("SET extra_float_digits = 3");
    if (read_only_) exec("SET default_transaction_read_only = on");
  }
  std::string location_;
  PGconn* connection_ = nullptr;
  bool read_only_ = false;
  bool in_transaction_ = false;
};

// A restart takes a few seconds: up to ~30 s of attempts, doubling from a quarter second.
void PostgresConnection::reconnect() {
  std::chrono::milliseconds wait(250);
  for (int attempt = 1; attempt <= kReconnectAttempts; ++attempt) {
    fmt::print(stderr,
               "buildbench: database {}: the connection to the server was lost; reconnecting "
               "(attempt {} of {})\n",
               location_, attempt, kReconnectAttempts);
    PQreset(connection_);
    if (PQstatus(connection_) == CONNECTION_OK) {
      in_transaction_ = false;
      set_up_session();
      return;
    }
    if (attempt < kReconnectAttempts) std::this_thread::sleep_for(wait);
    wait *= 2;
  }
  throw ConnectionLost(fmt::format(
      "database {}: the connection to the server was lost and {} attempts to reconnect failed "
      "({}); every sample committed before is kept; once the server answers, continue the run "
      "with --resume",
      location_, kReconnectAttempts, trimmed(PQerrorMessage(connection_))));
}

void PostgresStatement::run() {
  connection_.ensure_live();
  std::vector<const char*> values;
  for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
  row_ = -1;
  result_ = connection_.check(
      Result(PQexecParams(connection_.handle(), sql_.c_str(), static_cast<int>(values.size()),
                          nullptr, values.data(), nullptr, nullptr, 0)),
      sql_);
}

}  // namespace

std::unique_ptr<Connection> open_postgres(const std::string& url, bool read_only) {
  return std::make_unique<PostgresConnection>(url, read_only);
}

}  // namespace bb::sql
