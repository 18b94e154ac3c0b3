#include "store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "util/error.hpp"

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
