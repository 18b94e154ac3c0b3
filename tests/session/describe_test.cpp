#include "session/describe.hpp"

#include <catch2/catch.hpp>

#include "scenario/input_digests.hpp"
#include "session_fixture.hpp"
#include "util/error.hpp"

using namespace bb;

TEST_CASE("describe: build args get the served index's URL, and need an index to name it") {
  Scenario scenario;
  scenario.manifest = "suite.toml";
  scenario.build_args = {
      {"PIP_INDEX_URL", "{index_url}"}, {"EXTRA", "x {index_url} {index_url}"}, {"PLAIN", "1"}};
  CHECK_THROWS_WITH(build_args_for(scenario, nullptr),
                    Catch::Contains("suite.toml") && Catch::Contains("add index = \"DIR\""));
  scenario.build_args.erase("PIP_INDEX_URL");
  scenario.build_args.erase("EXTRA");
  CHECK(build_args_for(scenario, nullptr) == std::map<std::string, std::string>{{"PLAIN", "1"}});
}

TEST_CASE("describe: a scenario's record keeps build-arg names, never their values") {
  Scenario scenario;
  scenario.name = "final";
  scenario.build_args = {{"TOKEN", "s3cret"}};
  auto json = describe_scenario(scenario);
  CHECK(json["name"] == "final");
  CHECK(json["build_arg_names"] == nlohmann::json::array({"TOKEN"}));
  CHECK(json.dump().find("s3cret") == std::string::npos);
}

TEST_CASE("describe: an unmeasured sample says why, with the time it was given up") {
  auto sample = unmeasured("final", SampleKind::kStartup, "as-built", 3, false,
                           SampleStatus::kFailed, "no image to start");
  CHECK(sample.kind == SampleKind::kStartup);
  CHECK(sample.status == SampleStatus::kFailed);
  CHECK(sample.repetition == 3);
  CHECK(sample.error == "no image to start");
  CHECK_FALSE(sample.started_at.empty());
  CHECK(sample.metrics.empty());
}

TEST_CASE("describe: a run records each scenario's Dockerfile and context digest") {
  bb::testing::FakeDockerEngine engine;
  Progress progress{stderr, false, true};
  Suite suite = bb::testing::basic_suite();
  RunRecord record = describe_run(engine, progress, suite, RunOptions{});
  const auto& inputs = record.fingerprint["inputs"];
  REQUIRE(inputs["scenarios"].size() == suite.scenarios.size());
  for (const auto& scenario : suite.scenarios) {
    INFO(scenario.name);
    const auto& fact = inputs["scenarios"][scenario.name];
    CHECK(fact["dockerfile"] == file_digest(scenario.dockerfile).value());
    CHECK(fact["context"] == context_digest(scenario.context, scenario.dockerfile));
  }
  CHECK(inputs["scenarios"]["one"]["context"] != inputs["scenarios"]["two"]["context"]);
  CHECK_FALSE(inputs.contains("package_index"));  // the suite names no index
}

TEST_CASE("describe: each base image's Python, pip, setuptools and wheel are read off it") {
  bb::testing::FakeDockerEngine engine;
  Progress progress{stderr, false, true};
  Suite suite = load_suite(std::filesystem::path(BUILDBENCH_SOURCE_DIR) / "scenarios/hermetic");
  RunRecord first = describe_run(engine, progress, suite, RunOptions{});
  const auto& bases = first.fingerprint["base_images"];
  REQUIRE(bases.contains("python:3.11"));
  // Not a Python image (no python3 in it): the reason is kept, no versions are made up.
  CHECK(bases["python:3.11"]["tools"]["error"].get<std::string>().find("exited 127") !=
        std::string::npos);
  CHECK_FALSE(bases["python:3.11"]["tools"].contains("pip"));

  engine.run_once_output["python:3.11"] =
      R"({"python": "3.11.2", "pip": "25.1.1", "setuptools": "66.1.1", "wheel": null})";
  RunRecord second = describe_run(engine, progress, suite, RunOptions{});
  const auto& tools = second.fingerprint["base_images"]["python:3.11"]["tools"];
  CHECK(tools["python"] == "3.11.2");
  CHECK(tools["pip"] == "25.1.1");
  CHECK(tools["setuptools"] == "66.1.1");
  CHECK(tools["wheel"].is_null());
}

TEST_CASE("describe: the suite's fidelity checks are read off the images, failures kept") {
  bb::testing::FakeDockerEngine engine;
  Progress progress{stderr, false, true};
  Suite suite = load_suite(std::filesystem::path(BUILDBENCH_SOURCE_DIR) / "scenarios/hermetic");
  engine.run_once_output["python:3.11"] = "noise\n25.1.1\n";  // python:3.11-slim has none
  RunRecord record = describe_run(engine, progress, suite, RunOptions{});
  const auto& facts = record.fingerprint["fidelity"];
  auto fact = [&](const std::string& property) {
    for (const auto& f : facts)
      if (f["property"] == property) return f;
    return nlohmann::json();
  };
  std::size_t stated = 0;
  for (const auto& check : suite.fidelity) stated += check.read == "stated";
  CHECK(facts.size() == suite.fidelity.size() - stated);         // stated ones are not read
  CHECK(fact(suite.fidelity[0].property)["value"] == "25.1.1");  // the last line printed
  CHECK(fact("pip of the -slim export stage")["error"].get<std::string>().find("exited 127") !=
        std::string::npos);
  CHECK(fact("a C compiler in the full image (psycopg2 builds from source)")["value"] == "yes");
  CHECK(fact("no C compiler in -slim (the series' -slim step 6 must install build-essential)")
            ["value"] == "no");
  CHECK(fact("compressed size of the full base image")["value"].is_string());
}
