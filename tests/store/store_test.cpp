#include "store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "skip.hpp"
#include "util/error.hpp"
#include "util/process.hpp"

#include <thread>

using namespace bb;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("bb-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Sample build_sample(const std::string& scenario, double seconds, const std::string& status = "ok") {
  Sample s;
  s.scenario = scenario;
  s.state = "cold";
  s.repetition = 1;
  s.status = status;
  s.started_at = "2026-11-25T00:00:00Z";
  if (status == "ok") s.set("build_seconds", seconds);
  if (status != "ok") s.error = "exit code: 3";
  BuildStep step;
  step.name = "[1/1] RUN x";
  step.started = 1.0;
  step.completed = 2.5;
  step.cached = true;
  s.steps.push_back(step);
  return s;
}

}  // namespace

TEST_CASE("store: runs, samples, metrics and steps round-trip") {
  TempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  RunRecord run;
  run.suite_name = "s";
  run.labels = {{"branch", "main"}};
  run.fingerprint = {{"cores", 2}};
  auto id = store.begin_run(run);
  store.add_sample(id, build_sample("a", 1.5));
  store.add_sample(id, build_sample("b", 0, "failed"));
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
  CHECK(samples[1].sample.status == "failed");
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
      s.kind = "startup";
      s.state = state;
      store.add_sample(id, s);
    }
    store.add_sample(id, build_sample("b", 2.0));
  }
  {
    SQLite::Database db(path.string(), SQLite::OPEN_READWRITE);
    // As written before start-up modes had names (and before A/B pairs).
    db.exec("DROP TABLE pairs");
    db.exec("PRAGMA user_version = 2");
  }
  Store store(path, Store::Mode::kReadOnly);  // a read migrates forward
  std::vector<std::string> states;
  for (const auto& stored : store.samples(store.select_runs("latest"))) {
    states.push_back(stored.sample.kind + ":" + stored.sample.state);
  }
  CHECK(states ==
        std::vector<std::string>{"startup:as-built", "startup:no-bytecode", "build:cold"});
}

TEST_CASE("store: read-only mode never creates a file") {
  TempDir dir;
  CHECK_THROWS_AS(Store(dir.path / "missing.db", Store::Mode::kReadOnly), UsageError);
  CHECK_FALSE(fs::exists(dir.path / "missing.db"));
}

TEST_CASE("store: images and layers are stored once") {
  TempDir dir;
  Store store(dir.path / "b.db", Store::Mode::kReadWrite);
  ImageRecord image;
  image.image_id = "sha256:abc";
  image.size_bytes = 100;
  image.layers.push_back({0, "RUN x", 100, 40, 3, 30});
  store.add_image(image);
  store.add_image(image);
  auto loaded = store.image("sha256:abc");
  REQUIRE(loaded);
  CHECK(loaded->layers.size() == 1);
  CHECK(loaded->layers[0].created_by == "RUN x");
  CHECK(store.has_image("sha256:abc"));
  CHECK_FALSE(store.has_image("sha256:def"));
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

TEST_CASE("store: pairs round-trip, a cut-short sample or a pruned run takes its pairs along") {
  TempDir dir;
  Store store(dir.path / "p.db", Store::Mode::kReadWrite);
  CHECK(store.database().execAndGet("PRAGMA user_version").getInt() == kSchemaVersion);
  RunRecord base, cand;
  base.suite_name = cand.suite_name = "s";
  store.begin_run(base);
  store.begin_run(cand);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(store.add_sample(base.id, build_sample("a", 10)));
    ids.push_back(store.add_sample(cand.id, build_sample("a", 11, i == 2 ? "interrupted" : "ok")));
    store.add_pair({"x1", ids[2 * i], ids[2 * i + 1], i % 2 ? "candidate" : "baseline"});
  }
  auto pairs = store.pairs({base.id}, {cand.id});
  REQUIRE(pairs.size() == 3);
  CHECK(pairs[1].ab_id == "x1");
  CHECK(pairs[1].baseline_sample_id == ids[2]);
  CHECK(pairs[1].candidate_sample_id == ids[3]);
  CHECK(pairs[1].first == "candidate");
  CHECK(store.pairs({cand.id}, {base.id}).empty());  // sides matter
  CHECK_THROWS(store.add_pair({"x1", ids[0], ids[1], "both"}));

  store.reopen_run(cand.id);  // the interrupted sample goes, and its pair with it
  CHECK(store.pairs({base.id}, {cand.id}).size() == 2);
  store.prune_run(base.id, {});
  CHECK(store.all_pairs().empty());
}
