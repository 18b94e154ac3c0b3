// `buildbench run --budget` against the real Docker engine: the run ends within its budget plus
// one build, complete, with the groups it cut short stored and named.
#include <algorithm>
#include <chrono>

#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"
#include "model/metrics.hpp"
#include "store/store.hpp"
#include "util/text.hpp"

using namespace bb;
using namespace bb::e2e;

TEST_CASE("run --budget: a 40-second budget ends within it plus one build, short groups named") {
  TempDb db;
  auto suite = (source_dir() / "tests/fixtures/suites/e2e").string();
  auto started = std::chrono::steady_clock::now();
  // +-0.5% in up to 30 runs, with no +-20 ms floor: more than 40 s of small's builds can give
  // (with the floor, an idle machine's warm-code and cold groups stop within it).
  auto result = buildbench({"run",
                            "--suite",
                            suite,
                            "--scenario",
                            "small",
                            "--state",
                            "cold",
                            "--state",
                            "warm-code",
                            "--precision",
                            "0.5",
                            "--precision-floor",
                            "0",
                            "--min-runs",
                            "3",
                            "--max-runs",
                            "30",
                            "--startup-runs",
                            "0",
                            "--budget",
                            "40s",
                            "--db",
                            db.path.string()});
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::int64_t run_id = std::stoll(result.out);
  CHECK(result.err.find("buildbench: budget spent: ") != std::string::npos);
  CHECK(result.err.find("  small cold: ") != std::string::npos);

  Store store(db.path, Store::Mode::kReadOnly);
  auto run = store.run(run_id);
  REQUIRE(run);
  CHECK(run->status == "complete");
  REQUIRE_FALSE(run->short_of_target.empty());
  auto samples = store.samples({run_id}, false);
  double first = 1e300, last = 0, slowest = 0;
  for (const auto& s : samples) {
    auto at = parse_rfc3339(s.sample.started_at);
    REQUIRE(at);
    first = std::min(first, *at);
    last = std::max(last, *at);
    if (auto seconds = s.sample.get(kBuildSeconds)) slowest = std::max(slowest, *seconds);
  }
  for (const auto& group : run->short_of_target) {
    INFO(to_string(group.group));
    CHECK(group.runs >= 3);  // the minimums fit in 40 s of small's builds
    CHECK(group.wanted > group.runs);
  }
  // No visit started once the budget was spent (it counts from before the first sample). A
  // sample's start is its timed build's, after the visit's edit and untimed priming: a visit
  // admitted at 39.9 s stamps its build a little later (40.0 s in a loaded CI run).
  CHECK(last - first < 40 + slowest);
  // The process: the budget, one build past it (with its prune and priming), and the set-up
  // before the session (fingerprint, network) and after it.
  CHECK(wall < 40 + 3 * slowest + 30);
}
