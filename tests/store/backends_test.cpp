// The store on both backends (SQLite and PostgreSQL): the same behaviour from the same
// calls, and on PostgreSQL many writers at once and a cut connection.
#include <cmath>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "skip.hpp"
#include "store/backend_fixture.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

using namespace bb;
using namespace bb::test;

TEMPLATE_TEST_CASE("store backends: runs, labels, samples, metrics and steps round-trip",
                   "[store][backends]", SqliteBackend, PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  Store store(db.location(), Store::Mode::kReadWrite);
  RunRecord run;
  run.suite_name = "s";
  run.labels = {{"branch", "main"}, {"Kind", "nightly"}};
  run.fingerprint = nlohmann::json{{"cores", 2}, {"model", "x"}};
  run.git_dirty = true;
  auto id = store.begin_run(run);
  Sample exact = build_sample("a", 0.1 + 0.2);  // a double with no short decimal form
  exact.set("size_bytes", 6442450944.0);        // past 32 bits
  exact.steps[0].started.reset();               // NULL
  store.add_sample(id, exact);
  store.add_sample(id, build_sample("b", 0, SampleStatus::kFailed));
  store.finish_run(id, "complete");

  auto loaded = store.run(id);
  REQUIRE(loaded);
  CHECK(loaded->status == "complete");
  CHECK(loaded->git_dirty);
  CHECK(loaded->labels ==
        std::map<std::string, std::string>{{"Kind", "nightly"}, {"branch", "main"}});
  CHECK(loaded->fingerprint["cores"] == 2);
  CHECK(loaded->uuid.size() == 32);
  CHECK_FALSE(loaded->finished_at.empty());
  auto samples = store.samples({id});
  REQUIRE(samples.size() == 2);
  CHECK(*samples[0].sample.get("build_seconds") == 0.1 + 0.2);
  CHECK(*samples[0].sample.get("size_bytes") == 6442450944.0);
  CHECK(samples[0].sample.metrics[0].name == "build_seconds");  // in the order given
  CHECK_FALSE(samples[0].sample.steps.at(0).started);
  CHECK(*samples[0].sample.steps.at(0).completed == 2.5);
  CHECK(samples[1].sample.status == SampleStatus::kFailed);
  CHECK(samples[1].sample.error == "exit code: 3");
  CHECK(samples[0].id < samples[1].id);
}

TEMPLATE_TEST_CASE("store backends: selectors resolve latest, ids and labels", "[store][backends]",
                   SqliteBackend, PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  Store store(db.location(), Store::Mode::kReadWrite);
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
}

TEMPLATE_TEST_CASE(
    "store backends: images once, scenarios and summaries replaced, text sorted by bytes",
    "[store][backends]", SqliteBackend, PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  Store store(db.location(), Store::Mode::kReadWrite);
  ImageRecord image;
  image.image_id = "sha256:abc";
  image.size_bytes = 5'000'000'000;
  image.layers.push_back({0, "RUN x", 100, 40, 3, 30});
  store.add_image(image);
  image.layers.push_back({1, "RUN y", 1, 1, 0, 0});
  store.add_image(image);  // already there: ignored, layers and all
  auto loaded = store.image("sha256:abc");
  REQUIRE(loaded);
  CHECK(loaded->size_bytes == 5'000'000'000);
  CHECK(loaded->layers.size() == 1);
  CHECK_FALSE(store.has_image("sha256:def"));

  auto id = begin_test_run(store);
  store.add_scenario(id, "b", 1, {{"v", 1}});
  store.add_scenario(id, "a", 0, {{"v", 1}});
  store.add_scenario(id, "b", 1, {{"v", 2}});
  CHECK(store.scenarios(id) == std::vector<std::pair<std::string, int>>{{"a", 0}, {"b", 1}});
  CHECK(store.scenario_manifest(id, "b")["v"] == 2);

  Store::SummaryRow row;
  row.run_id = id;
  row.key = {{"a", SampleKind::kBuild, "cold"}, "build_seconds"};
  row.median = 1;
  row.ci_low = NAN;
  store.add_summary(row);
  row.median = 2;
  store.add_summary(row);
  row.key.metric = "build_Seconds";  // 'S' < 's' by bytes, whatever the server's locale
  store.add_summary(row);
  row.key.metric = "build-seconds";
  store.add_summary(row);
  auto rows = store.summaries(id);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].key.metric == "build-seconds");
  CHECK(rows[1].key.metric == "build_Seconds");
  CHECK(rows[2].key.metric == "build_seconds");
  CHECK(rows[2].median == 2);
  CHECK(std::isnan(rows[2].ci_low));
}

TEMPLATE_TEST_CASE(
    "store backends: pairs, resume and prune drop cut-short samples with their pairs",
    "[store][backends]", SqliteBackend, PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  Store store(db.location(), Store::Mode::kReadWrite);
  RunRecord base, cand;
  store.begin_run(base);
  store.begin_run(cand);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(store.add_sample(base.id, build_sample("a", 10)));
    ids.push_back(store.add_sample(
        cand.id, build_sample("a", 11, i == 2 ? SampleStatus::kInterrupted : SampleStatus::kOk)));
    store.add_pair({"x1", ids[2 * i], ids[2 * i + 1], i % 2 ? "candidate" : "baseline"});
  }
  REQUIRE(store.pairs({base.id}, {cand.id}).size() == 3);
  CHECK_THROWS(store.add_pair({"x1", ids[0], ids[1], "both"}));  // CHECK constraint
  store.reopen_run(cand.id);
  CHECK(store.pairs({base.id}, {cand.id}).size() == 2);
  CHECK(store.samples({cand.id}).size() == 2);
  CHECK(store.run(cand.id)->status == "running");
  CHECK(store.prune_run(base.id, {}) == 3);
  CHECK(store.all_pairs().empty());
  CHECK(store.run(base.id)->pruned);
  auto series = store.metric_series({cand.id}, {{"cold", "build_seconds"}});
  REQUIRE(series.size() == 2);
  CHECK(series[0].value == 11);
}

