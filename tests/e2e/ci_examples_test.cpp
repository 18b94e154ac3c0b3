// The example CI workflows parse as YAML and use only flags buildbench really has.
#include <filesystem>
#include <regex>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "e2e/helpers.hpp"

using namespace bb;
using namespace bb::e2e;

TEST_CASE("example workflows parse as YAML and reference real flags") {
  auto folder = source_dir() / "ci-examples/github";
  int commands = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    INFO(entry.path());
    // Debian's python3-yaml turns the workflow into JSON: a YAML error fails here.
    ProcessOptions options;
    options.argv = {"/usr/bin/python3", "-c",
                    "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                    entry.path().string()};
    auto parsed = run_process(options);
    REQUIRE(parsed.exit_code == 0);
    auto workflow = nlohmann::json::parse(parsed.out);
    REQUIRE(workflow.contains("jobs"));
    for (const auto& [name, job] : workflow["jobs"].items()) {
      for (const auto& step : job["steps"]) {
        if (!step.contains("run")) continue;
        std::string run = step["run"];
        std::smatch m;
        std::string subcommand;
        if (std::regex_search(run, m, std::regex(R"(buildbench (\w[\w-]*))"))) {
          subcommand = m[1];
        } else if (run.find("scripts/ci-compare") != std::string::npos) {
          // ci-compare passes its flags to buildbench ab, or to run with --stored; its own
          // flags (--base, --stored) are not passed on.
          subcommand = run.find("--stored") != std::string::npos ? "run" : "ab";
          run = std::regex_replace(run, std::regex(R"(--(base|stored) \S+)"), "");
        } else {
          // Other steps: every script they name is in the repository.
          std::regex script(R"(scripts/[\w-]+)");
          for (auto it = std::sregex_iterator(run.begin(), run.end(), script);
               it != std::sregex_iterator(); ++it) {
            CHECK(std::filesystem::exists(source_dir() / it->str()));
          }
          continue;
        }
        ++commands;
        auto help = buildbench({subcommand, "--help"});
        REQUIRE(help.exit_code == 0);
        std::regex flag(R"(--[a-z][a-z-]*)");
        for (auto it = std::sregex_iterator(run.begin(), run.end(), flag);
             it != std::sregex_iterator(); ++it) {
          INFO(subcommand << " " << it->str());
          CHECK(help.out.find(it->str()) != std::string::npos);
        }
      }
    }
  }
  CHECK(commands == 2);
}
