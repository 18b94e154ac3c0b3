// `buildbench run`: the design options checked before anything is built. Every case here
// fails before the engine would be reached.
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "measure/run_options.hpp"

using namespace bb;
using bb::test::basic_suite;
using bb::test::buildbench_cli;

TEST_CASE("cli run: the fixed and the adaptive design are one or the other") {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"--runs", "3", "--precision", "5"},
       "--runs fixes the count and --precision adapts it: give one of them"},
      {{"--precision", "5", "--min-runs", "6", "--max-runs", "4"},
       "--min-runs 6 exceeds --max-runs 4"},
      {{"--claim-precision", "3"},
       "--claim-precision and --claim-max-runs refine the adaptive design: add --precision PCT"},
      {{"--claim-max-runs", "8"},
       "--claim-precision and --claim-max-runs refine the adaptive design: add --precision PCT"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"run", "--suite", basic_suite()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto result = buildbench_cli(args);
    INFO(result.error);
    CHECK(result.exit_code == kExitUsage);
    CHECK(result.error == c.error);
  }
  // A claim's groups take at least five runs: a maximum below that cannot decide it.
  auto low = buildbench_cli(
      {"run", "--suite", basic_suite(), "--precision", "5", "--claim-max-runs", "4"});
  CHECK(low.exit_code == kExitUsage);
  CHECK(low.error.rfind("--claim-max-runs 4 is below the 5 runs a claim's groups take", 0) == 0);
  CHECK(low.error.find("give --claim-max-runs 5 or more") != std::string::npos);
}

