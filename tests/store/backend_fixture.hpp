#pragma once
// A scratch database of each backend, for the tests that run the store on both: an SQLite
// file, or a fresh database on the tests' PostgreSQL server (BUILDBENCH_TEST_PG, set by
// scripts/test from scripts/lab-postgres), dropped afterwards. Without the variable the
// PostgreSQL cases skip, saying so (tests/skip.hpp).
#include <atomic>
#include <cstdlib>
#include <optional>
#include <string>

#include <unistd.h>

#include <fmt/format.h>

#include "store/sql.hpp"
#include "store/store_fixture.hpp"

namespace bb::test {

// postgresql://USER@HOST:PORT of the tests' server, when there is one.
inline std::optional<std::string> test_server() {
  const char* url = std::getenv("BUILDBENCH_TEST_PG");
  if (!url || !*url) return std::nullopt;
  return std::string(url);
}

inline const char* kNoServer =
    "no PostgreSQL server for the tests: BUILDBENCH_TEST_PG is unset; start one with "
    "'scripts/lab-postgres start' and 'eval \"$(scripts/lab-postgres env)\"' (scripts/test "
    "does both)";

struct SqliteBackend {
  static constexpr const char* kName = "sqlite";
  static bool available() { return true; }
  TempDir dir;
  std::string location() const { return (dir.path / "b.db").string(); }
};

class PostgresBackend {
 public:
  static constexpr const char* kName = "postgresql";
  static bool available() { return test_server().has_value(); }
  PostgresBackend() : name_(fresh_name()) {
    admin().exec(fmt::format("CREATE DATABASE {}", name_));
  }
  ~PostgresBackend() {
    try {
      admin().exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_));
    } catch (...) {  // a test that stopped the server leaves the database to lab-postgres stop
    }
  }
  std::string location() const { return *test_server() + "/" + name_; }
  // A superuser session on the server's maintenance database.
  static std::unique_ptr<sql::Connection> admin_connection() {
    return sql::open_postgres(*test_server() + "/postgres", false);
  }

 private:
  static std::string fresh_name() {
    static std::atomic<int> counter{0};
    return fmt::format("bbtest_{}_{}_{}", ::getpid(), std::rand() % 100000, ++counter);
  }
  sql::Connection& admin() {
    if (!admin_) admin_ = admin_connection();
    return *admin_;
  }
  std::string name_;
  std::unique_ptr<sql::Connection> admin_;
};

}  // namespace bb::test

// The first statement of a test case run on both backends. Such a case is a template: there
// clang 14 never destroys a by-value argument built from a braced list, so a json assigned
// `{{"k", v}}` leaks its old value (LeakSanitizer, scripts/test); write nlohmann::json{{...}}.
#define BB_REQUIRE_BACKEND()                                    \
  do {                                                          \
    if (!TestType::available()) BB_SKIP(::bb::test::kNoServer); \
  } while (false)
