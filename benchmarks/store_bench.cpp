// The store under a fleet's load, SQLite against PostgreSQL (a plain program, not a Google
// Benchmark: scripts/store-bench builds and runs it):
//   1. --samples samples written by --writers concurrent writers, each its own connection and
//      run, each sample one transaction as the runner writes them: samples/s;
//   2. the pages of --nights nightlies of a small suite: the history page (report --history)
//      and the benchmark page of the last night (report, with its trend charts): seconds.
// Every figure is measured here; the samples written are counted back before one is printed.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "cli/gather.hpp"
#include "history.hpp"
#include "model/metrics.hpp"
#include "report/benchmark_page.hpp"
#include "report/history_page.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"

namespace fs = std::filesystem;
using namespace bb;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string pg;  // postgresql://USER@HOST:PORT of a server where databases may be created
  fs::path dir = fs::temp_directory_path();
  int samples = 100000, writers = 8, nights = 365, repeats = 3;
};

Args parse(int argc, char** argv) {
  Args args;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--pg")
      args.pg = value;
    else if (flag == "--dir")
      args.dir = value;
    else if (flag == "--samples")
      args.samples = std::stoi(value);
    else if (flag == "--writers")
      args.writers = std::stoi(value);
    else if (flag == "--nights")
      args.nights = std::stoi(value);
    else if (flag == "--repeats")
      args.repeats = std::stoi(value);
    else
      throw std::runtime_error("store_bench: unknown flag " + flag);
  }
  if (args.writers < 1 || args.samples < args.writers)
    throw std::runtime_error("store_bench: --samples must be at least --writers (>= 1)");
  return args;
}

// A build sample as the runner stores one (history.hpp), started at the nights' hour.
Sample build_sample(const std::string& scenario, const std::string& state, int repetition,
                    double seconds) {
  Sample sample = bench::build_sample(scenario, state, repetition, seconds,
                                      fmt::format("sha256:{}-{}-{}", scenario, state, repetition));
  sample.started_at = "2026-12-03T02:00:00Z";
  return sample;
}

RunRecord bench_run(const std::string& suite, const std::string& started_at) {
  RunRecord run;
  run.suite_name = suite;
  run.started_at = started_at;
  run.fingerprint = {{"hostname", "store-bench"},
                     {"docker_server", "26.1.5"},
                     {"cpu_model", "bench"},
                     {"cores", 2}};
  return run;
}

// A fresh database: a file in args.dir, or one created on the server (dropped at the end).
struct Database {
  std::string location, pg_name;
  const Args& args;
  Database(const Args& a, const std::string& backend, const std::string& name) : args(a) {
    if (backend == "sqlite") {
      location = (args.dir / (name + ".db")).string();
      for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(location + suffix);
    } else {
      pg_name = name;
      admin()->exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name));
      admin()->exec(fmt::format("CREATE DATABASE {}", name));
      location = args.pg + "/" + name;
    }
  }
  ~Database() {
    if (!pg_name.empty())
      admin()->exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg_name));
  }
  std::unique_ptr<sql::Connection> admin() const {
    return sql::open_postgres(args.pg + "/postgres", false);
  }
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Writers start together; each writes its share into its own run, a sample a transaction.
void insert_bench(const Args& args, const std::string& backend) {
  Database db(args, backend, "bb_store_bench_insert");
  Store(db.location, Store::Mode::kReadWrite);  // the schema, before the clock starts
  std::vector<std::thread> writers;
  std::vector<std::int64_t> run_ids(args.writers);
  std::vector<std::string> errors(args.writers);
  auto start = Clock::now();
  for (int w = 0; w < args.writers; ++w) {
    int share = args.samples / args.writers + (w < args.samples % args.writers ? 1 : 0);
    writers.emplace_back([&, w, share] {
      try {
        Store store(db.location, Store::Mode::kReadWrite);
        RunRecord run = bench_run("store-bench", "2026-12-03T02:00:00Z");
        run_ids[w] = store.begin_run(run);
        store.add_scenario(run.id, fmt::format("writer-{}", w), 0, nlohmann::json::object());
        for (int i = 0; i < share; ++i)
          store.add_sample(run.id, build_sample(fmt::format("writer-{}", w), "cold", i + 1, 5.0));
        store.finish_run(run.id, "complete");
      } catch (const std::exception& error) {
        errors[w] = error.what();
      }
    });
  }
  for (auto& t : writers) t.join();
  double elapsed = seconds_since(start);
  for (int w = 0; w < args.writers; ++w) {
    if (!errors[w].empty())
      throw std::runtime_error(fmt::format("{} writer {} failed: {}", backend, w, errors[w]));
  }
  Store store(db.location, Store::Mode::kReadOnly);
  std::size_t stored = store.samples(run_ids, false).size();
  if (stored != static_cast<std::size_t>(args.samples))
    throw std::runtime_error(
        fmt::format("{}: {} of {} samples stored", backend, stored, args.samples));
  fmt::print(
      "{:<10} insert: {} samples by {} writers, a transaction each: {:.2f} s, {:.0f} "
      "samples/s ({} counted back)\n",
      backend, args.samples, args.writers, elapsed, args.samples / elapsed, stored);
}

