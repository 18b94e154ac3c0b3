#include "scenario/manifest.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "util/error.hpp"

using namespace bb;
namespace fs = std::filesystem;

namespace {

fs::path fixture_suite() {
  return fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/basic/suite.toml";
}

// Parses a suite text anchored next to the basic fixture, so its folders resolve.
Suite parse(const std::string& text) {
  return parse_suite(text, fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/basic/x.toml");
}

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "(no error)";
}

const char* kHead = "name = \"s\"\n[[scenario]]\nname = \"two\"\ncontext = \"two\"\n";

}  // namespace

TEST_CASE("a suite lists scenarios from folders and inline tables, in order") {
  Suite suite = load_suite(fixture_suite());
  CHECK(suite.name == "basic");
  REQUIRE(suite.scenarios.size() == 2);
  const Scenario& one = suite.scenarios[0];
  CHECK(one.name == "one");
  CHECK(one.description == "the first");
  CHECK(one.dockerfile.filename() == "Dockerfile");
  CHECK(one.code_edit->append == "# edit {n}\n");
  CHECK(one.probe.ready_line == "ready");
  CHECK(one.probe.timeout == std::chrono::seconds(60));
  CHECK(one.supported_states().size() == 4);
  const Scenario& two = suite.scenarios[1];
  CHECK(two.build_args.at("A") == "1");
  CHECK(two.code_edit->append == "\n# buildbench edit {n}\n");
  CHECK_FALSE(two.deps_edit.has_value());
  CHECK(two.supported_states().size() == 3);
  CHECK(two.probe.command == std::vector<std::string>{"python", "-c", "print(1)"});
  REQUIRE(suite.claims.size() == 1);
  CHECK(suite.claims[0].relation == "less");
}

TEST_CASE("a directory stands for its suite.toml") {
  CHECK(load_suite(fixture_suite().parent_path()).name == "basic");
}