TEST_CASE("cli run: --budget plans the adaptive design and takes a time above zero") {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::string example = "write e.g. --budget 30m, 1h, 90s or 1h30m";
  const std::vector<Case> cases = {
      {{"--runs", "3", "--budget", "30m"},
       "--budget plans the adaptive design's repetitions, and --runs fixes them: drop --runs and "
       "give --precision PCT (e.g. --precision 10 --budget 30m)"},
      {{"--budget", "30m"},
       "--budget plans the adaptive design's repetitions: add --precision PCT (e.g. --precision "
       "10 --budget 30m)"},
      {{"--precision", "10", "--budget", "0"},
       "--budget '0' is not a time to measure for; " + example},
      {{"--precision", "10", "--budget", "0m"},
       "--budget '0m' is not a time to measure for; " + example},
      {{"--precision", "10", "--budget", "half an hour"},
       "--budget 'half an hour' is not a time to measure for; " + example},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"run", "--suite", basic_suite()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto result = buildbench_cli(args);
    INFO(result.error);
    CHECK(result.exit_code == kExitUsage);
    CHECK(result.error == c.error);
  }
  // The help teaches what the budget does.
  auto help = buildbench_cli({"run", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--budget") != std::string::npos);
  CHECK(help.out.find("Budget: --budget 30m bounds the measuring time") != std::string::npos);
}

TEST_CASE("cli run: the shared measure flags are checked on run's path") {
  auto timeout = buildbench_cli({"run", "--suite", basic_suite(), "--build-timeout", "forever"});
  CHECK(timeout.exit_code == kExitUsage);
  CHECK(timeout.error == "--build-timeout 'forever' is not a duration; write e.g. 30m");
  auto label = buildbench_cli({"run", "--suite", basic_suite(), "--label", "main"});
  CHECK(label.exit_code == kExitUsage);
  CHECK(label.error.rfind("--label 'main'", 0) == 0);
  // --testbed is a word: it names the runs in lists, errors and the page.
  auto testbed = buildbench_cli({"run", "--suite", basic_suite(), "--testbed", "rack/3"});
  CHECK(testbed.exit_code == kExitUsage);
  CHECK(testbed.error ==
        "--testbed 'rack/3': '/' is not one of A-Z a-z 0-9 . _ -; name it with letters, digits, "
        "'.', '_' and '-', e.g. --testbed ci-large");
  auto ab = buildbench_cli(
      {"ab", "--baseline", basic_suite(), "--candidate", basic_suite(), "--testbed", "_x"});
  CHECK(ab.exit_code == kExitUsage);
  CHECK(ab.error.rfind("--testbed '_x': it must start with a letter or digit", 0) == 0);
}

TEST_CASE("cli run: --resume of a run the database does not hold, and a missing suite") {
  bb::test::CliTempDir dir;
  auto db = (dir.path / "empty.db").string();
  auto resume = buildbench_cli({"run", "--suite", basic_suite(), "--resume", "42", "--db", db});
  CHECK(resume.exit_code == kExitUsage);
  CHECK(resume.error == "--resume 42: no such run in '" + db + "'");

  auto missing = buildbench_cli({"run", "--suite", (dir.path / "nowhere").string()});
  CHECK(missing.exit_code == kExitUsage);
  CHECK(missing.error.find("nowhere") != std::string::npos);
  CHECK(missing.out.empty());  // no run id: nothing was measured
}

TEST_CASE("cli run: --shard refuses a bad K/N, a fleet without a label and an empty shard") {
  bb::test::CliTempDir dir;
  auto db = (dir.path / "b.db").string();
  for (const char* bad : {"0/4", "5/4", "a/b"}) {
    auto result = buildbench_cli(
        {"run", "--suite", basic_suite(), "--shard", bad, "--label", "n=1", "--db", db});
    INFO(bad);
    CHECK(result.exit_code == kExitUsage);
    CHECK_THAT(result.error, Catch::StartsWith("--shard ") && Catch::Contains("1 <= K <= N"));
  }
  auto unlabelled = buildbench_cli({"run", "--suite", basic_suite(), "--shard", "1/2", "--db", db});
  CHECK(unlabelled.exit_code == kExitUsage);
  CHECK_THAT(unlabelled.error, Catch::Contains("needs a --label naming this fleet's runs"));
  // basic's claim compares its two scenarios: they share a shard, so 2 of 2 holds none.
  auto empty = buildbench_cli(
      {"run", "--suite", basic_suite(), "--shard", "2/2", "--label", "n=1", "--db", db});
  CHECK(empty.exit_code == kExitUsage);
  CHECK_THAT(empty.error,
             Catch::Contains("shard 2 gets no scenario") && Catch::Contains("fill only 1 of 2"));
  CHECK(empty.out.empty());
  auto by = buildbench_cli({"run", "--suite", basic_suite(), "--shard-by", "1", "--db", db});
  CHECK(by.exit_code == kExitUsage);  // --shard-by needs --shard
}

TEST_CASE("cli run: --resume of a shard takes only its own --shard") {
  bb::test::CliTempDir dir;
  auto db = (dir.path / "b.db").string();
  std::int64_t shard_run = 0, whole_run = 0;
  {
    Store store(db, Store::Mode::kReadWrite);
    RunRecord run;
    run.suite_name = "basic";
    run.labels = {{"n", "1"}};
    RunOptions options;
    options.shard = ShardOptions{1, 2, {"one"}, "count", {}};
    run.options = stored_form(options);
    shard_run = store.begin_run(run);
    RunRecord whole;
    whole.suite_name = "basic";
    whole_run = store.begin_run(whole);
  }
  auto other = buildbench_cli({"run", "--resume", std::to_string(shard_run), "--shard", "2/2",
                               "--suite", basic_suite(), "--db", db});
  CHECK(other.exit_code == kExitUsage);
  CHECK_THAT(other.error, Catch::Contains("is shard 1/2; resume it with --shard 1/2"));
  auto pinned = buildbench_cli({"run", "--resume", std::to_string(shard_run), "--shard", "1/2",
                                "--shard-by", "1", "--suite", basic_suite(), "--db", db});
  CHECK(pinned.exit_code == kExitUsage);
  CHECK_THAT(pinned.error, Catch::Contains("keeps the split it started with"));
  auto whole = buildbench_cli({"run", "--resume", std::to_string(whole_run), "--shard", "1/2",
                               "--suite", basic_suite(), "--db", db});
  CHECK(whole.exit_code == kExitUsage);
  CHECK_THAT(whole.error, Catch::Contains("measured the whole selection, not a shard"));
}
