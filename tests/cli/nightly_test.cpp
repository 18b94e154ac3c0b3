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

// A nightly run of `suite` as an earlier `nightly --testbed lab` stored it (a named testbed:
// tonight's, with --testbed lab, is known without asking an engine).
std::int64_t add_nightly(const fs::path& db, const std::string& suite, const std::string& date,
                         const std::string& commit = "", const std::string& testbed = "lab") {
  Store store(db, Store::Mode::kReadWrite);
  RunRecord run;
  run.suite_name = suite;
  run.git_commit = commit;
  run.labels = {{"kind", "nightly"}, {"nightly", date}};
  run.options = {{"testbed", testbed}};
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
                                db.string(), "--testbed", "lab", "--out", out.string()});
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
  CHECK(line.substr(line.size() - 3) == "=16");  // CLI11 ends the line with the default
  CHECK(pairs_cannot_decide("--runs", 16, 0.05).empty());
}

TEST_CASE("cli nightly: last night is the latest nightly on tonight's testbed") {
  bb::test::CliTempDir dir;
  auto db = dir.path / "nightly.db";
  auto out = dir.path / "reports";
  add_nightly(db, "basic", "2026-01-01", "", "rack-a");
  add_nightly(db, "basic", "2026-01-02", "", "rack-b");
  // Tonight on rack-c: no nightly of its own, so a first night (and measuring needs an engine).
  auto first = buildbench_cli({"nightly", "--suite", basic_suite(), "--db", db.string(),
                               "--testbed", "rack-c", "--out", out.string()});
  CHECK(first.err.find("2 of this suite's nightlies ran on other testbeds than tonight's rack-c "
                       "(rack-a (run 1), rack-b (run 2)); last night is none: tonight is the "
                       "first nightly on this testbed (--across-testbeds") != std::string::npos);
  CHECK(first.exit_code == kExitEnvironment);  // no engine in the unit tests
  // On rack-a, run 1 is last night although run 2 is later.
  auto rack_a = buildbench_cli({"nightly", "--suite", basic_suite(), "--db", db.string(),
                                "--testbed", "rack-a", "--out", out.string()});
  CHECK(rack_a.err.find("than tonight's rack-a (rack-b (run 2)); last night is run 1 "
                        "(2026-01-01)") != std::string::npos);
  // Across testbeds: nothing is left out, nothing to say.
  auto across = buildbench_cli({"nightly", "--suite", basic_suite(), "--db", db.string(),
                                "--testbed", "rack-c", "--across-testbeds", "--out", out.string()});
  CHECK(across.err.find("other testbeds") == std::string::npos);
  CHECK(stored_runs(db) == 2);
}

TEST_CASE("cli nightly: a --reference on another testbed is refused before measuring") {
  bb::test::CliTempDir dir;
  auto db = dir.path / "nightly.db";
  auto out = dir.path / "reports";
  add_nightly(db, "basic", "2026-01-01");
  {
    Store store(db, Store::Mode::kReadWrite);
    bb::test::add_testbed_run(store, "basic", "release-box", {5.0}, {{"kind", "reference"}});
  }
  auto refused =
      buildbench_cli({"nightly", "--suite", basic_suite(), "--db", db.string(), "--testbed", "lab",
                      "--reference", "kind=reference", "--out", out.string()});
  CHECK(refused.exit_code == kExitUsage);
  CHECK(refused.error.rfind("--reference 'kind=reference' ran on testbed release-box (run 2), "
                            "tonight's nightly runs on testbed lab; pin a reference run on this "
                            "testbed (run --testbed lab --label kind=reference), or pass "
                            "--across-testbeds",
                            0) == 0);
  CHECK(stored_runs(db) == 2);
  CHECK_FALSE(fs::exists(out));
  // With the flag it gets past the check (to the engine the unit tests lack).
  auto across =
      buildbench_cli({"nightly", "--suite", basic_suite(), "--db", db.string(), "--testbed", "lab",
                      "--reference", "kind=reference", "--across-testbeds", "--out", out.string()});
  CHECK(across.error.find("--reference") == std::string::npos);
  CHECK(across.exit_code == kExitEnvironment);
}

TEST_CASE("cli nightly: a --testbed name that is no word is refused before measuring") {
  bb::test::CliTempDir dir;
  auto out = dir.path / "reports";
  auto bad = buildbench_cli(
      {"nightly", "--suite", basic_suite(), "--testbed", "my rack", "--out", out.string()});
  CHECK(bad.exit_code == kExitUsage);
  CHECK(bad.error.rfind("--testbed 'my rack': ' ' is not one of", 0) == 0);
  CHECK_FALSE(fs::exists(out));
}
