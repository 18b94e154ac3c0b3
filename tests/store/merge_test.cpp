// merge, prune-history and the peer export formats, through the real command line.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "skip.hpp"
#include "store/backend_fixture.hpp"
#include "store/merge.hpp"
#include "store/store.hpp"
#include "util/process.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

using namespace bb;
namespace fs = std::filesystem;

namespace {

struct Dir {
  fs::path path = fs::temp_directory_path() / ("bb-merge-" + std::to_string(::getpid()));
  Dir() { fs::create_directories(path); }
  ~Dir() { fs::remove_all(path); }
};

void add_run(Store& store, const std::string& day, double seconds, const std::string& host) {
  RunRecord run;
  run.started_at = day + "T02:00:00Z";
  run.suite_name = "merge-suite";
  run.fingerprint = {{"hostname", host}};
  auto id = store.begin_run(run);
  store.add_scenario(id, "s", 0, nlohmann::json::object());
  for (int i = 0; i < 6; ++i) {
    Sample s;
    s.scenario = "s";
    s.state = "cold";
    s.repetition = i + 1;
    s.set("build_seconds", seconds + i * 0.01);
    BuildStep step;
    step.name = "[1/1] RUN x";
    step.started = 0;
    step.completed = seconds;
    s.steps.push_back(step);
    store.add_sample(id, s);
  }
  store.finish_run(id, "complete");
}

ProcessResult bb_cli(std::vector<std::string> args) {
  ProcessOptions options;
  options.argv = {BUILDBENCH_BINARY};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  return run_process(options);
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("merge: two machines' databases give the same report as one holding both") {
  Dir dir;
  {
    Store a(dir.path / "a.db", Store::Mode::kReadWrite);
    add_run(a, "2026-11-01", 10, "machine-a");
    Store b(dir.path / "b.db", Store::Mode::kReadWrite);
    add_run(b, "2026-11-02", 11, "machine-b");
    Store both(dir.path / "both.db", Store::Mode::kReadWrite);
    add_run(both, "2026-11-01", 10, "machine-a");
    add_run(both, "2026-11-02", 11, "machine-b");
  }
  auto first = bb_cli({"merge", "--from", (dir.path / "a.db").string(), "--from",
                       (dir.path / "b.db").string(), "--db", (dir.path / "merged.db").string()});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("1 run(s) imported (6 samples)") != std::string::npos);
  // Idempotent: merging again imports nothing.
  auto again = bb_cli(
      {"merge", "--from", (dir.path / "a.db").string(), "--db", (dir.path / "merged.db").string()});
  CHECK(again.out.find("0 run(s) imported (0 samples), 1 already present") != std::string::npos);
  Store merged(dir.path / "merged.db", Store::Mode::kReadOnly);
  REQUIRE(merged.runs().size() == 2);
  CHECK(merged.runs()[0].fingerprint["hostname"] == "machine-a");
  CHECK(merged.runs()[1].fingerprint["hostname"] == "machine-b");
  REQUIRE(bb_cli({"report", "--db", (dir.path / "merged.db").string(), "--out",
                  (dir.path / "r1").string()})
              .exit_code == 0);
  REQUIRE(bb_cli({"report", "--db", (dir.path / "both.db").string(), "--out",
                  (dir.path / "r2").string()})
              .exit_code == 0);
  for (auto name : {"benchmark.md", "data.json", "build-time.svg", "trend-build.svg"}) {
    INFO(name);
    CHECK(read(dir.path / "r1" / name) == read(dir.path / "r2" / name));
  }
}

TEST_CASE("merge into PostgreSQL: the page is byte for byte the one from SQLite",
          "[store][postgres]") {
  if (!test::PostgresBackend::available()) BB_SKIP(test::kNoServer);
  Dir dir;
  test::PostgresBackend pg;
  {
    Store a(dir.path / "a.db", Store::Mode::kReadWrite);
    add_run(a, "2026-11-01", 10, "machine-a");
    Store b(dir.path / "b.db", Store::Mode::kReadWrite);
    add_run(b, "2026-11-02", 11, "machine-b");
  }
  for (const auto& target : {(dir.path / "merged.db").string(), pg.location()}) {
    auto merged = bb_cli({"merge", "--from", (dir.path / "a.db").string(), "--from",
                          (dir.path / "b.db").string(), "--db", target});
    INFO(merged.err);
    REQUIRE(merged.exit_code == 0);
    CHECK(merged.out.find("1 run(s) imported (6 samples)") != std::string::npos);
  }
  auto again = bb_cli({"merge", "--from", (dir.path / "a.db").string(), "--db", pg.location()});
  CHECK(again.out.find("0 run(s) imported (0 samples), 1 already present") != std::string::npos);
  REQUIRE(bb_cli({"report", "--db", (dir.path / "merged.db").string(), "--out",
                  (dir.path / "sqlite").string()})
              .exit_code == 0);
  auto report = bb_cli({"report", "--db", pg.location(), "--out", (dir.path / "pg").string()});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  for (auto name : {"benchmark.md", "data.json", "build-time.svg", "trend-build.svg"}) {
    INFO(name);
    CHECK(read(dir.path / "sqlite" / name) == read(dir.path / "pg" / name));
  }
}

TEST_CASE("merge refuses a database of another schema version") {
  Dir dir;
  { Store a(dir.path / "a.db", Store::Mode::kReadWrite); }
  {
    SQLite::Database raw((dir.path / "a.db").string(), SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = 7");
  }
  auto result = bb_cli(
      {"merge", "--from", (dir.path / "a.db").string(), "--db", (dir.path / "m.db").string()});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("schema version 7") != std::string::npos);
}

TEST_CASE("prune-history thins old runs to summaries and trends still see them") {
  Dir dir;
  auto db = dir.path / "h.db";
  {
    Store store(db, Store::Mode::kReadWrite);
    for (int day = 1; day <= 5; ++day)
      add_run(store, fmt::format("2026-11-{:02}", day), 10 + day, "m");
  }
  auto before = fs::file_size(db);
  auto result = bb_cli({"prune-history", "--keep", "2", "--db", db.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(result.out.find("pruned 3 run(s): 18 raw samples") != std::string::npos);
  Store store(db, Store::Mode::kReadOnly);
  auto runs = store.runs();
  CHECK(runs[0].pruned);
  CHECK_FALSE(runs[4].pruned);
  CHECK(store.samples({runs[0].id}).empty());
  auto summaries = store.summaries(runs[0].id);
  REQUIRE(summaries.size() == 1);
  CHECK(summaries[0].count == 6);
  CHECK(summaries[0].median == Approx(11.025));
  auto series = store.metric_series({runs[0].id, runs[4].id}, {{"cold", "build_seconds"}});
  CHECK(series.size() == 1 + 6);  // one kept median + six raw samples
  CHECK(fs::file_size(db) <= before);
}

TEST_CASE("export: Google Benchmark JSON reads back in its compare.py and hyperfine JSON parses") {
  Dir dir;
  auto db = dir.path / "e.db";
  {
    Store store(db, Store::Mode::kReadWrite);
    add_run(store, "2026-11-01", 10, "m");
    add_run(store, "2026-11-02", 12, "m");
  }
  auto one = bb_cli({"export", "--run", "1", "--format", "gbench", "--db", db.string()});
  auto two = bb_cli({"export", "--run", "2", "--format", "gbench", "--db", db.string()});
  REQUIRE(one.exit_code == 0);
  auto doc = nlohmann::json::parse(one.out);
  REQUIRE(doc["benchmarks"].size() == 6);
  CHECK(doc["benchmarks"][0]["name"] == "s/cold/build_seconds");
  CHECK(doc["benchmarks"][0]["time_unit"] == "ms");
  CHECK(doc["benchmarks"][0]["real_time"] == Approx(10000));
  std::ofstream(dir.path / "1.json") << one.out;
  std::ofstream(dir.path / "2.json") << two.out;
  const char* compare_py = "/usr/share/benchmark/compare.py";
  if (!fs::exists(compare_py)) FAIL("Google Benchmark's compare.py is needed (libbenchmark-tools)");
  ProcessOptions options;
  options.argv = {"/usr/bin/python3",
                  compare_py,
                  "--no-color",
                  "benchmarks",
                  (dir.path / "1.json").string(),
                  (dir.path / "2.json").string()};
  auto compared = run_process(options);
  INFO(compared.err);
  CHECK(compared.exit_code == 0);
  CHECK(compared.out.find("s/cold/build_seconds") != std::string::npos);
  CHECK(compared.out.find("+0.2") != std::string::npos);  // 12 s against 10 s

  auto hyper = bb_cli({"export", "--run", "2", "--format", "hyperfine", "--db", db.string()});
  auto h = nlohmann::json::parse(hyper.out);
  REQUIRE(h["results"].size() == 1);
  CHECK(h["results"][0]["command"] == "s/cold/build_seconds");
  CHECK(h["results"][0]["times"].size() == 6);
  CHECK(h["results"][0]["median"].get<double>() == Approx(12.025));
}

TEST_CASE("merge: the pairs of an A/B session come along, on the imported samples") {
  Dir dir;
  fs::path from_path = dir.path / "ab-from.db", into_path = dir.path / "ab-into.db";
  {
    Store from(from_path, Store::Mode::kReadWrite);
    add_run(from, "2026-11-01", 10, "a");
    add_run(from, "2026-11-01", 11, "a");
    auto samples = from.samples({1, 2}, false);
    for (int i = 0; i < 6; ++i) from.add_pair({"s1", samples[i].id, samples[i + 6].id, "baseline"});
    Store into(into_path, Store::Mode::kReadWrite);
    add_run(into, "2026-10-01", 9, "b");  // shifts every id
  }
  auto result = bb_cli({"merge", "--from", from_path.string(), "--db", into_path.string()});
  REQUIRE(result.exit_code == 0);
  Store into(into_path, Store::Mode::kReadOnly);
  auto pairs = into.pairs({2}, {3});
  REQUIRE(pairs.size() == 6);
  auto samples = into.samples({2, 3}, false);
  CHECK(pairs[0].baseline_sample_id == samples[0].id);
  CHECK(pairs[0].candidate_sample_id == samples[6].id);
  // Merging again imports nothing, pairs included.
  REQUIRE(bb_cli({"merge", "--from", from_path.string(), "--db", into_path.string()}).exit_code ==
          0);
  CHECK(Store(into_path, Store::Mode::kReadOnly).all_pairs().size() == 6);
}

TEST_CASE("merge: the groups a run's budget left short come along with it") {
  Dir dir;
  {
    Store a(dir.path / "a.db", Store::Mode::kReadWrite);
    add_run(a, "2026-11-01", 10, "machine-a");
    a.mark_short(a.runs().back().id, {{{"s", SampleKind::kBuild, "cold"}, 6, 8}});
  }
  Store merged(dir.path / "merged.db", Store::Mode::kReadWrite);
  merge_database(merged, dir.path / "a.db");
  REQUIRE(merged.runs().size() == 1);
  auto short_groups = merged.runs()[0].short_of_target;
  REQUIRE(short_groups.size() == 1);
  CHECK(short_groups[0].group == GroupKey{"s", SampleKind::kBuild, "cold"});
  CHECK(short_groups[0].runs == 6);
  CHECK(short_groups[0].wanted == 8);
}
