// `buildbench ab`: its sides and its sample size, checked before anything is built.
#include <string>

#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"

using namespace bb;
using bb::test::basic_suite;
using bb::test::buildbench_cli;

TEST_CASE("cli ab: --detect takes a percentage strictly between 0 and 100") {
  for (const char* bad : {"0", "100%", "150", "-5%", "five", "%", "5%%"}) {
    INFO(bad);
    auto result = buildbench_cli(
        {"ab", "--suite", basic_suite(), "--baseline", basic_suite(), "--detect", bad});
    CHECK(result.exit_code == kExitUsage);
    // The message quotes the value without the one '%' it allows.
    std::string shown = bad;
    if (!shown.empty() && shown.back() == '%') shown.pop_back();
    CHECK(result.error == "--detect '" + shown + "': write a percentage, e.g. 5%");
  }
  auto both = buildbench_cli({"ab", "--suite", basic_suite(), "--baseline", basic_suite(),
                              "--detect", "5%", "--pairs", "8"});
  CHECK(both.exit_code == kExitUsage);
  CHECK(both.error == "--pairs fixes the count and --detect chooses it: give one of them");
}

TEST_CASE("cli ab: a baseline is needed, named one way only") {
  auto none = buildbench_cli({"ab", "--suite", basic_suite()});
  CHECK(none.exit_code == kExitUsage);
  CHECK(none.error.rfind("ab needs a baseline: --baseline DIR", 0) == 0);

  auto twice = buildbench_cli(
      {"ab", "--suite", basic_suite(), "--baseline", basic_suite(), "--baseline-rev", "main"});
  CHECK(twice.exit_code == kExitUsage);
  CHECK(twice.error == "--baseline and --baseline-rev both name the baseline; give one");

  auto candidate = buildbench_cli({"ab", "--suite", basic_suite(), "--baseline", basic_suite(),
                                   "--candidate", basic_suite(), "--candidate-rev", "HEAD"});
  CHECK(candidate.exit_code == kExitUsage);
  CHECK(candidate.error == "--candidate and --candidate-rev both name the candidate; give one");
}

TEST_CASE("cli ab: --max-pairs below the fewest pairs that can reach p < 0.05 is refused") {
  auto result = buildbench_cli({"ab", "--max-pairs", "5"});
  CHECK(result.exit_code == kExitUsage);
  CHECK(result.error.find("--max-pairs") != std::string::npos);
}

TEST_CASE("cli ab: pairs that can never reach p below 0.05 are warned about before measuring") {
  // No baseline: ab stops with a usage error after reading its options, so nothing measures.
  auto few = buildbench_cli({"ab", "--pairs", "5"});
  CHECK(few.exit_code == kExitUsage);
  CHECK(few.err.find("buildbench: warning: --pairs 5: 5 pairs can never reach p<0.05") !=
        std::string::npos);
  CHECK(few.err.find("use --pairs 6 or more") != std::string::npos);

  auto enough = buildbench_cli({"ab", "--pairs", "6"});
  CHECK(enough.exit_code == kExitUsage);
  CHECK(enough.err.find("warning") == std::string::npos);
}
