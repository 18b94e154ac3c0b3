// Faults on PostgreSQL, each with the count of samples lost (0): the server restarted in the
// middle of a run, a writer killed with SIGKILL, a statement stopped by statement_timeout
// behind another session's lock. (A connection cut by pg_terminate_backend:
// backends_test.cpp.) They need the tests' server (BUILDBENCH_TEST_PG) and skip without it.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "skip.hpp"
#include "store/backend_fixture.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "util/process.hpp"

using namespace bb;
using namespace bb::test;
namespace fs = std::filesystem;

namespace {

const char* kServerBinary = "/usr/lib/postgresql/15/bin/postgres";

// A lab-postgres server of this test's own (its port, its folder), so that restarting it
// disturbs no other test; stopped by its pid when the test ends.
class OwnServer {
 public:
  OwnServer()
      : port_(std::to_string(55600 + ::getpid() % 300)),
        dir_(fs::temp_directory_path() / ("bb-faults-pg-" + std::to_string(::getpid()))) {
    auto started = lab("start");
    if (!started.ok()) throw std::runtime_error("lab-postgres start: " + started.err);
    auto admin = sql::open_postgres(server() + "/postgres", false);
    admin->exec("CREATE DATABASE faults");
  }
  ~OwnServer() { lab("stop"); }
  std::string server() const { return "postgresql://buildbench@127.0.0.1:" + port_; }
  std::string location() const { return server() + "/faults"; }
  ProcessResult restart() { return lab("restart"); }

 private:
  ProcessResult lab(const std::string& action) {
    ProcessOptions options;
    options.argv = {std::string(BUILDBENCH_SOURCE_DIR) + "/scripts/lab-postgres",
                    action,
                    "--port",
                    port_,
                    "--dir",
                    dir_.string()};
    options.timeout = std::chrono::seconds(90);
    options.ignore_interrupt = true;
    return run_process(options);
  }
  std::string port_;
  fs::path dir_;
};

// Sample `i` of a run: its own repetition and time, so each is told from the others.
Sample numbered(int i) {
  Sample s = build_sample("a", i);
  s.repetition = i;
  return s;
}

// Samples of `run_id` missing, or stored without their metric and step, among 1..n.
std::size_t lost_of(Store& reader, std::int64_t run_id, int n, std::size_t& stored) {
  auto samples = reader.samples({run_id});
  stored = samples.size();
  std::set<int> whole;
  for (const auto& s : samples) {
    const double* seconds = s.sample.get("build_seconds");
    if (seconds && *seconds == s.sample.repetition && s.sample.steps.size() == 1)
      whole.insert(s.sample.repetition);
  }
  std::size_t lost = 0;
  for (int i = 1; i <= n; ++i) lost += whole.count(i) ? 0 : 1;
  return lost;
}

std::string server_started(Store& store) {
  sql::Statement query(store.connection(), "SELECT pg_postmaster_start_time()::text");
  REQUIRE(query.step());
  return query.column(0).text();
}

}  // namespace

