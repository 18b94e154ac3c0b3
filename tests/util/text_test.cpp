#include "util/text.hpp"

#include <catch2/catch.hpp>

using namespace bb;

TEST_CASE("edit distance counts insertions, deletions and substitutions") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("dockerfile", "dockerfiel") == 2);
  CHECK(edit_distance("abc", "") == 3);
}

TEST_CASE("did you mean suggests only near candidates") {
  std::vector<std::string> keys = {"dockerfile", "context", "target", "build_args"};
  CHECK(did_you_mean("dockerfiel", keys) == std::optional<std::string>("dockerfile"));
  CHECK(did_you_mean("buildargs", keys) == std::optional<std::string>("build_args"));
  CHECK_FALSE(did_you_mean("zzzzzzzz", keys).has_value());
  CHECK(did_you_mean_suffix("contxt", keys) == ", did you mean 'context'?");
}

TEST_CASE("durations accept plain seconds and units") {
  CHECK(parse_duration("90")->count() == 90000);
  CHECK(parse_duration("1.5s")->count() == 1500);
  CHECK(parse_duration("250ms")->count() == 250);
  CHECK(parse_duration("5m")->count() == 300000);
  CHECK(parse_duration("1h")->count() == 3600000);
  CHECK_FALSE(parse_duration("soon").has_value());
  CHECK_FALSE(parse_duration("-1s").has_value());
  CHECK_FALSE(parse_duration("10 parsecs").has_value());
}

TEST_CASE("durations add up parts of a number and its unit") {
  CHECK(parse_duration("1h30m")->count() == 5400000);
  CHECK(parse_duration("1m30s")->count() == 90000);
  CHECK(parse_duration("2m500ms")->count() == 120500);
  CHECK_FALSE(parse_duration("1m30").has_value());  // a bare number only alone
  CHECK_FALSE(parse_duration("1h-30m").has_value());
  CHECK_FALSE(parse_duration("").has_value());
  CHECK_FALSE(parse_duration("30x").has_value());
}

TEST_CASE("tag_safe makes any name a valid image tag component") {
  CHECK(tag_safe("Step-1 KISS") == "step-1-kiss");
  CHECK(tag_safe("$(rm -rf /); `x`") == "rm--rf------x-");
  CHECK(tag_safe("") == "x");
  CHECK(tag_safe("...") == "x");
}

TEST_CASE("printable shows control characters instead of emitting them") {
  CHECK(printable("a\nb\tc\x1b[31m") == "a\\nb\\tc\\x1b[31m");
}

TEST_CASE("formatting picks a readable unit") {
  CHECK(format_seconds(0.0123) == "12.3 ms");
  CHECK(format_seconds(12.345) == "12.35 s");
  CHECK(format_seconds(185) == "3 min 5 s");
  CHECK(format_bytes(999) == "999 B");
  CHECK(format_bytes(12'345'678) == "12.3 MB");
}