TEST_CASE("manifest errors name the file, the field and the fix") {
  SECTION("invalid TOML gives line and column") {
    auto e = error_of("name = \n");
    CHECK(e.find("x.toml:1:") != std::string::npos);
    CHECK(e.find("invalid TOML") != std::string::npos);
  }
  SECTION("missing field") {
    auto e = error_of("[[scenario]]\nname = \"a\"\n");
    CHECK(e.find("x.toml: field 'name': missing") != std::string::npos);
  }
  SECTION("wrong type") {
    auto e = error_of("name = 5\n");
    CHECK(e.find("field 'name': must be a string, not an integer") != std::string::npos);
  }
  SECTION("unknown key with a suggestion") {
    auto e = error_of(std::string(kHead) + "dockerfil = \"Dockerfile\"\n");
    CHECK(e.find("field 'scenario[0].dockerfil': unknown field; did you mean 'dockerfile'?") !=
          std::string::npos);
  }
  SECTION("no scenarios") {
    CHECK(error_of("name = \"s\"\n").find("add [[scenario]] tables") != std::string::npos);
  }
  SECTION("missing Dockerfile") {
    auto e = error_of(std::string(kHead) + "dockerfile = \"Nope.Dockerfile\"\n");
    CHECK(e.find("field 'scenario[0].dockerfile'") != std::string::npos);
    CHECK(e.find("does not exist") != std::string::npos);
  }
  SECTION("context that is not a directory") {
    auto e = error_of("name = \"s\"\n[[scenario]]\nname = \"a\"\ncontext = \"missing\"\n");
    CHECK(e.find("field 'scenario[0].context'") != std::string::npos);
  }
  SECTION("edit file escaping the context") {
    auto e = error_of(std::string(kHead) + "[scenario.edit.code]\nfile = \"../one/app.py\"\n");
    CHECK(e.find("field 'scenario[0].edit.code.file'") != std::string::npos);
    CHECK(e.find("escapes the build context") != std::string::npos);
  }
  SECTION("edit file that does not exist") {
    auto e = error_of(std::string(kHead) + "[scenario.edit.deps]\nfile = \"nope.txt\"\n");
    CHECK(e.find("does not exist in the build context") != std::string::npos);
  }
  SECTION("edit text without a counter would not change content") {
    auto e =
        error_of(std::string(kHead) + "[scenario.edit.code]\nfile = \"app.py\"\nappend = \"x\"\n");
    CHECK(e.find("field 'scenario[0].edit.code.append': must contain {n}") != std::string::npos);
  }
  SECTION("probe with a bad pattern, no pattern, or a bad timeout") {
    CHECK(error_of(std::string(kHead) + "[scenario.probe]\nready_line = \"(\"\n")
              .find("not a valid regular expression") != std::string::npos);
    CHECK(error_of(std::string(kHead) + "[scenario.probe]\ntimeout = \"5s\"\n")
              .find("needs ready_line") != std::string::npos);
    CHECK(
        error_of(std::string(kHead) + "[scenario.probe]\nready_line = \"x\"\ntimeout = \"soon\"\n")
            .find("field 'scenario[0].probe.timeout'") != std::string::npos);
  }
  SECTION("network outside the known set") {
    CHECK(error_of(std::string(kHead) + "network = \"bridge\"\n").find("default, host, none") !=
          std::string::npos);
  }
  SECTION("duplicate scenario names") {
    auto e = error_of(std::string(kHead) + "[[scenario]]\nname = \"two\"\ncontext = \"two\"\n");
    CHECK(e.find("appears twice") != std::string::npos);
  }
  SECTION("build arg value of the wrong type") {
    auto e = error_of(std::string(kHead) + "build_args = { N = 3 }\n");
    CHECK(e.find("field 'scenario[0].build_args.N': must be a string") != std::string::npos);
  }
  SECTION("{source} without --source") {
    auto e = error_of("name = \"s\"\n[[scenario]]\nname = \"a\"\ncontext = \"{source}/x\"\n");
    CHECK(e.find("pass the checkout it refers to with --source DIR") != std::string::npos);
  }
  SECTION("claims must name scenarios, metrics and states that exist") {
    std::string claim =
        "[[claim]]\nid = \"c\"\ntext = \"t\"\nsubject = \"two\"\nbaseline = \"two\"\n"
        "relation = \"less\"\n";
    CHECK(error_of(std::string(kHead) + claim + "metric = \"build_secs\"\n")
              .find("unknown metric 'build_secs', did you mean 'build_seconds'?") !=
          std::string::npos);
    CHECK(error_of(std::string(kHead) + claim + "metric = \"build_seconds\"\nstate = \"warm\"\n")
              .find("field 'claim[0].state'") != std::string::npos);
    std::string bad_subject =
        "[[claim]]\nid = \"c\"\ntext = \"t\"\nsubject = \"tw\"\nbaseline = "
        "\"two\"\nmetric = \"image_bytes\"\nrelation = \"less\"\n";
    CHECK(error_of(std::string(kHead) + bad_subject)
              .find("no scenario named 'tw' in this suite, did you mean 'two'?") !=
          std::string::npos);
  }
}

TEST_CASE("a missing suite file is a usage error naming it") {
  CHECK_THROWS_WITH(load_suite("/nonexistent/suite.toml"),
                    Catch::Contains("suite '/nonexistent/suite.toml' does not exist"));
}

TEST_CASE("the hermetic suite shipped with buildbench is valid") {
  Suite suite = load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/hermetic");
  CHECK(suite.scenarios.size() >= 2);
  for (const auto& scenario : suite.scenarios) {
    CHECK(scenario.code_edit.has_value());
    CHECK(scenario.deps_edit.has_value());
    CHECK(scenario.probe.defined());
  }
}

TEST_CASE("swap edits name files inside the context") {
  auto e = error_of(std::string(kHead) +
                    "[scenario.edit.deps]\nswap = { \"app.py\" = \"../one/app.py\" }\n");
  CHECK(e.find("field 'scenario[0].edit.deps.swap.app.py'") != std::string::npos);
  CHECK(e.find("escapes the build context") != std::string::npos);
}