TEST_CASE("store faults on PostgreSQL: the server restarted mid-run, the writer reconnects, 0 lost",
          "[store][postgres][faults]") {
  if (!PostgresBackend::available()) BB_SKIP(kNoServer);
  if (!fs::exists(kServerBinary)) BB_SKIP("no PostgreSQL 15 server binary to start one of its own");
  OwnServer server;
  Store store(server.location(), Store::Mode::kReadWrite);
  auto id = begin_test_run(store);
  std::string before = server_started(store);
  std::atomic<int> written{0};
  std::atomic<bool> restarted{false};
  std::string writer_error;  // read once the writer has ended
  std::atomic<bool> writer_failed{false};
  std::thread writer([&] {
    try {
      // Until 200 samples past the restart: it lands while samples are being written.
      int after_restart = 0;
      for (int i = 1; i <= 20000 && after_restart < 200; ++i) {
        store.add_sample(id, numbered(i));
        written = i;
        if (restarted) ++after_restart;
      }
    } catch (const std::exception& e) {
      writer_error = e.what();
      writer_failed = true;
    }
  });
  while (written < 100 && !writer_failed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto restart = server.restart();
  restarted = true;
  writer.join();
  INFO(restart.out << restart.err);
  REQUIRE(restart.ok());
  CHECK(writer_error.empty());
  INFO("writer: " << writer_error);
  store.finish_run(id, "complete");
  CHECK(server_started(store) != before);  // a new server answered the same writer
  Store reader(server.location(), Store::Mode::kReadOnly);
  std::size_t stored = 0;
  auto lost = lost_of(reader, id, written, stored);
  INFO(written << " samples written, " << stored << " stored");
  CHECK(lost == 0);
  CHECK(stored == static_cast<std::size_t>(written.load()));  // none twice
  CHECK(reader.run(id)->status == "complete");
}

TEST_CASE(
    "store faults on PostgreSQL: a writer killed with SIGKILL leaves its run resumable, 0 lost",
    "[store][postgres][faults]") {
  if (!PostgresBackend::available()) BB_SKIP(kNoServer);
  PostgresBackend db;
  { Store init(db.location(), Store::Mode::kReadWrite); }
  int report[2];
  REQUIRE(::pipe(report) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The writer: a run, then samples until killed; each committed one reported on the pipe.
    ::close(report[0]);
    try {
      Store store(db.location(), Store::Mode::kReadWrite);
      std::int64_t run_id = begin_test_run(store);
      if (::write(report[1], &run_id, sizeof run_id) != sizeof run_id) ::_exit(4);
      for (int i = 1;; ++i) {
        store.add_sample(run_id, numbered(i));
        if (::write(report[1], &i, sizeof i) != sizeof i) ::_exit(4);
      }
    } catch (...) {
      ::_exit(3);
    }
  }
  ::close(report[1]);
  std::int64_t run_id = 0;
  REQUIRE(::read(report[0], &run_id, sizeof run_id) == sizeof run_id);
  int committed = 0, i = 0;
  while (committed < 50 && ::read(report[0], &i, sizeof i) == sizeof i) committed = i;
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  while (::read(report[0], &i, sizeof i) == sizeof i) committed = i;  // reported before the kill
  ::close(report[0]);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  Store store(db.location(), Store::Mode::kReadWrite);
  std::size_t stored = 0;
  auto lost = lost_of(store, run_id, committed, stored);
  INFO(committed << " samples committed, " << stored << " stored");
  CHECK(lost == 0);
  CHECK(stored >= static_cast<std::size_t>(committed));  // at most one committed unreported
  CHECK(stored <= static_cast<std::size_t>(committed) + 1);
  CHECK(store.run(run_id)->status == "running");  // never finished: --resume takes it
  store.reopen_run(run_id);
  store.add_sample(run_id, numbered(static_cast<int>(stored) + 1));
  store.finish_run(run_id, "complete");
  CHECK(store.samples({run_id}).size() == stored + 1);
  CHECK(store.run(run_id)->status == "complete");
}

TEST_CASE("store faults on PostgreSQL: a statement timeout behind a lock is a clear error, 0 lost",
          "[store][postgres][faults]") {
  if (!PostgresBackend::available()) BB_SKIP(kNoServer);
  PostgresBackend db;
  // The writer's sessions stop any statement after 300 ms (libpq's options= URL parameter).
  Store store(db.location() + "?options=-c%20statement_timeout%3D300", Store::Mode::kReadWrite);
  auto id = begin_test_run(store);
  store.add_sample(id, numbered(1));
  auto blocker = sql::open_postgres(db.location(), false);
  blocker->begin();
  blocker->exec("LOCK TABLE samples IN ACCESS EXCLUSIVE MODE");
  std::string error;
  try {
    store.add_sample(id, numbered(2));
  } catch (const EnvironmentError& e) {
    error = e.what();
  }
  blocker->rollback();
  CHECK_THAT(error, Catch::Contains("statement timeout") && Catch::Contains("57014") &&
                        Catch::Contains("nothing of it was stored") &&
                        Catch::Contains("pg_stat_activity"));
  store.add_sample(id, numbered(3));  // the same session goes on once the lock is gone
  Store reader(db.location(), Store::Mode::kReadOnly);
  auto samples = reader.samples({id});
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].sample.repetition == 1);
  CHECK(samples[1].sample.repetition == 3);
  sql::Statement orphans(reader.connection(),
                         "SELECT count(*) FROM metrics WHERE sample_id NOT IN (SELECT id FROM "
                         "samples)");
  REQUIRE(orphans.step());
  CHECK(orphans.column(0).int64() == 0);  // no half of sample 2
  std::size_t stored = 0;
  std::size_t lost = lost_of(reader, id, 1, stored);
  CHECK(lost == 0);
}