// The nightly history of a small suite: 3 scenarios, 4 build states x 5 samples and 2
// start-up modes x 5, one night a run (each run one transaction: loading, not measuring).
void fill_history(Store& store, int nights) {
  std::mt19937 rng(1);
  std::lognormal_distribution<double> noise(0.0, 0.05);
  const char* states[] = {"cold", "warm-nochange", "warm-code", "warm-deps"};
  for (int n = 0; n < nights; ++n) {
    std::chrono::year_month_day day{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1} +
                                    std::chrono::days{n}};
    std::string date =
        fmt::format("{:04}-{:02}-{:02}", static_cast<int>(day.year()),
                    static_cast<unsigned>(day.month()), static_cast<unsigned>(day.day()));
    RunRecord run = bench_run("history", date + "T02:00:00Z");
    run.status = "complete";
    run.labels = {{"kind", "nightly"}, {"nightly", date}};
    sql::Transaction transaction(store.connection());
    store.begin_run_in_transaction(run);
    for (int s = 0; s < 3; ++s) {
      std::string scenario = fmt::format("step-{}", s + 1);
      store.add_scenario(run.id, scenario, s, nlohmann::json::object());
      for (const char* state : states) {
        for (int i = 0; i < 5; ++i)
          store.add_sample_in_transaction(
              run.id, build_sample(scenario, state, i + 1, (5 + s) * noise(rng)));
      }
      for (const char* mode : {"bytecode", "none"}) {
        for (int i = 0; i < 5; ++i) {
          Sample sample;
          sample.scenario = scenario;
          sample.kind = SampleKind::kStartup;
          sample.state = mode;
          sample.repetition = i + 1;
          sample.set("startup_seconds", (mode[0] == 'b' ? 0.3 : 0.7) * noise(rng));
          store.add_sample_in_transaction(run.id, sample);
        }
      }
    }
    transaction.commit();
  }
}

// The median of `repeats` timings of `work`.
double median_seconds(int repeats, const std::function<void()>& work) {
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    auto start = Clock::now();
    work();
    times.push_back(seconds_since(start));
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

void render_bench(const Args& args, const std::string& backend) {
  Database db(args, backend, "bb_store_bench_history");
  Store store(db.location, Store::Mode::kReadWrite);
  fill_history(store, args.nights);
  std::int64_t last = store.runs().back().id;
  std::size_t files = 0, values = 0;
  double read = median_seconds(args.repeats, [&] {
    auto nightlies = nightlies_up_to(store, "history", last);
    std::vector<std::int64_t> ids;
    for (const auto& r : nightlies) ids.push_back(r.id);
    values = store.metric_series_of(ids, tracked_metric_names()).size();
  });
  double history = median_seconds(args.repeats, [&] {
    auto input = gather_history(store, nightlies_up_to(store, "history", last), "");
    files = build_history_page(input).size();
  });
  double page = median_seconds(args.repeats, [&] {
    auto input = gather_report_input(store, std::to_string(last), "", {});
    files = build_report(input).size();
  });
  fmt::print(
      "{:<10} pages of {} nightlies (median of {}): the history's reads {:.3f} s ({} "
      "values), history page {:.2f} s, last night's benchmark page {:.2f} s ({} files)\n",
      backend, args.nights, args.repeats, read, values, history, page, files);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args args = parse(argc, argv);
    std::vector<std::string> backends = {"sqlite"};
    if (!args.pg.empty()) backends.push_back("postgresql");
    for (const auto& backend : backends) insert_bench(args, backend);
    for (const auto& backend : backends) render_bench(args, backend);
  } catch (const std::exception& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
  return 0;
}
