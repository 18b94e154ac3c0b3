// Faults on the real engine: interrupts, hangs, a dying daemon, a busy daemon, hostile input.
#include <signal.h>

#include <fstream>
#include <set>
#include <thread>

#include <boost/process.hpp>
#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"
#include "e2e/own_daemon.hpp"
#include "store/store.hpp"
#include "util/file_lock.hpp"

using namespace bb;
using namespace bb::e2e;
namespace bp = boost::process;
using namespace std::chrono_literals;

namespace {

std::string suite(const std::string& name) {
  return (source_dir() / "tests/fixtures/suites" / name).string();
}

std::size_t stored_samples(const std::filesystem::path& db, SampleKind kind) {
  try {
    Store store(db, Store::Mode::kReadOnly);
    auto runs = store.runs();
    if (runs.empty()) return 0;
    std::size_t n = 0;
    for (const auto& s : store.samples({runs.back().id}, false)) n += s.sample.kind == kind;
    return n;
  } catch (const std::exception&) {
    return 0;  // not created yet
  }
}

std::string containers_left() {
  return run_checked({"docker", "ps", "-aq", "--filter", "name=buildbench-run"});
}

// Starts buildbench in the background; `until` decides when to send `signal`.
struct Background {
  bp::child child;
  std::chrono::steady_clock::time_point signalled;
  Background(const std::vector<std::string>& args,
             const std::map<std::string, std::string>& env = {})
      : child(BUILDBENCH_BINARY, bp::args(args), environment(env), bp::std_out > bp::null,
              bp::std_err > bp::null, bp::std_in < bp::null) {}
  static bp::environment environment(const std::map<std::string, std::string>& extra) {
    bp::environment env = boost::this_process::environment();
    for (const auto& [key, value] : extra) env[key] = value;
    return env;
  }
  int stop_with(int signal, const std::function<bool()>& until, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (!until() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(200ms);
    signalled = std::chrono::steady_clock::now();
    ::kill(child.id(), signal);
    child.wait();
    return child.exit_code();
  }
};

// The machine's daemon (the tests' default engine), to find processes of its builds.
pid_t machine_daemon_pid() {
  std::ifstream in("/var/run/docker.pid");
  pid_t pid = 0;
  in >> pid;
  return pid;
}

}  // namespace

TEST_CASE("interrupt during a build: stops within seconds, run marked interrupted") {
  TempDb db;
  Background run({"run", "--suite", suite("hang"), "--scenario", "hangs", "--state", "cold",
                  "--runs", "1", "--startup-runs", "0", "--db", db.path.string()});
  // The build hangs in its RUN step: wait until its `sleep` runs.
  pid_t daemon = machine_daemon_pid();
  REQUIRE(wait_until([&] { return process_running("sleep", daemon); }, 120s));
  int code = run.stop_with(
      SIGINT, [] { return true; }, 1s);
  auto took = std::chrono::steady_clock::now() - run.signalled;
  CHECK(code == 130);
  CHECK(took < 10s);
  Store store(db.path, Store::Mode::kReadOnly);
  auto runs = store.runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == "interrupted");
  auto samples = store.samples({runs[0].id});
  REQUIRE(samples.size() == 1);
  CHECK(samples[0].sample.status == SampleStatus::kInterrupted);
  CHECK_FALSE(std::filesystem::exists(
      std::filesystem::temp_directory_path() /
      ("buildbench-run" + std::to_string(runs[0].id) + "-" + std::to_string(run.child.id()))));
}

TEST_CASE(
    "SIGTERM during start-up removes containers and --resume completes only what is missing") {
  TempDb db;
  Background run({"run", "--suite", suite("hang"), "--scenario", "quick", "--state", "cold",
                  "--runs", "1", "--startup-runs", "6", "--db", db.path.string()});
  int code = run.stop_with(
      SIGTERM, [&] { return stored_samples(db.path, SampleKind::kStartup) >= 3; }, 240s);
  CHECK(code == 130);
  CHECK(std::chrono::steady_clock::now() - run.signalled < 10s);
  CHECK(containers_left().empty());
  std::int64_t id;
  std::size_t before;
  {
    Store store(db.path, Store::Mode::kReadOnly);
    auto r = store.runs().at(0);
    id = r.id;
    CHECK(r.status == "interrupted");
    before = store.samples({id}).size();
  }
  CHECK(before < 13);
  auto resumed = buildbench({"run", "--resume", std::to_string(id), "--db", db.path.string()});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  Store store(db.path, Store::Mode::kReadOnly);
  CHECK(store.run(id)->status == "complete");
  auto samples = store.samples({id});
  CHECK(samples.size() == 13);  // 1 build + 2 modes x 6 start-ups, none twice
  std::set<std::tuple<SampleKind, std::string, int>> keys;
  for (const auto& s : samples) {
    CHECK(s.sample.status == SampleStatus::kOk);
    keys.insert({s.sample.kind, s.sample.state, s.sample.repetition});
  }
  CHECK(keys.size() == 13);
  CHECK(containers_left().empty());
}

