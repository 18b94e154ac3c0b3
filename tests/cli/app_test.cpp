// The app as a user meets it: the sub-commands --help lists, each one's help, and how bad
// input ends (a message naming what is wrong, exit 2), through the same argv path as main.
#include "cli/app.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "cli/cli_helpers.hpp"
#include "util/process.hpp"

using namespace bb;
using bb::test::buildbench_cli;

namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("cli app: --help lists every sub-command in order and the exit codes") {
  auto result = buildbench_cli({"--help"});
  CHECK(result.exit_code == 0);
  std::size_t at = 0;
  for (const char* name : {"run", "ab", "list", "export", "compare", "nightly", "report", "merge",
                           "prune-history", "init", "doctor"}) {
    INFO(name);
    auto found = result.out.find(std::string("  ") + name + " ", at);
    REQUIRE(found != std::string::npos);
    at = found;
  }
  for (const char* code : {"0  success", "1  compare: a regression", "2  bad usage",
                           "3  broken environment", "130 interrupted"})
    CHECK(contains(result.out, code));
}

TEST_CASE("cli app: --version names the program and its version") {
  auto result = buildbench_cli({"--version"});
  CHECK(result.exit_code == 0);
  CHECK(result.out == std::string("buildbench ") + BUILDBENCH_VERSION + "\n");
}

TEST_CASE("cli app: each sub-command's --help mentions its key options") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"run",
       {"--suite", "--state", "--runs", "--precision", "--min-runs", "--max-runs", "--resume",
        "--label", "--build-timeout", "--registry", "--db", "Cache states:", "Examples:"}},
      {"ab",
       {"--baseline", "--candidate", "--baseline-rev", "--candidate-rev", "--pairs", "--detect",
        "--order", "--seed", "--startup-runs", "--db"}},
      {"list", {"--suite", "--source"}},
      {"export", {"--run", "--format", "gbench", "hyperfine", "--db"}},
      {"compare",
       {"--baseline", "--candidate", "--format", "--alpha", "--threshold", "--strict", "--paired",
        "--unpaired", "--output", "Exit codes: 0 no regression, 1 regression"}},
      {"nightly",
       {"--suite", "--runs", "--startup-runs", "--reference", "--date", "--out", "--threshold",
        "--db", "side by side", "kind=nightly-baseline", "unpaired", "fetch-depth: 0"}},
      {"report", {"--run", "latest-complete", "--suite", "--out", "--alpha", "benchmark.md"}},
      {"merge", {"--from", "--db", "merging twice"}},
      {"prune-history", {"--keep", "--db"}},
      {"init", {"dir", "--force", "requirements.txt"}},
      {"doctor", {"--suite", "--db"}},
  };
  for (const auto& [command, options] : expected) {
    auto result = buildbench_cli({command, "--help"});
    INFO(command << " --help:\n" << result.out);
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "buildbench " + command));
    for (const auto& option : options) {
      INFO(option);
      CHECK(contains(result.out, option));
    }
  }
}

TEST_CASE("cli app: no sub-command, an unknown one or an unknown option is a usage error") {
  auto none = buildbench_cli({});
  CHECK(none.exit_code == kExitUsage);
  CHECK(contains(none.error, "subcommand"));
  CHECK(contains(none.error, "see 'buildbench --help'"));

  auto unknown = buildbench_cli({"bench"});
  CHECK(unknown.exit_code == kExitUsage);
  CHECK(contains(unknown.error, "bench"));

  auto option = buildbench_cli({"list", "--bogus"});
  CHECK(option.exit_code == kExitUsage);
  CHECK(contains(option.error, "--bogus"));
  CHECK(contains(option.error, "see 'buildbench --help'"));
}

TEST_CASE("cli app: CLI11's own checks name the option and exit 2") {
  struct Case {
    std::vector<std::string> args;
    std::string named;
  };
  const std::vector<Case> cases = {
      {{"run", "--runs", "0"}, "--runs"},
      {{"run", "--warmup", "x"}, "--warmup"},
      {{"run", "--pull-onto", "empty"}, "--pull-engine"},  // --pull-onto needs --pull-engine
      {{"ab", "--order", "random"}, "--order"},
      {{"export", "--format", "xml"}, "--format"},
      {{"compare"}, "--baseline"},  // required
      {{"compare", "--baseline", "1", "--paired", "--unpaired"}, "--paired"},
      {{"compare", "--baseline", "1", "--alpha", "0.9"}, "--alpha"},
      {{"nightly", "--startup-runs", "-1"}, "--startup-runs"},
      {{"report", "--alpha", "0"}, "--alpha"},
      {{"merge"}, "--from"},
      {{"prune-history", "--keep", "0"}, "--keep"},
  };
  for (const auto& c : cases) {
    auto result = buildbench_cli(c.args);
    INFO(fmt::format("{}: {}", fmt::join(c.args, " "), result.error));
    CHECK(result.exit_code == kExitUsage);
    CHECK(contains(result.error, c.named));
  }
}

TEST_CASE("cli app: the real binary prints 'buildbench: error:' and exits 2 on bad input") {
  ProcessOptions options;
  options.argv = {BUILDBENCH_BINARY, "run", "--state", "warm-cod"};
  options.env["DOCKER_HOST"] = "unix:///nonexistent/buildbench-cli-test.sock";
  auto result = run_process(options);
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  CHECK(result.err.rfind("buildbench: error: --state 'warm-cod' is not a cache state", 0) == 0);
  CHECK(contains(result.err, "did you mean 'warm-code'?"));
}
