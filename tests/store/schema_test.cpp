// Opening a database: foreign, corrupt or newer files refused untouched, older ones migrated.
#include "store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "store/store_fixture.hpp"
#include "util/error.hpp"
#include "util/process.hpp"

using namespace bb;
using namespace bb::test;
namespace fs = std::filesystem;

TEST_CASE("store: a foreign SQLite file is refused and left untouched") {
  TempDir dir;
  auto path = dir.path / "other.db";
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE notes(x); INSERT INTO notes VALUES (1)");
  }
  auto before = file_bytes(path);
  CHECK_THROWS_WITH(Store(path, Store::Mode::kReadWrite),
                    Catch::Contains("not a buildbench database"));
  CHECK(file_bytes(path) == before);
}

TEST_CASE("store: a file that is not SQLite is refused and left untouched") {
  TempDir dir;
  auto path = dir.path / "garbage.db";
  std::ofstream(path) << std::string(4096, 'z');
  auto before = file_bytes(path);
  CHECK_THROWS_AS(Store(path, Store::Mode::kReadWrite), UsageError);
  CHECK(file_bytes(path) == before);
}

TEST_CASE("store: a newer schema version is refused and left untouched") {
  TempDir dir;
  auto path = dir.path / "future.db";
  { Store store(path, Store::Mode::kReadWrite); }
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = 99");
  }
  auto before = file_bytes(path);
  CHECK_THROWS_WITH(Store(path, Store::Mode::kReadWrite), Catch::Contains("schema version 99"));
  CHECK(file_bytes(path) == before);
}

TEST_CASE("store: a version 2 database's start-up states take the built-in mode names") {
  TempDir dir;
  auto path = dir.path / "v2.db";
  {
    Store store(path, Store::Mode::kReadWrite);
    RunRecord run;
    run.suite_name = "s";
    auto id = store.begin_run(run);
    for (const char* state : {"bytecode", "none"}) {
      Sample s = build_sample("a", 1.0);
      s.kind = SampleKind::kStartup;
      s.state = state;
      store.add_sample(id, s);
    }
    store.add_sample(id, build_sample("b", 2.0));
  }
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    // As written before start-up modes had names (and before A/B pairs and budgets).
    db.exec("DROP TABLE pairs");
    db.exec("DROP TABLE short_groups");
    db.exec("PRAGMA user_version = 2");
  }
  Store store(path, Store::Mode::kReadOnly);  // a read migrates forward
  std::vector<std::string> states;
  for (const auto& stored : store.samples(store.select_runs("latest"))) {
    states.push_back(std::string(to_string(stored.sample.kind)) + ":" + stored.sample.state);
  }
  CHECK(states ==
        std::vector<std::string>{"startup:as-built", "startup:no-bytecode", "build:cold"});
}

TEST_CASE("store: read-only mode never creates a file") {
  TempDir dir;
  CHECK_THROWS_AS(Store(dir.path / "missing.db", Store::Mode::kReadOnly), UsageError);
  CHECK_FALSE(fs::exists(dir.path / "missing.db"));
}

TEST_CASE("store: a read-only location is a clear error") {
  TempDir dir;
  auto ro = dir.path / "ro";
  std::filesystem::create_directories(ro);
  if (::geteuid() == 0) {
    // root ignores permission bits; a read-only mount is what stops a root process.
    auto mounted =
        bb::run_process({{"mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", ro.string()}});
    REQUIRE(mounted.exit_code == 0);
    CHECK_THROWS_AS(Store(ro / "b.db", Store::Mode::kReadWrite), EnvironmentError);
    bb::run_process({{"umount", ro.string()}});
    return;
  }
  std::filesystem::permissions(
      ro, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  CHECK_THROWS_AS(Store(ro / "b.db", Store::Mode::kReadWrite), EnvironmentError);
}