TEST_CASE("a hung build is killed at --build-timeout, stored as failed, and the run goes on") {
  TempDb db;
  auto result =
      buildbench({"run", "--suite", suite("hang"), "--state", "cold", "--runs", "1",
                  "--startup-runs", "0", "--build-timeout", "6s", "--db", db.path.string()});
  INFO(result.err);
  CHECK(result.exit_code == 3);  // completed, with the hung build stored as failed
  Store store(db.path, Store::Mode::kReadOnly);
  auto samples = store.samples(store.select_runs("latest"));
  REQUIRE(samples.size() == 2);
  for (const auto& s : samples) {
    if (s.sample.scenario == "hangs") {
      CHECK(s.sample.status == SampleStatus::kFailed);
      CHECK(s.sample.error.find("timed out") != std::string::npos);
      CHECK(s.sample.error.find("hanging now") != std::string::npos);  // its last output
    } else {
      CHECK(s.sample.status == SampleStatus::kOk);
    }
  }
}

TEST_CASE("a second run on the same daemon refuses with --no-wait") {
  FileLock held(daemon_lock_path(), false);
  TempDb db;
  auto result = buildbench({"run", "--suite", suite("hang"), "--scenario", "quick", "--runs", "1",
                            "--no-wait", "--db", db.path.string()});
  CHECK(result.exit_code == 3);
  CHECK(result.err.find("in use by another buildbench run") != std::string::npos);
}

TEST_CASE(
    "hostile names, build args and file names are never executed and secrets are not stored") {
  TempDb db;
  for (auto f : {"suite", "name", "tick", "arg"}) {
    std::filesystem::remove(std::string("/tmp/buildbench-pwned-") + f);
  }
  auto secret = std::filesystem::temp_directory_path() / "bb-secret-file";
  std::ofstream(secret) << "s3cr3t-value";
  auto result = buildbench({"run", "--suite", suite("hostile"), "--state", "cold", "--state",
                            "warm-code", "--runs", "1", "--startup-runs", "0", "--secret",
                            "id=tok,src=" + secret.string(), "--db", db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  for (auto f : {"suite", "name", "tick", "arg"}) {
    INFO(f);
    CHECK_FALSE(std::filesystem::exists(std::string("/tmp/buildbench-pwned-") + f));
  }
  Store store(db.path, Store::Mode::kReadOnly);
  auto run = store.run(store.select_runs("latest").at(0));
  for (const auto& s : store.samples({run->id})) {
    INFO(s.sample.error);
    CHECK(s.sample.status ==
          SampleStatus::kOk);  // the build arg arrived verbatim (the RUN test checks it)
  }
  CHECK(run->command.find("<redacted>") != std::string::npos);
  std::ifstream in(db.path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  CHECK(bytes.find("s3cr3t-value") == std::string::npos);
  CHECK(bytes.find(secret.string()) == std::string::npos);
  std::filesystem::remove(secret);
}

TEST_CASE("the daemon dying mid-run stops the run with exit 3 and nothing stored is lost") {
  TempDb db;
  // A daemon of the test's own: the machine's daemon is never touched.
  OwnDaemon daemon({"python:3.11-slim"});
  REQUIRE(daemon.answers());
  // A first sample (a build killed at its timeout), then a build during which the daemon dies.
  Background run(
      {"run", "--suite", suite("hang"), "--scenario", "hangs", "--state", "cold", "--runs", "2",
       "--startup-runs", "0", "--build-timeout", "6s", "--db", db.path.string()},
      {{"DOCKER_HOST", daemon.host()}});
  bool killed = false;
  auto deadline = std::chrono::steady_clock::now() + 300s;
  while (run.child.running() && std::chrono::steady_clock::now() < deadline) {
    // Inside the second build: its RUN step's `sleep` runs under our daemon.
    if (!killed && stored_samples(db.path, SampleKind::kBuild) >= 1) {
      wait_until([&] { return daemon.runs_descendant("sleep"); }, 60s);
      daemon.stop(SIGTERM);
      killed = true;
    }
    std::this_thread::sleep_for(200ms);
  }
  if (run.child.running()) ::kill(run.child.id(), SIGKILL);
  run.child.wait();
  int code = run.child.exit_code();
  CHECK(killed);
  CHECK(code == 3);
  Store store(db.path, Store::Mode::kReadOnly);
  auto r = store.runs().at(0);
  CHECK(r.status == "failed");
  auto samples = store.samples({r.id});
  REQUIRE(samples.size() == 2);
  CHECK(samples[0].sample.error.find("timed out") != std::string::npos);  // kept
  CHECK(samples[1].sample.status == SampleStatus::kFailed);  // the one in flight, with the reason
  CHECK(samples[1].sample.error.find("stopped answering") != std::string::npos);
}
