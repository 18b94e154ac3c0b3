// A suite split across runners: four concurrent `run --shard K/4` of the e2e suite write into
// one PostgreSQL database (the tests' server, BUILDBENCH_TEST_PG), and `report` over the four
// renders the same page, byte for byte, as the same runs merged into SQLite.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"
#include "skip.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;
namespace fs = std::filesystem;

namespace {

// A database of this test's own on the tests' server, dropped at the end.
struct ScratchDatabase {
  std::string server, name;
  ScratchDatabase(std::string url)
      : server(std::move(url)), name(fmt::format("bbe2e_shard_{}", ::getpid())) {
    admin()->exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name));
    admin()->exec(fmt::format("CREATE DATABASE {}", name));
  }
  ~ScratchDatabase() {
    try {
      admin()->exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name));
    } catch (...) {
    }
  }
  std::unique_ptr<sql::Connection> admin() {
    return sql::open_postgres(server + "/postgres", false);
  }
  std::string location() const { return server + "/" + name; }
};

std::map<std::string, std::string> files_in(const fs::path& folder) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    std::ifstream in(entry.path(), std::ios::binary);
    files[entry.path().filename().string()] = std::string(std::istreambuf_iterator<char>(in), {});
  }
  return files;
}

// The samples each scenario of the e2e suite plans at --state cold --state warm-code
// --runs 1 --startup-runs 0: one per state it supports (broken and sleepy have no code edit).
const std::map<std::string, std::size_t> kPlanned = {
    {"small", 2}, {"broken", 1}, {"sleepy", 1}, {"unread-edit", 2}};

}  // namespace

TEST_CASE("shard: four concurrent run --shard K/4 into one PostgreSQL, one page as from SQLite") {
  const char* server = std::getenv("BUILDBENCH_TEST_PG");
  if (!server || !*server) {
    BB_SKIP(
        "no PostgreSQL server: BUILDBENCH_TEST_PG is unset; 'scripts/lab-postgres start' and "
        "'eval \"$(scripts/lab-postgres env)\"' (scripts/test does both)");
  }
  ScratchDatabase db(server);
  auto suite = (source_dir() / "tests/fixtures/suites/e2e").string();
  std::string label = fmt::format("fleet=e2e-{}", ::getpid());
  std::vector<CommandResult> results(4);
  std::vector<std::thread> runners;
  for (int k = 1; k <= 4; ++k) {
    runners.emplace_back([&, k] {
      // They queue on the daemon's lock and write into one database at once.
      results[k - 1] = buildbench({"run", "--suite", suite, "--shard", fmt::format("{}/4", k),
                                   "--label", label, "--state", "cold", "--state", "warm-code",
                                   "--runs", "1", "--startup-runs", "0", "--db", db.location()});
    });
  }
  for (auto& runner : runners) runner.join();
  for (const auto& result : results) {
    INFO(result.err);
    CHECK((result.exit_code == 0 || result.exit_code == 3));  // 3: broken's failures stored
    CHECK_FALSE(result.out.empty());
  }

  Store store(db.location(), Store::Mode::kReadOnly);
  auto ids = store.select_runs(label);
  REQUIRE(ids.size() == 4);
  std::set<int> indices;
  std::set<std::string> measured;
  std::size_t samples = 0;
  for (auto id : ids) {
    auto run = *store.run(id);
    CHECK(run.status == "complete");
    const auto& shard = run.options["shard"];
    indices.insert(shard["index"].get<int>());
    CHECK(shard["count"] == 4);
    std::size_t planned = 0;
    for (const auto& name : shard["scenarios"]) {
      CHECK(measured.insert(name.get<std::string>()).second);  // in one shard only
      planned += kPlanned.at(name.get<std::string>());
    }
    auto stored = store.samples({id}, false);
    INFO("run " << id << " " << shard.dump());
    CHECK(stored.size() == planned);  // every sample its shard planned is there
    for (const auto& s : stored) CHECK(measured.count(s.sample.scenario) == 1);
    samples += stored.size();
  }
  CHECK(indices == std::set<int>{1, 2, 3, 4});
  CHECK(measured.size() == kPlanned.size());
  CHECK(samples == 6);

  fs::path out = fs::temp_directory_path() / fmt::format("bb-e2e-shard-{}", ::getpid());
  TempDb merged;
  auto merge = buildbench({"merge", "--from", db.location(), "--db", merged.path.string()});
  INFO(merge.err);
  REQUIRE(merge.exit_code == 0);
  auto from_server =
      buildbench({"report", "--run", label, "--db", db.location(), "--out", (out / "pg").string()});
  auto from_file = buildbench(
      {"report", "--run", label, "--db", merged.path.string(), "--out", (out / "sqlite").string()});
  INFO(from_server.err << from_file.err);
  REQUIRE(from_server.exit_code == 0);
  REQUIRE(from_file.exit_code == 0);
  auto pages = files_in(out / "pg");
  CHECK(pages.count("benchmark.md") == 1);
  CHECK(pages == files_in(out / "sqlite"));  // byte for byte, every file
  for (const auto& name : kPlanned)
    CHECK(pages["benchmark.md"].find(name.first) != std::string::npos);
  fs::remove_all(out);
}