TEST_CASE("a swap needs a file that can carry the edit's token") {
  fs::path dir = fs::temp_directory_path() / ("bb-swap-" + std::to_string(::getpid()));
  fs::create_directories(dir / "ctx/alt");
  std::ofstream(dir / "ctx/package-lock.json") << "{}";
  std::ofstream(dir / "ctx/alt/package-lock.json") << "{\"a\":1}";
  std::ofstream(dir / "ctx/.nonce") << "";
  std::ofstream(dir / "ctx/Dockerfile") << "FROM scratch\nCOPY package-lock.json .nonce /\n";
  auto load = [&](const std::string& edit) {
    std::ofstream(dir / "suite.toml")
        << "name = \"s\"\n[[scenario]]\nname = \"n\"\ncontext = \"ctx\"\n[scenario.edit.deps]\n"
           "swap = { \"package-lock.json\" = \"alt/package-lock.json\" }\n"
        << edit;
    try {
      return std::string(load_suite(dir / "suite.toml").scenarios[0].deps_edit->file);
    } catch (const UsageError& error) {
      return std::string(error.what());
    }
  };
  auto refused = load("");
  CHECK(refused.find("field 'scenario[0].edit.deps.swap'") != std::string::npos);
  CHECK(refused.find("none of the swapped files takes a comment") != std::string::npos);
  CHECK(load("file = \".nonce\"\nappend = \"{n}\"\n") == ".nonce");
  fs::remove_all(dir);
}

TEST_CASE("a swap edit whose alternative is identical is refused") {
  auto e =
      error_of(std::string(kHead) + "[scenario.edit.deps]\nswap = { \"app.py\" = \"app.py\" }\n");
  CHECK(e.find("have the same content, so the edit would change nothing") != std::string::npos);
}

TEST_CASE("the published suite: every path and field checks out against a tree of its layout") {
  ManifestVars vars;
  vars.source = fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/published-tree";
  Suite suite = load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/published", vars);
  REQUIRE(suite.scenarios.size() == 9);
  CHECK(suite.scenarios.front().name == "step-1-kiss-requirements");
  CHECK(suite.scenarios.back().name == "final");
  for (const auto& scenario : suite.scenarios) {
    INFO(scenario.name);
    CHECK(scenario.context == *vars.source / scenario.name);
    CHECK(scenario.network == "default");  // pulls from Docker Hub and PyPI
    CHECK(scenario.code_edit.has_value());
    CHECK(scenario.deps_edit.has_value());
    CHECK(scenario.probe.ready_line == "Application startup complete");
  }
  CHECK(suite.claims.size() == 11);
  // Without --source, or with a tree missing a step, the error names the field and the fix.
  CHECK_THROWS_WITH(load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/published"),
                    Catch::Contains("pass the checkout it refers to with --source DIR"));
  vars.source = fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures";
  CHECK_THROWS_WITH(load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/published", vars),
                    Catch::Contains("field 'scenario[0].context'"));
}

TEST_CASE("a claim's delta is a percent, and a bad one names the file, the claim and the field") {
  std::string claim =
      "[[claim]]\nid = \"slim\"\ntext = \"t\"\nsubject = \"two\"\nbaseline = \"two\"\n"
      "relation = \"less\"\nmetric = \"build_seconds\"\n";
  CHECK_FALSE(parse(std::string(kHead) + claim).claims[0].delta_percent.has_value());
  CHECK(parse(std::string(kHead) + claim + "delta = \"2.5%\"\n").claims[0].delta_percent == 2.5);
  CHECK(parse(std::string(kHead) + claim + "delta = 4\n").claims[0].delta_percent == 4.0);
  CHECK(parse(std::string(kHead) + claim + "delta = 0.5\n").claims[0].delta_percent == 0.5);
  auto e = error_of(std::string(kHead) + claim + "delta = -3\n");
  CHECK(e.find("x.toml: field 'claim[0].delta': claim 'slim': -3% is negative") !=
        std::string::npos);
  CHECK(e.find("e.g. delta = \"3%\"") != std::string::npos);
  CHECK(error_of(std::string(kHead) + claim + "delta = \"abc\"\n")
            .find("field 'claim[0].delta': claim 'slim': 'abc' is not a number") !=
        std::string::npos);
  CHECK(error_of(std::string(kHead) + claim + "delta = \"20ms\"\n")
            .find("'20ms' has the unit 'ms', but delta is relative") != std::string::npos);
  CHECK(error_of(std::string(kHead) + claim + "delta = true\n")
            .find("must be a number or a string like \"3%\", not") != std::string::npos);
  CHECK(
      error_of(std::string(kHead) + claim + "delta = \"150%\"\n").find("150% is not below 100%") !=
      std::string::npos);
}

