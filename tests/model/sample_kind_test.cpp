// A sample's kind and status: the names the store keeps, read back to the same value.
#include <catch2/catch.hpp>

#include "model/sample_kind.hpp"

using namespace bb;

TEST_CASE("sample kind: each name is the stored text and parses back") {
  CHECK(to_string(SampleKind::kBuild) == "build");
  CHECK(to_string(SampleKind::kStartup) == "startup");
  for (auto kind : {SampleKind::kBuild, SampleKind::kStartup})
    CHECK(parse_sample_kind(to_string(kind)) == kind);
}

TEST_CASE("sample status: each name is the stored text and parses back") {
  CHECK(to_string(SampleStatus::kOk) == "ok");
  CHECK(to_string(SampleStatus::kFailed) == "failed");
  CHECK(to_string(SampleStatus::kInterrupted) == "interrupted");
  for (auto status : {SampleStatus::kOk, SampleStatus::kFailed, SampleStatus::kInterrupted})
    CHECK(parse_sample_status(to_string(status)) == status);
}

TEST_CASE("sample kind and status: an unknown name parses to nothing, never a default") {
  CHECK_FALSE(parse_sample_kind("bulid").has_value());
  CHECK_FALSE(parse_sample_kind("").has_value());
  CHECK_FALSE(parse_sample_kind("Build").has_value());       // the stored text, exactly
  CHECK_FALSE(parse_sample_status("complete").has_value());  // a run's status, not a sample's
  CHECK_FALSE(parse_sample_status("").has_value());
}
