// Start-up measurement against the real engine.
#include <algorithm>

#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"
#include "model/metrics.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;

namespace {
double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  auto n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}
}  // namespace

TEST_CASE("start-up: compiling every module (none) is slower than reading .pyc (bytecode)") {
  TempDb db;
  auto suite = (source_dir() / "tests/fixtures/suites/e2e").string();
  auto result =
      buildbench({"run", "--suite", suite, "--scenario", "small", "--scenario", "sleepy", "--state",
                  "cold", "--runs", "1", "--startup-runs", "7", "--db", db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  Store store(db.path, Store::Mode::kReadOnly);
  std::map<std::string, std::vector<double>> raw, net, inside, compiled, from_pyc;
  int sleepy_failed = 0;
  for (const auto& stored : store.samples(store.select_runs("latest"))) {
    const Sample& s = stored.sample;
    if (s.kind != "startup") continue;
    if (s.scenario == "sleepy") {
      CHECK(s.status == "failed");
      CHECK(s.error.find("booting") != std::string::npos);  // the last lines of its output
      CHECK(s.error.find("not ready after") != std::string::npos);
      ++sleepy_failed;
      continue;
    }
    REQUIRE(s.status == "ok");
    raw[s.state].push_back(*s.get(kStartupSeconds));
    net[s.state].push_back(*s.get(kStartupNetSeconds));
    inside[s.state].push_back(*s.get(kInterpreterReadySeconds));
    compiled[s.state].push_back(*s.get(kModulesCompiled));
    from_pyc[s.state].push_back(*s.get(kModulesFromPyc));
  }
  CHECK(sleepy_failed == 14);
  REQUIRE(raw["bytecode"].size() == 7);
  REQUIRE(raw["none"].size() == 7);
  CHECK(median(raw["none"]) > median(raw["bytecode"]));
  CHECK(median(net["none"]) > median(net["bytecode"]));
  CHECK(median(inside["none"]) > median(inside["bytecode"]));
  // The image compiled its standard library: with bytecode almost nothing is compiled,
  // without it every module is.
  CHECK(median(compiled["bytecode"]) <= 2);
  CHECK(median(from_pyc["bytecode"]) > 50);
  CHECK(median(from_pyc["none"]) == 0);
  CHECK(median(compiled["none"]) > 50);

  // No container is left behind.
  auto left = bb::run_checked({"docker", "ps", "-aq", "--filter", "name=buildbench-run"});
  CHECK(left.empty());
}
