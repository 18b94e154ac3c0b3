// The page's detail sections: instructions and step names as shown, the CI states' list.
#include "report/page.hpp"

#include <catch2/catch.hpp>

using namespace bb;
using namespace bb::bench_page;

TEST_CASE("page details: a layer's instruction without BuildKit's wrapping") {
  CHECK(clean_instruction("RUN |1 PIP_INDEX_URL=http://x /bin/sh -c pip install . # buildkit") ==
        "RUN pip install .");
  CHECK(clean_instruction("") == "(base image)");
  CHECK(clean_instruction(std::string(200, 'x')).size() == 110);
}

TEST_CASE("page details: a build step's name with its stage and position first") {
  CHECK(step_label("[server 3/9] RUN pip install") == "server 3/9: RUN pip install");
  CHECK(step_label("exporting to image") == "exporting to image");
}

TEST_CASE("page details: the CI states explained, in the order given, other names left out") {
  auto list = ci_state_list({"export-min", "ci-registry", "warm-code", "nonsense"});
  REQUIRE(list.items.size() == 2);
  CHECK(list.items[0][0].text == "export-min");
  CHECK(list.items[0][1].text.find("mode=min") != std::string::npos);
  CHECK(list.items[1][0].text == "ci-registry");
}

TEST_CASE("page details: the registry section only when a cold build carries a push time") {
  ReportInput input;
  input.scenario_order = {"a"};
  StoredSample s;
  s.sample.scenario = "a";
  s.sample.state = "warm-code";
  s.sample.set("push_seconds", 2);
  input.samples = {s};
  doc::Document without;
  add_registry(without, Page(input));
  CHECK(without.blocks.empty());
  input.samples[0].sample.state = "cold";
  doc::Document with;
  add_registry(with, Page(input));
  CHECK_FALSE(with.blocks.empty());
}

TEST_CASE("page details: every opt-in state has its meaning, cold-pull's a fresh runner's pulls") {
  for (const auto& state : names_of(ci_cache_states())) {
    INFO(state);
    CHECK(ci_state_list({state}).items.size() == 1);
  }
  auto list = ci_state_list({"cold-pull"});
  CHECK(list.items[0][1].text.find("pulled from the registry") != std::string::npos);
}
