#include "docker/rawjson.hpp"

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "model/metrics.hpp"

using namespace bb;

namespace {
std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BUILDBENCH_SOURCE_DIR) + "/tests/fixtures/rawjson/" + name);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}
}  // namespace

TEST_CASE("rawjson: a successful multi-stage build gives its steps in order") {
  RawJsonParser parser;
  parser.feed(fixture("multistage-ok.txt"));
  parser.finish();
  auto steps = parser.steps();
  REQUIRE(steps.size() == 9);
  CHECK(steps[0].name == "[internal] load build definition from Dockerfile");
  std::vector<std::string> instructions;
  for (const auto& step : steps) {
    if (step.is_instruction()) instructions.push_back(step.name);
    CHECK(step.started.has_value());
    CHECK(step.completed.has_value());
    CHECK(step.seconds() >= 0.0);
  }
  CHECK(instructions == std::vector<std::string>{"[base 2/3] RUN echo hi > /x",
                                                 "[base 3/3] COPY a /a",
                                                 "[stage-1 1/1] RUN echo 2 > /y"});
  CHECK(parser.malformed_objects() == 0);
}

TEST_CASE("rawjson: a failed step keeps its error and its output") {
  RawJsonParser parser;
  parser.feed(fixture("failed-step.txt"));
  parser.finish();
  bool found = false;
  for (const auto& step : parser.steps()) {
    if (step.error.empty()) continue;
    found = true;
    CHECK(step.name == "[4/4] RUN echo failing-output && exit 3");
    CHECK(step.error.find("exit code: 3") != std::string::npos);
    CHECK(step.log_tail.find("failing-output") != std::string::npos);
  }
  CHECK(found);
  REQUIRE_FALSE(parser.text_lines().empty());
  CHECK(parser.text_lines().back().rfind("ERROR: failed to solve", 0) == 0);
}

TEST_CASE("rawjson: feeding byte by byte gives the same result as all at once") {
  std::string text = fixture("failed-step.txt");
  RawJsonParser whole, pieces;
  whole.feed(text);
  whole.finish();
  for (char c : text) pieces.feed(std::string_view(&c, 1));
  pieces.finish();
  REQUIRE(whole.steps().size() == pieces.steps().size());
  for (std::size_t i = 0; i < whole.steps().size(); ++i) {
    CHECK(whole.steps()[i].name == pieces.steps()[i].name);
    CHECK(whole.steps()[i].cached == pieces.steps()[i].cached);
    CHECK(whole.steps()[i].error == pieces.steps()[i].error);
  }
  CHECK(whole.text_lines() == pieces.text_lines());
}

TEST_CASE("rawjson: braces inside strings do not confuse the object splitter") {
  RawJsonParser parser;
  parser.feed(R"({"vertexes":[{"digest":"d1","name":"[1/2] RUN echo '}{'","cached":true}]})");
  parser.feed("\nplain text line\n");
  parser.finish();
  REQUIRE(parser.steps().size() == 1);
  CHECK(parser.steps()[0].name == "[1/2] RUN echo '}{'");
  CHECK(parser.steps()[0].cached);
  CHECK(parser.text_lines() == std::vector<std::string>{"plain text line"});
}

TEST_CASE("rawjson: malformed input is counted, never fatal") {
  RawJsonParser parser;
  parser.feed("{\"vertexes\": [}\n{not json}\n{\"vertexes\": 5}\n{");
  parser.finish();
  CHECK(parser.malformed_objects() >= 2);
  CHECK(parser.steps().empty());
}

namespace {
double context_bytes(const RawJsonParser& parser) {
  auto metrics = parser.metrics();
  auto it = metrics.find(std::string(kContextBytes));
  return it == metrics.end() ? -1 : it->second;
}
}  // namespace

TEST_CASE("rawjson: the build context's size is its vertex's last transfer status") {
  // As Docker 26 (BuildKit 0.13) writes it: .dockerignore is read from the same local source
  // and reports "transferring context:" too, under its own vertex; only the context's counts.
  RawJsonParser parser;
  parser.feed(R"({
  "vertexes": [
    {
      "digest": "sha256:1d31c6352c07c5365f492616fdecf8cb6ae1ad38a4f46e1fbad59ebcfda66fd6",
      "name": "[internal] load .dockerignore",
      "started": "2026-11-25T12:51:46.6269069Z"
    }
  ],
  "statuses": [
    {
      "id": "transferring context:",
      "vertex": "sha256:1d31c6352c07c5365f492616fdecf8cb6ae1ad38a4f46e1fbad59ebcfda66fd6",
      "name": "transferring",
      "current": 96,
      "timestamp": "2026-11-25T12:51:46.628978308Z",
      "started": "2026-11-25T12:51:46.628248103Z",
      "completed": "2026-11-25T12:51:46.628978108Z"
    }
  ]
}
{
  "vertexes": [
    {
      "digest": "sha256:92e5dae2a11858017d98e458b93ff539aa227d10f69acbe424c146f4264b4ec0",
      "name": "[internal] load build context",
      "started": "2026-11-25T12:51:46.639636614Z"
    }
  ],
  "statuses": [
    {
      "id": "transferring context:",
      "vertex": "sha256:92e5dae2a11858017d98e458b93ff539aa227d10f69acbe424c146f4264b4ec0",
      "name": "transferring",
      "current": 1048576,
      "timestamp": "2026-11-25T12:51:46.740743515Z",
      "started": "2026-11-25T12:51:46.640112909Z"
    }
  ]
}
)");
  parser.feed(R"({
  "statuses": [
    {
      "id": "transferring context:",
      "vertex": "sha256:92e5dae2a11858017d98e458b93ff539aa227d10f69acbe424c146f4264b4ec0",
      "name": "transferring",
      "current": 1289531,
      "timestamp": "2026-11-25T12:51:46.941023105Z",
      "started": "2026-11-25T12:51:46.640112909Z",
      "completed": "2026-11-25T12:51:46.941022945Z"
    }
  ]
}
)");
  parser.finish();
  CHECK(context_bytes(parser) == 1289531);  // "transferring context: 1.29MB done"
  CHECK(parser.malformed_objects() == 0);
}