TEST_CASE("a suite's fidelity checks: what to read off which image, and what claims need") {
  std::string claim =
      "[[claim]]\nid = \"c\"\ntext = \"t\"\nsubject = \"two\"\nbaseline = \"two\"\n"
      "metric = \"image_bytes\"\nrelation = \"less\"\n";
  std::string check =
      "[[fidelity]]\nproperty = \"pip\"\nimage = \"python:3.11\"\nofficial = \"24.0\"\n"
      "source = \"ensurepip\"\n";
  Suite suite = parse(std::string(kHead) + claim + check +
                      "command = [\"python3\", \"-c\", \"import pip\"]\nneeds = \"at least "
                      "23.1\"\nclaims = [\"c\"]\n" +
                      "[[fidelity]]\nproperty = \"poetry\"\nread = \"stated\"\nlab = \"1.3.2\"\n"
                      "official = \"1.7.0\"\nsource = \"tutorial\"\n");
  REQUIRE(suite.fidelity.size() == 2);
  CHECK(suite.fidelity[0].command == std::vector<std::string>{"python3", "-c", "import pip"});
  CHECK(suite.fidelity[0].read == "output");
  CHECK(suite.fidelity[0].needs == "at least 23.1");
  CHECK(suite.fidelity[0].claims == std::vector<std::string>{"c"});
  CHECK(suite.fidelity[1].lab == "1.3.2");
  CHECK(suite.fidelity[1].image.empty());

  std::string head = std::string(kHead) + claim + check;
  CHECK(error_of(head).find("field 'fidelity[0].command'") != std::string::npos);
  CHECK(error_of(head + "read = \"layers\"\n").find("field 'fidelity[0].read'") !=
        std::string::npos);
  CHECK(
      error_of(head + "read = \"compressed-size\"\ncommand = [\"x\"]\n").find("drop the command") !=
      std::string::npos);
  CHECK(
      error_of(head + "command = [\"x\"]\nneeds = \"newer\"\n").find("field 'fidelity[0].needs'") !=
      std::string::npos);
  CHECK(error_of(head + "command = [\"x\"]\nneeds = \"yes\"\n").find("go with read = ") !=
        std::string::npos);
  CHECK(error_of(head + "command = [\"x\"]\nclaims = [\"d\"]\n").find("no claim has the id 'd'") !=
        std::string::npos);
  CHECK(error_of(head + "command = [\"x\"]\nlab = \"1\"\n").find("field 'fidelity[0].lab'") !=
        std::string::npos);
}

TEST_CASE("the hermetic suite's fidelity checks parse and name its own claims") {
  Suite suite = load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/hermetic/suite.toml");
  CHECK(suite.fidelity.size() >= 10);
  // extra-1's "even faster": the developer's machine, CI with a registry cache, a fresh runner.
  std::vector<std::string> states;
  for (const auto& claim : suite.claims) {
    if (claim.id != "extra-1-faster-dependency-rebuild") continue;
    states.push_back(claim.state);
    CHECK_FALSE(claim.why.empty());
  }
  CHECK(states == std::vector<std::string>{"warm-deps", "ci-registry-deps", "cold-pull"});
}

