#include "report/export.hpp"

#include <sstream>

#include <catch2/catch.hpp>

using namespace bb;

TEST_CASE("csv fields are quoted and formulas neutralised") {
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("line\nbreak") == "\"line\nbreak\"");
  CHECK(csv_field("=SUM(A1)") == "\"'=SUM(A1)\"");
}

TEST_CASE("export keeps failed samples as rows") {
  StoredSample ok, failed;
  ok.run_id = failed.run_id = 1;
  ok.sample.scenario = "a";
  ok.sample.state = "cold";
  ok.sample.set("build_seconds", 2.5);
  failed.sample.scenario = "b,c";
  failed.sample.state = "cold";
  failed.sample.status = SampleStatus::kFailed;
  failed.sample.error = "boom";
  std::ostringstream csv;
  export_csv(csv, {ok, failed});
  CHECK(csv.str().find("build_seconds,2.5,s,ok,") != std::string::npos);
  CHECK(csv.str().find("\"b,c\",build,cold,0,0,,,,failed,boom") != std::string::npos);
  std::ostringstream json;
  export_json(json, {}, {ok, failed});
  auto doc = nlohmann::json::parse(json.str());
  CHECK(doc["schema_version"] == 1);
  REQUIRE(doc["samples"].size() == 2);
  CHECK(doc["samples"][1]["metric"].is_null());
  CHECK(doc["samples"][1]["status"] == "failed");
}
