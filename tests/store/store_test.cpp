// Runs, their scenarios and samples: round trips, selectors, concurrent writers, a full disk.
#include "store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "skip.hpp"
#include "store/store_fixture.hpp"
#include "util/error.hpp"
#include "util/process.hpp"

using namespace bb;
using namespace bb::test;
namespace fs = std::filesystem;

TEST_CASE("store: runs, samples, metrics and steps round-trip") {
  TempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  RunRecord run;
  run.suite_name = "s";
  run.labels = {{"branch", "main"}};
  run.fingerprint = {{"cores", 2}};
  auto id = store.begin_run(run);
  store.add_sample(id, build_sample("a", 1.5));
  store.add_sample(id, build_sample("b", 0, SampleStatus::kFailed));
  store.finish_run(id, "complete");

  auto loaded = store.run(id);
  REQUIRE(loaded);
  CHECK(loaded->status == "complete");
  CHECK(loaded->labels.at("branch") == "main");
  CHECK(loaded->fingerprint["cores"] == 2);
  CHECK_FALSE(loaded->finished_at.empty());
  auto samples = store.samples({id});
  REQUIRE(samples.size() == 2);
  CHECK(*samples[0].sample.get("build_seconds") == 1.5);
  CHECK(samples[0].sample.steps.at(0).seconds() == 1.5);
  CHECK(samples[0].sample.steps.at(0).cached);
  CHECK(samples[1].sample.status == SampleStatus::kFailed);
  CHECK(samples[1].sample.error == "exit code: 3");
}

TEST_CASE("store: selectors resolve latest, ids and labels, and explain misses") {
  TempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  CHECK_THROWS_WITH(store.select_runs("latest"), Catch::Contains("holds no runs"));
  RunRecord a, b, c;
  a.labels = {{"branch", "main"}};
  b.labels = {{"branch", "main"}};
  c.labels = {{"branch", "feature"}};
  store.begin_run(a);
  store.begin_run(b);
  store.begin_run(c);
  CHECK(store.select_runs("latest") == std::vector<std::int64_t>{c.id});
  CHECK(store.select_runs("branch=main") == std::vector<std::int64_t>{a.id, b.id});
  CHECK(store.select_runs(std::to_string(b.id)) == std::vector<std::int64_t>{b.id});
  CHECK_THROWS_AS(store.select_runs("branch=nope"), UsageError);
  CHECK_THROWS_AS(store.select_runs("999"), UsageError);
  CHECK_THROWS_WITH(store.select_runs("12abc"), Catch::Contains("not a run selector"));
}

TEST_CASE("store: two writers on one database both keep every sample") {
  TempDir dir;
  auto path = dir.path / "shared.db";
  { Store init(path, Store::Mode::kReadWrite); }
  auto writer = [&](const std::string& name) {
    Store store(path, Store::Mode::kReadWrite);
    RunRecord run;
    run.suite_name = name;
    auto id = store.begin_run(run);
    for (int i = 0; i < 200; ++i) store.add_sample(id, build_sample(name, i));
    store.finish_run(id, "complete");
  };
  std::thread a(writer, "a"), b(writer, "b");
  a.join();
  b.join();
  Store store(path, Store::Mode::kReadOnly);
  for (const auto& run : store.runs()) CHECK(store.samples({run.id}).size() == 200);
  CHECK(store.runs().size() == 2);
}

TEST_CASE("store: a writer blocked by another's lock waits, then gives a clear error") {
  TempDir dir;
  auto path = dir.path / "locked.db";
  { Store init(path, Store::Mode::kReadWrite); }
  SQLite::Database holder(path.string(), SQLite::OPEN_READWRITE);
  holder.exec("BEGIN EXCLUSIVE");
  Store store(path, Store::Mode::kReadWrite, 300);
  RunRecord run;
  auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(store.begin_run(run), Catch::Contains("locked"));
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(250));
  holder.exec("ROLLBACK");
  CHECK_NOTHROW(store.begin_run(run));
}

TEST_CASE("store: a full disk is a clear error and leaves no partial rows") {
  if (::geteuid() != 0) BB_SKIP("needs root to mount a small tmpfs");
  TempDir dir;
  auto mount_point = dir.path / "tiny";
  std::filesystem::create_directories(mount_point);
  auto mounted =
      bb::run_process({{"mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount_point.string()}});
  REQUIRE(mounted.exit_code == 0);
  std::size_t stored = 0;
  std::string error;
  {
    Store store(mount_point / "b.db", Store::Mode::kReadWrite);
    RunRecord run;
    auto id = store.begin_run(run);
    Sample big = build_sample("s", 1);
    big.error = std::string(20000, 'e');  // fills the disk quickly
    try {
      for (int i = 0; i < 1000; ++i) {
        store.add_sample(id, big);
        ++stored;
      }
    } catch (const std::exception& e) {
      error = e.what();
    }
  }
  CHECK(error.find("full") != std::string::npos);
  {
    Store store(mount_point / "b.db", Store::Mode::kReadOnly);
    auto samples = store.samples(store.select_runs("latest"));
    CHECK(samples.size() == stored);  // the failed sample left nothing behind
    for (const auto& s : samples) CHECK(s.sample.metrics.size() == 1);
  }
  bb::run_process({{"umount", mount_point.string()}});
}

TEST_CASE("store: the groups a budget left short of target round-trip with their run") {
  TempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  RunRecord run;
  run.suite_name = "s";
  auto id = store.begin_run(run);
  CHECK(store.run(id)->short_of_target.empty());
  store.mark_short(id, {{{"a", SampleKind::kBuild, "cold"}, 4, 6},
                        {{"a", SampleKind::kStartup, "as-built"}, 8, 14}});
  store.finish_run(id, "complete");
  auto loaded = store.run(id)->short_of_target;
  REQUIRE(loaded.size() == 2);
  CHECK(loaded[0].group == GroupKey{"a", SampleKind::kBuild, "cold"});
  CHECK(loaded[0].runs == 4);
  CHECK(loaded[0].wanted == 6);
  CHECK(loaded[1].group == GroupKey{"a", SampleKind::kStartup, "as-built"});
  CHECK(loaded[1].wanted == 14);
  // Marked again (a resumed run's budget ends anew): the new list replaces the old.
  store.mark_short(id, {{{"a", SampleKind::kBuild, "cold"}, 5, 6}});
  REQUIRE(store.runs().back().short_of_target.size() == 1);
  CHECK(store.runs().back().short_of_target[0].runs == 5);
  // A stored kind this buildbench does not know is an error naming run and column.
  store.database().exec("UPDATE short_groups SET kind = 'teleport'");
  CHECK_THROWS_WITH(store.run(id), Catch::Contains("short_groups.kind"));
}
