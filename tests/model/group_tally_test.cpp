#include "model/group_tally.hpp"

#include <catch2/catch.hpp>

#include "model/metrics.hpp"

using namespace bb;

TEST_CASE("a tally counts attempts and good values per group") {
  GroupTally tally;
  GroupTally::Key key{"final", SampleKind::kBuild, "cold"};
  tally.add(key, true, 9.1);
  tally.add(key, false, 0);
  CHECK(tally.attempts(key) == 2);
  CHECK(tally.values(key) == std::vector<double>{9.1});
  CHECK(tally.attempts({"other", SampleKind::kBuild, "cold"}) == 0);
}

TEST_CASE("a group is judged on build time or ready time, never on a failed sample") {
  Sample build;
  build.set(kBuildSeconds, 12.5);
  CHECK(figure_of(build) == 12.5);
  build.status = SampleStatus::kFailed;
  CHECK_FALSE(figure_of(build));
  Sample startup;
  startup.kind = SampleKind::kStartup;
  startup.set(kStartupSeconds, 0.9);
  CHECK(figure_of(startup) == 0.9);  // a run before ready_seconds
  startup.set(kReadySeconds, 0.7);
  CHECK(figure_of(startup) == 0.7);
  Sample zero;
  zero.set(kBuildSeconds, 0);
  CHECK_FALSE(figure_of(zero));
}
