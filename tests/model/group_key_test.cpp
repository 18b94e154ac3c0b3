// The one key of a group and of a metric within it: its order and its printed form.
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "model/group_key.hpp"

using namespace bb;

TEST_CASE("group key: ordered by scenario, then state, then kind") {
  GroupKey a_cold{"a", SampleKind::kBuild, "cold"};
  GroupKey a_as_built{"a", SampleKind::kStartup, "as-built"};
  GroupKey a_warm{"a", SampleKind::kBuild, "warm-code"};
  GroupKey b_cold{"b", SampleKind::kBuild, "cold"};
  std::set<GroupKey> keys = {b_cold, a_warm, a_cold, a_as_built};
  // A scenario's groups by state name, start-ups among them (the page's data files list so).
  CHECK(std::vector<GroupKey>(keys.begin(), keys.end()) ==
        std::vector<GroupKey>{a_as_built, a_cold, a_warm, b_cold});
}

TEST_CASE("group key: the kind keeps a start-up mode named like a cache state apart") {
  GroupKey build{"a", SampleKind::kBuild, "cold"}, startup{"a", SampleKind::kStartup, "cold"};
  CHECK_FALSE(build == startup);
  CHECK(build < startup);
  CHECK_FALSE(startup < build);
  std::map<GroupKey, int> counts;
  ++counts[build];
  ++counts[startup];
  ++counts[GroupKey{"a", SampleKind::kBuild, "cold"}];
  CHECK(counts.size() == 2);
  CHECK(counts[build] == 2);
}

TEST_CASE("group key: taken from a sample") {
  Sample s;
  s.scenario = "step-4";
  s.kind = SampleKind::kStartup;
  s.state = "no-bytecode";
  CHECK(GroupKey::of(s) == GroupKey{"step-4", SampleKind::kStartup, "no-bytecode"});
}

TEST_CASE("metric key: ordered by group, then metric") {
  MetricKey a{{"a", SampleKind::kBuild, "cold"}, "image_bytes"};
  MetricKey b{{"a", SampleKind::kBuild, "cold"}, "build_seconds"};
  MetricKey c{{"a", SampleKind::kBuild, "warm-code"}, "build_seconds"};
  CHECK(b < a);
  CHECK(a < c);
  CHECK(a == MetricKey{{"a", SampleKind::kBuild, "cold"}, "image_bytes"});
  CHECK_FALSE(a == b);
}

TEST_CASE("group and metric key: one printable form, control characters escaped") {
  GroupKey key{"step-2", SampleKind::kBuild, "warm-code"};
  CHECK(to_string(key) == "step-2 warm-code");
  CHECK(to_string(MetricKey{key, "build_seconds"}) == "step-2 warm-code build_seconds");
  CHECK(to_string(GroupKey{"a\nb", SampleKind::kStartup, "as-built"}) == "a\\nb as-built");
}