TEST_CASE("rawjson: the recorded streams give their context size, whole or byte by byte") {
  for (auto [name, bytes] :
       {std::pair{"multistage-ok.txt", 22.0}, std::pair{"failed-step.txt", 30.0}}) {
    INFO(name);
    std::string text = fixture(name);
    RawJsonParser whole, pieces;
    whole.feed(text);
    whole.finish();
    for (char c : text) pieces.feed(std::string_view(&c, 1));
    pieces.finish();
    CHECK(context_bytes(whole) == bytes);
    CHECK(pieces.metrics() == whole.metrics());
  }
}

TEST_CASE(
    "rawjson: a status before its vertex's name counts, and no context vertex gives no figure") {
  const std::string status =
      R"({"statuses":[{"id":"transferring context:","vertex":"d1","current":512}]})";
  RawJsonParser early;
  early.feed(status);
  CHECK(early.metrics().empty());  // not known yet to be the build context
  early.feed(R"({"vertexes":[{"digest":"d1","name":"[internal] load build context"}]})");
  early.finish();
  CHECK(context_bytes(early) == 512);

  RawJsonParser none;  // a Dockerfile that copies nothing from its context
  none.feed(R"({"vertexes":[{"digest":"d2","name":"[internal] load .dockerignore"}]})");
  none.feed(R"({"statuses":[{"id":"transferring context:","vertex":"d2","current":2}]})");
  none.feed(R"({"statuses":[{"id":5,"vertex":[],"current":"x"}]})");  // odd types: skipped
  none.finish();
  CHECK(none.metrics().empty());
}

TEST_CASE("rfc3339 timestamps parse to unix seconds with nanoseconds") {
  auto t = parse_rfc3339("2026-11-25T12:51:38.018961542Z");
  REQUIRE(t.has_value());
  CHECK(*t == Approx(1795611098.018961542).epsilon(1e-12));
  CHECK(*parse_rfc3339("1970-01-01T01:00:00+01:00") == Approx(0.0));
  CHECK_FALSE(parse_rfc3339("yesterday").has_value());
  CHECK_FALSE(parse_rfc3339("2026-13-25T12:51:38Z").has_value());
}

TEST_CASE("base64 decodes build log data") {
  CHECK(base64_decode("aGVsbG8gd29ybGQK") == "hello world\n");
  CHECK(base64_decode("") == "");
}

TEST_CASE("rawjson: a FROM that pulls its image gives the layer bytes it downloaded") {
  // As BuildKit reports a pull: the FROM vertex, then its resolve and one status per layer
  // (growing `current`), then the extraction, which is not a download.
  std::string stream =
      R"({"vertexes":[{"digest":"sha256:from","name":"[1/2] FROM 127.0.0.1:5001/buildbench-base/python:3.11@sha256:abc"}]}
{"statuses":[{"id":"resolve 127.0.0.1:5001/buildbench-base/python:3.11@sha256:abc","vertex":"sha256:from"}]}
{"statuses":[{"id":"sha256:layer1","vertex":"sha256:from","current":1000,"total":3000},{"id":"sha256:layer2","vertex":"sha256:from","current":500,"total":500}]}
{"statuses":[{"id":"sha256:layer1","vertex":"sha256:from","current":3000,"total":3000}]}
{"statuses":[{"id":"extracting sha256:layer1","vertex":"sha256:from","current":0}]}
{"vertexes":[{"digest":"sha256:run","name":"[2/2] RUN true"}]}
)";
  RawJsonParser parser;
  parser.feed(stream);
  parser.finish();
  auto steps = parser.steps();
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].pulled_bytes == 3500);
  CHECK(steps[1].pulled_bytes == 0);
  CHECK(parser.metrics().at(std::string(kBasePullBytes)) == 3500);
}

TEST_CASE("rawjson: a build that pulled nothing reports no base pull bytes") {
  RawJsonParser parser;
  parser.feed(fixture("multistage-ok.txt"));
  parser.finish();
  CHECK_FALSE(parser.metrics().count(std::string(kBasePullBytes)));
}