TEST_CASE("a claim of several states is one claim per state, each with its setting and why") {
  std::string claim =
      "[[claim]]\nid = \"fast\"\ntext = \"t\"\nsubject = \"two\"\nbaseline = \"two\"\n"
      "metric = \"build_seconds\"\nrelation = \"less\"\n";
  Suite suite = parse(std::string(kHead) + claim +
                      "states = [\"warm-deps\", \"ci-registry-deps\", \"cold-pull\"]\n"
                      "why = { \"ci-registry-deps\" = \"the cache mount is not exported\" }\n");
  REQUIRE(suite.claims.size() == 3);
  CHECK(suite.claims[0].state == "warm-deps");
  CHECK(suite.claims[1].state == "ci-registry-deps");
  CHECK(suite.claims[2].state == "cold-pull");
  for (const auto& c : suite.claims) CHECK(c.id == "fast");
  CHECK(suite.claims[0].setting == "on the developer's machine");   // the state's default
  CHECK(suite.claims[1].why == "the cache mount is not exported");  // the suite's words
  CHECK(suite.claims[2].setting == "on a fresh runner");
  CHECK_FALSE(suite.claims[2].why.empty());
  // `state = "..."` still names one: no setting, the row reads as before.
  Suite one = parse(std::string(kHead) + claim + "state = \"warm-deps\"\n");
  REQUIRE(one.claims.size() == 1);
  CHECK(one.claims[0].state == "warm-deps");
  CHECK(one.claims[0].setting.empty());
}

TEST_CASE(
    "a claim's states: an unknown or repeated one names the file, the claim, the field "
    "and the fix") {
  std::string claim =
      "[[claim]]\nid = \"fast\"\ntext = \"t\"\nsubject = \"two\"\nbaseline = \"two\"\n"
      "metric = \"build_seconds\"\nrelation = \"less\"\n";
  auto e = error_of(std::string(kHead) + claim + "states = [\"warm-deps\", \"cold-pul\"]\n");
  CHECK(e.find("x.toml: field 'claim[0].states': claim 'fast': unknown state 'cold-pul'") !=
        std::string::npos);
  CHECK(e.find("did you mean 'cold-pull'") != std::string::npos);
  CHECK(error_of(std::string(kHead) + claim + "states = [\"cold\", \"cold\"]\n")
            .find("names 'cold' twice") != std::string::npos);
  CHECK(error_of(std::string(kHead) + claim + "states = []\n").find("names no state") !=
        std::string::npos);
  CHECK(error_of(std::string(kHead) + claim + "state = \"cold\"\nstates = [\"cold\"]\n")
            .find("both `state` and `states`") != std::string::npos);
  CHECK(error_of(std::string(kHead) + claim +
                 "states = [\"cold\"]\nwhy = { \"warm-deps\" = \"x\" }\n")
            .find("field 'claim[0].why.warm-deps': claim 'fast' does not name the state") !=
        std::string::npos);
}

TEST_CASE("a scenario's opt_in names opt-in states it can be built in, each once") {
  Suite suite = parse(std::string(kHead) + "opt_in = [\"cold-pull\"]\n");
  CHECK(suite.scenarios.at(0).opt_in == std::vector<CacheState>{CacheState::kColdPull});
  auto e = error_of(std::string(kHead) + "opt_in = [\"cold-pul\"]\n");
  CHECK(e.find("field 'scenario[0].opt_in': 'cold-pul' is not an opt-in state, did you mean "
               "'cold-pull'?") != std::string::npos);
  e = error_of(std::string(kHead) + "opt_in = [\"warm-code\"]\n");
  CHECK(e.find("'warm-code' is not an opt-in state") != std::string::npos);
  CHECK(e.find("the default states are measured anyway") != std::string::npos);
  e = error_of(std::string(kHead) + "opt_in = [\"ci-registry\"]\n");  // no [edit.code]
  CHECK(e.find("'ci-registry' rebuilds after a code edit ([edit.code]); add it or remove the "
               "state") != std::string::npos);
  e = error_of(std::string(kHead) + "opt_in = [\"cold-pull\", \"cold-pull\"]\n");
  CHECK(e.find("'cold-pull' is listed twice") != std::string::npos);
}

TEST_CASE("the hermetic suite's single-stage endings opt in to a fresh runner's cold build") {
  Suite suite = load_suite(fs::path(BUILDBENCH_SOURCE_DIR) / "scenarios/hermetic");
  for (const char* name : {"extra-2-pre-commit", "final"}) {
    const Scenario* scenario = suite.find(name);
    REQUIRE(scenario);
    CHECK(scenario->opt_in == std::vector<CacheState>{CacheState::kColdPull});
  }
}
