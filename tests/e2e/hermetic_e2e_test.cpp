// The hermetic tutorial suite: every scenario builds offline, starts, and answers GET /.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "docker/cli_engine.hpp"
#include "e2e/helpers.hpp"
#include "model/metrics.hpp"
#include "scenario/manifest.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;

TEST_CASE("hermetic suite: every step builds, starts and answers GET / with its name") {
  TempDb db;
  auto suite_path = source_dir() / "scenarios/hermetic";
  auto result = buildbench({"run", "--suite", suite_path.string(), "--state", "cold", "--runs", "1",
                            "--startup-runs", "1", "--db", db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  Suite suite = load_suite(suite_path);
  Store store(db.path, Store::Mode::kReadOnly);
  std::map<std::string, std::string> image_of;
  std::map<std::string, int> startup_ok;
  for (const auto& stored : store.samples(store.select_runs("latest"))) {
    const Sample& s = stored.sample;
    INFO(s.scenario << " " << to_string(s.kind) << " " << s.state << ": " << s.error);
    CHECK(s.status == SampleStatus::kOk);
    if (s.kind == SampleKind::kBuild) image_of[s.scenario] = s.image_id;
    if (s.kind == SampleKind::kStartup && s.status == SampleStatus::kOk) ++startup_ok[s.scenario];
  }
  REQUIRE(image_of.size() == suite.scenarios.size());

  CliDockerEngine engine;
  for (const auto& scenario : suite.scenarios) {
    INFO(scenario.name);
    CHECK(startup_ok[scenario.name] == 2);  // as-built and no-bytecode
    ContainerSpec spec;
    spec.image = image_of[scenario.name];
    spec.env = {{"WORKERS", "1"}, {"HOST", "127.0.0.1"}};
    auto created = engine.create_container(spec);
    REQUIRE(created.ok);
    StartWatch watch;
    watch.ready_line = scenario.probe.ready_line;
    auto started = engine.start_until_ready(created.id, watch);  // leaves it running
    CHECK(started.ready);
    auto [code, body] = engine.exec(
        created.id, {"python", "-c",
                     "import urllib.request; "
                     "print(urllib.request.urlopen('http://127.0.0.1:8000/').read().decode())"});
    engine.remove_container(created.id);
    REQUIRE(code == 0);
    auto json = nlohmann::json::parse(body, nullptr, false);
    REQUIRE_FALSE(json.is_discarded());
    CHECK(json["variant"] == scenario.name);
  }
}
