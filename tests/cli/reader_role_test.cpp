// A team's shared store read by a role that may only SELECT (a docs job, a dashboard): the
// reading commands work with it, a writing one is refused with the server's reason, and the
// stored runs are untouched.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "skip.hpp"
#include "store/backend_fixture.hpp"

using namespace bb;
using bb::test::buildbench_cli;

namespace {

int next_id() {
  static int id = 0;
  return ++id;
}

// A LOGIN role of the tests' server, dropped when the test ends (after its database).
struct ReaderRole {
  std::string name = fmt::format("bb_reader_{}_{}", ::getpid(), next_id());
  ReaderRole() {
    bb::test::PostgresBackend::admin_connection()->exec(fmt::format("CREATE ROLE {} LOGIN", name));
  }
  ~ReaderRole() {
    try {
      bb::test::PostgresBackend::admin_connection()->exec(fmt::format("DROP ROLE {}", name));
    } catch (...) {  // the server stopped: lab-postgres stop takes it with its data folder
    }
  }
  // The database's URL with this role as its user: postgresql://ROLE@HOST:PORT/DB.
  std::string url(const std::string& location) const {
    auto at = location.find('@');
    return "postgresql://" + name + location.substr(at);
  }
};

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE(
    "cli on PostgreSQL: a read-only role renders the page, compares and exports, merge into "
    "it is refused, nothing stored changes") {
  if (!bb::test::PostgresBackend::available()) BB_SKIP(bb::test::kNoServer);
  ReaderRole reader;  // declared first: dropped after the database that holds its grants
  bb::test::PostgresBackend db;
  {
    Store store(db.location(), Store::Mode::kReadWrite);
    bb::test::add_cold_run(store, "basic", {10.0, 10.1, 9.9, 10.2, 9.8, 10.05}, {{"side", "a"}});
    bb::test::add_cold_run(store, "basic", {10.02, 10.12, 9.88, 10.18, 9.83, 10.0},
                           {{"side", "b"}});
  }
  sql::open_postgres(db.location(), false)
      ->exec(fmt::format("GRANT USAGE ON SCHEMA public TO {0}; GRANT SELECT ON ALL TABLES IN "
                         "SCHEMA public TO {0}",
                         reader.name));
  std::string url = reader.url(db.location());
  bb::test::CliTempDir dir;

  auto page =
      buildbench_cli({"report", "--run", "2", "--db", url, "--out", (dir.path / "site").string()});
  INFO(page.out << page.err << page.error);
  CHECK(page.exit_code == kExitOk);
  CHECK(read(dir.path / "site" / "benchmark.md").find("# ") != std::string::npos);

  auto compared = buildbench_cli({"compare", "--baseline", "side=a", "--candidate", "side=b",
                                  "--db", url, "--format", "json"});
  INFO(compared.err << compared.error);
  CHECK(compared.exit_code == kExitOk);  // identical figures: no regression
  CHECK(compared.out.find("\"rows\"") != std::string::npos);

  auto exported = buildbench_cli({"export", "--run", "all", "--format", "csv", "--db", url});
  CHECK(exported.exit_code == kExitOk);
  CHECK(std::count(exported.out.begin(), exported.out.end(), '\n') >= 12);  // every sample

  // Writing needs a role that may: refused with the server's reason.
  auto source = dir.path / "other.db";
  {
    Store other(source, Store::Mode::kReadWrite);
    bb::test::add_cold_run(other, "basic", {11.0, 11.1, 10.9});
  }
  auto merged = buildbench_cli({"merge", "--from", source.string(), "--db", url});
  CHECK(merged.exit_code != kExitOk);
  CHECK((merged.error + merged.err).find("permission denied") != std::string::npos);
  Store after(db.location(), Store::Mode::kReadOnly);
  CHECK(after.runs().size() == 2);
  CHECK(after.samples({1, 2}, false).size() == 12);  // not one sample merged in
}
