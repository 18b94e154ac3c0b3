// The example CI workflows parse as YAML and use only flags buildbench really has.
#include <filesystem>
#include <regex>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "e2e/helpers.hpp"

using namespace bb;
using namespace bb::e2e;

namespace {

// Debian's python3-yaml turns the workflow into JSON: a YAML error fails here.
nlohmann::json parse_workflow(const std::filesystem::path& file) {
  ProcessOptions options;
  options.argv = {"/usr/bin/python3", "-c",
                  "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                  file.string()};
  auto parsed = run_process(options);
  REQUIRE(parsed.exit_code == 0);
  return nlohmann::json::parse(parsed.out);
}

// The first step of `job` that uses `action` (e.g. "actions/cache/restore"), or null.
nlohmann::json step_using(const nlohmann::json& job, const std::string& action) {
  for (const auto& step : job["steps"]) {
    if (step.contains("uses") && step["uses"].get<std::string>().rfind(action + "@", 0) == 0)
      return step;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("example workflows parse as YAML and reference real flags") {
  auto folder = source_dir() / "ci-examples/github";
  int commands = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    INFO(entry.path());
    auto workflow = parse_workflow(entry.path());
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
  CHECK(commands == 5);
}

TEST_CASE("the nightly example runs on a hosted runner, its history carried in the cache") {
  auto workflow = parse_workflow(source_dir() / "ci-examples/github/nightly.yml");
  const auto& job = workflow["jobs"]["nightly"];
  CHECK(job["runs-on"] == "ubuntu-latest");
  // Last night's commit is checked out beside tonight's: the whole history must be there.
  auto checkout = step_using(job, "actions/checkout");
  REQUIRE(checkout.is_object());
  CHECK(checkout["with"]["fetch-depth"] == 0);
  // Cache keys are immutable: each night saves under its own key, and restores the newest
  // by prefix; saving happens even when the nightly exits 1.
  auto restore = step_using(job, "actions/cache/restore");
  auto save = step_using(job, "actions/cache/save");
  REQUIRE(restore.is_object());
  REQUIRE(save.is_object());
  std::string key = restore["with"]["key"];
  CHECK(key.find("${{ github.run_id }}") != std::string::npos);
  CHECK(save["with"]["key"] == key);
  std::string prefix = restore["with"]["restore-keys"];
  CHECK(key.rfind(prefix, 0) == 0);
  CHECK(save["if"] == "always()");
  // The database the nightly writes is in the folder the cache carries.
  std::string folder = restore["with"]["path"];
  CHECK(save["with"]["path"] == folder);
  bool nightly_step = false;
  for (const auto& step : job["steps"]) {
    if (!step.contains("run")) continue;
    std::string run = step["run"];
    if (run.find("buildbench nightly") == std::string::npos) continue;
    nightly_step = true;
    CHECK(run.find("--db " + folder) != std::string::npos);
  }
  CHECK(nightly_step);
  // The report is kept whatever the verdict.
  auto upload = step_using(job, "actions/upload-artifact");
  REQUIRE(upload.is_object());
  CHECK(upload["if"] == "always()");
  CHECK(upload["with"]["path"].get<std::string>().find("reports/") != std::string::npos);
}

TEST_CASE("the fleet example splits the suite over its matrix into one database, then one page") {
  auto file = source_dir() / "ci-examples/github/fleet.yml";
  auto workflow = parse_workflow(file);
  const auto& measure = workflow["jobs"]["measure"];
  const auto& shards = measure["strategy"]["matrix"]["shard"];
  REQUIRE(shards.is_array());
  std::size_t count = shards.size();
  for (std::size_t k = 0; k < count; ++k) CHECK(shards[k] == k + 1);  // 1..N, each once
  CHECK(measure["strategy"]["fail-fast"] == false);
  std::string fleet = "/" + std::to_string(count);
  std::string label, page_label;
  for (const auto& step : measure["steps"]) {
    if (!step.contains("run")) continue;
    std::string run = step["run"];
    if (run.find("buildbench run") == std::string::npos) continue;
    CHECK(run.find("--shard ${{ matrix.shard }}" + fleet) != std::string::npos);
    std::smatch m;
    REQUIRE(std::regex_search(run, m, std::regex(R"(--label (\S+))")));
    label = m[1];
  }
  const auto& page = workflow["jobs"]["page"];
  CHECK(page["needs"] == "measure");
  CHECK(page["if"] == "always()");
  for (const auto& step : page["steps"]) {
    if (!step.contains("run")) continue;
    std::string run = step["run"];
    std::smatch m;
    if (std::regex_search(run, m, std::regex(R"(buildbench report --run (\S+))")))
      page_label = m[1];
  }
  CHECK_FALSE(label.empty());
  CHECK(page_label == label);  // the page is of this fleet's shards
  // One database, its password from a file on the runner: no secret, none in the URL.
  std::string db = workflow["env"]["BUILDBENCH_DB"];
  CHECK(db.rfind("postgresql://", 0) == 0);
  auto at = db.find('@');
  REQUIRE(at != std::string::npos);
  CHECK(db.substr(0, at).find(':', std::string("postgresql:").size()) == std::string::npos);
  CHECK((workflow["env"].contains("PGPASSFILE") || workflow["env"].contains("PGSERVICEFILE")));
  auto text = parse_workflow(file).dump();
  CHECK(text.find("secrets.") == std::string::npos);
}
