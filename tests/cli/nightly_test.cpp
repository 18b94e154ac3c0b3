// `buildbench nightly`: what it checks before it measures. Each refusal stores nothing and
// writes no report: the database keeps exactly what it held.
#include <filesystem>
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "cli/options.hpp"
#include "util/process.hpp"
#include "util/text.hpp"

using namespace bb;
using bb::test::add_run;
using bb::test::basic_suite;
using bb::test::buildbench_cli;
namespace fs = std::filesystem;

namespace {

// A nightly run of `suite` as an earlier `nightly` stored it.
std::int64_t add_nightly(const fs::path& db, const std::string& suite, const std::string& date,
                         const std::string& commit = "") {
  Store store(db, Store::Mode::kReadWrite);
  RunRecord run;
  run.suite_name = suite;
  run.git_commit = commit;
  run.labels = {{"kind", "nightly"}, {"nightly", date}};
  return add_run(store, run, {{"one", {5.0, 5.1}}});
}

std::size_t stored_runs(const fs::path& db) {
  return Store(db, Store::Mode::kReadOnly).runs().size();
}

std::string git(const fs::path& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {
      "git", "-C", dir.string(), "-c", "user.name=bb", "-c", "user.email=bb@localhost"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_checked(argv);
}

}  // namespace

TEST_CASE("cli nightly: a bad threshold or suite stops it before it measures") {
  bb::test::CliTempDir dir;
  auto out = dir.path / "reports";
  auto threshold =
      buildbench_cli({"nightly", "--threshold", "build_seconds", "--out", out.string()});
  CHECK(threshold.exit_code == kExitUsage);
  CHECK(threshold.error.rfind("--threshold 'build_seconds': write METRIC=PERCENT", 0) == 0);

  auto suite = buildbench_cli(
      {"nightly", "--suite", (dir.path / "nowhere").string(), "--out", out.string()});
  CHECK(suite.exit_code == kExitUsage);
  CHECK(suite.error.find("nowhere") != std::string::npos);
  CHECK_FALSE(fs::exists(out));  // no report, no summary
}

TEST_CASE("cli nightly: a database of another suite's nightlies is refused, both suites named") {
  bb::test::CliTempDir dir;
  auto db = dir.path / "nightly.db";
  auto out = dir.path / "reports";
  add_nightly(db, "other-suite", "2026-01-01");
  auto result = buildbench_cli(
      {"nightly", "--suite", basic_suite(), "--db", db.string(), "--out", out.string()});
  CHECK(result.exit_code == kExitUsage);
  CHECK(result.error.find("holds the nightlies of suite 'other-suite', not of suite 'basic'") !=
        std::string::npos);
  CHECK(result.error.find("--db FILE") != std::string::npos);
  CHECK(stored_runs(db) == 1);
  CHECK_FALSE(fs::exists(out));

  // Once the suite has nightlies of its own there, the database is its (past this check).
  add_nightly(db, "basic", "2026-01-02");
  auto own = buildbench_cli(
      {"nightly", "--suite", basic_suite(), "--db", db.string(), "--out", out.string()});
  CHECK(own.error.find("holds the nightlies of suite") == std::string::npos);
}

TEST_CASE("cli nightly: a --reference that matches no run is refused before measuring") {
  bb::test::CliTempDir dir;
  auto db = dir.path / "nightly.db";
  auto out = dir.path / "reports";
  auto missing = buildbench_cli({"nightly", "--suite", basic_suite(), "--db", db.string(),
                                 "--reference", "kind=reference", "--out", out.string()});
  CHECK(missing.exit_code == kExitUsage);
  CHECK(missing.error.rfind("--reference 'kind=reference' matches no run: the database", 0) == 0);
  CHECK_FALSE(fs::exists(db));  // not even created

  add_nightly(db, "basic", "2026-01-01");
  auto none = buildbench_cli({"nightly", "--suite", basic_suite(), "--db", db.string(),
                              "--reference", "kind=reference", "--out", out.string()});
  CHECK(none.exit_code == kExitUsage);
  CHECK(none.error.rfind("--reference 'kind=reference' matches no run in '" + db.string(), 0) == 0);
  CHECK(none.error.find("--label kind=reference") != std::string::npos);
  auto id = buildbench_cli({"nightly", "--suite", basic_suite(), "--db", db.string(), "--reference",
                            "99", "--out", out.string()});
  CHECK(id.exit_code == kExitUsage);
  CHECK(id.error.rfind("--reference '99' matches no run", 0) == 0);
  CHECK(stored_runs(db) == 1);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("cli nightly: last night's commit missing from a shallow clone says how to fetch it") {
  bb::test::CliTempDir dir;
  auto repo = dir.path / "repo";
  fs::create_directories(repo);
  fs::copy(basic_suite(), repo / "suite", fs::copy_options::recursive);
  git(repo, {"init", "-q"});
  git(repo, {"add", "-A"});
  git(repo, {"commit", "-q", "-m", "last night"});
  std::string last_night = std::string(trim(git(repo, {"rev-parse", "HEAD"})));
  fs::copy_file(repo / "suite/one/app.py", repo / "suite/one/app2.py");
  git(repo, {"add", "-A"});
  git(repo, {"commit", "-q", "-m", "tonight"});
  auto clone = dir.path / "clone";
  git(dir.path, {"clone", "-q", "--depth", "1", "file://" + repo.string(), clone.string()});

  auto db = dir.path / "nightly.db";
  auto out = dir.path / "reports";
  add_nightly(db, "basic", "2026-01-01", last_night);
  auto result = buildbench_cli({"nightly", "--suite", (clone / "suite").string(), "--db",
                                db.string(), "--out", out.string()});
  CHECK(result.exit_code == kExitUsage);
  CHECK(result.error.find("measured commit " + last_night.substr(0, 12)) != std::string::npos);
  CHECK(result.error.find("(a shallow checkout)") != std::string::npos);
  CHECK(result.error.find("git fetch --unshallow") != std::string::npos);
  CHECK(result.error.find("fetch-depth: 0") != std::string::npos);
  CHECK(stored_runs(db) == 1);
  CHECK_FALSE(fs::exists(out));
  // No scratch checkout of tonight's clone was left behind.
  CHECK(git(clone, {"worktree", "list"}).find("buildbench-nightly-rev") == std::string::npos);
}

TEST_CASE("cli nightly: pair counts that can never reach p below 0.05 are refused, the fix named") {
  bb::test::CliTempDir dir;
  auto db = dir.path / "nightly.db";
  auto out = dir.path / "reports";
  auto runs = buildbench_cli({"nightly", "--suite", basic_suite(), "--db", db.string(), "--runs",
                              "5", "--out", out.string()});
  CHECK(runs.exit_code == kExitUsage);
  CHECK(runs.error.rfind("--runs 5: 5 pairs can never reach p<0.05", 0) == 0);
  CHECK(runs.error.find("2/2^5 = 0.0625") != std::string::npos);
  CHECK(runs.error.find("use --runs 6 or more") != std::string::npos);

  auto startup = buildbench_cli({"nightly", "--suite", basic_suite(), "--db", db.string(),
                                 "--startup-runs", "3", "--out", out.string()});
  CHECK(startup.exit_code == kExitUsage);
  CHECK(startup.error.find("use --startup-runs 6 or more") != std::string::npos);
  CHECK_FALSE(fs::exists(db));  // nothing stored
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("cli nightly: the default pairs can decide") {
  auto help = buildbench_cli({"nightly", "--help"});
  auto at = help.out.find("--runs ");
  REQUIRE(at != std::string::npos);
  std::string line = help.out.substr(at, help.out.find('\n', at) - at);
  CHECK(line.substr(line.size() - 2) == "=6");  // CLI11 ends the line with the default
  CHECK(pairs_cannot_decide("--runs", 6, 0.05).empty());
}