TEMPLATE_TEST_CASE("store backends: reopening migrates nothing twice and read-only reads",
                   "[store][backends]", SqliteBackend, PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  { Store first(db.location(), Store::Mode::kReadWrite); }
  Store again(db.location(), Store::Mode::kReadWrite);
  CHECK(again.connection().schema_version() == kSchemaVersion);
  CHECK(again.connection().application_id() == kApplicationId);
  auto id = begin_test_run(again);
  Store reader(db.location(), Store::Mode::kReadOnly);
  CHECK(reader.runs().size() == 1);
  RunRecord copy = *reader.run(id);
  copy.uuid.clear();
  CHECK_THROWS(reader.begin_run(copy));  // a read-only session writes nothing
}

TEMPLATE_TEST_CASE("store backends: four writers at once keep every sample under distinct ids",
                   "[store][backends]", SqliteBackend, PostgresBackend) {
  BB_REQUIRE_BACKEND();
  TestType db;
  { Store init(db.location(), Store::Mode::kReadWrite); }
  constexpr int kWriters = 4, kSamples = 50;
  std::vector<std::vector<std::int64_t>> ids(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      Store store(db.location(), Store::Mode::kReadWrite);
      RunRecord run;
      run.suite_name = "w" + std::to_string(w);
      auto id = store.begin_run(run);
      for (int i = 0; i < kSamples; ++i)
        ids[w].push_back(store.add_sample(id, build_sample("a", i)));
      store.finish_run(id, "complete");
    });
  }
  for (auto& writer : writers) writer.join();
  Store store(db.location(), Store::Mode::kReadOnly);
  auto runs = store.runs();
  REQUIRE(runs.size() == kWriters);
  std::set<std::int64_t> distinct;
  for (const auto& run : runs) {
    auto samples = store.samples({run.id});
    CHECK(samples.size() == kSamples);
    for (const auto& s : samples) distinct.insert(s.id);
  }
  CHECK(distinct.size() == kWriters * kSamples);
  std::set<std::int64_t> returned;
  for (const auto& list : ids) returned.insert(list.begin(), list.end());
  CHECK(returned == distinct);
}

TEST_CASE(
    "store on PostgreSQL: a connection cut by the server is a clear error, nothing half-written, "
    "and the writer reconnects",
    "[store][postgres]") {
  if (!PostgresBackend::available()) BB_SKIP(kNoServer);
  PostgresBackend db;
  Store store(db.location(), Store::Mode::kReadWrite);
  auto id = begin_test_run(store);
  store.add_sample(id, build_sample("a", 1));
  sql::Statement backend(store.connection(), "SELECT pg_backend_pid()");
  REQUIRE(backend.step());
  auto pid = backend.column(0).int64();
  std::string error;
  {
    sql::Transaction transaction(store.connection());
    store.add_sample_in_transaction(id, build_sample("a", 2));  // half a run's work, uncommitted
    auto admin = PostgresBackend::admin_connection();
    sql::Statement terminate(*admin, "SELECT pg_terminate_backend(?)");
    terminate.bind(1, pid);
    REQUIRE(terminate.step());
    try {
      transaction.commit();
    } catch (const EnvironmentError& e) {
      error = e.what();
    }
  }
  CHECK_THAT(error, Catch::Contains("connection to the server was lost") &&
                        Catch::Contains("nothing of it was stored"));
  // The writer's next sample reconnects: the run goes on, the cut one is not half there.
  store.add_sample(id, build_sample("a", 3));
  Store reader(db.location(), Store::Mode::kReadOnly);
  auto samples = reader.samples({id});
  REQUIRE(samples.size() == 2);
  CHECK(*samples[0].sample.get("build_seconds") == 1);
  CHECK(*samples[1].sample.get("build_seconds") == 3);
}

TEST_CASE("store on PostgreSQL: a database holding foreign tables is refused and left alone",
          "[store][postgres]") {
  if (!PostgresBackend::available()) BB_SKIP(kNoServer);
  PostgresBackend db;
  {
    auto raw = sql::open_postgres(db.location(), false);
    raw->exec("CREATE TABLE runs (x TEXT)");
  }
  CHECK_THROWS_WITH(Store(db.location(), Store::Mode::kReadWrite),
                    Catch::Contains("not a buildbench store"));
  CHECK_THROWS_WITH(Store(db.location(), Store::Mode::kReadOnly),
                    Catch::Contains("not a buildbench store"));
}

TEST_CASE("store on PostgreSQL: an unreachable server is a clear error naming the URL",
          "[store][postgres]") {
  // Port 1 on loopback: nothing listens there, no server needed.
  CHECK_THROWS_WITH(
      Store("postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", Store::Mode::kReadOnly),
      Catch::Contains("cannot connect to the database "
                      "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"));
}
