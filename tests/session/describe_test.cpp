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
