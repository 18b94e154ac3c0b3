// One build step as BuildKit reported it: which steps are cacheable instructions, how long.
#include "model/build_step.hpp"

#include <utility>

#include <catch2/catch.hpp>

using namespace bb;

TEST_CASE("FROM and internal vertexes are not cacheable instructions") {
  BuildStep step;
  step.name = "[base 1/3] FROM docker.io/library/python:3.11-slim";
  CHECK_FALSE(step.is_instruction());
  step.name = "[internal] load build context";
  CHECK_FALSE(step.is_instruction());
  step.name = "exporting to image";
  CHECK_FALSE(step.is_instruction());
  step.name = "[3/5] RUN pip install -r requirements.txt";
  CHECK(step.is_instruction());
}

TEST_CASE("build step: an instruction of a named stage counts, its FROM does not") {
  const std::pair<const char*, bool> names[] = {
      {"[builder 2/4] COPY requirements.txt .", true},
      {"[stage-1 4/4] RUN --mount=type=cache,target=/root/.cache pip install .", true},
      {"[2/2] FROM python:3.11", false},
      {"[2/5]RUN no space after the bracket", false},
      {"", false},
  };
  for (const auto& [name, instruction] : names) {
    INFO(name);
    BuildStep step;
    step.name = name;
    CHECK(step.is_instruction() == instruction);
  }
}

TEST_CASE("build step: seconds are completed minus started, 0 when either is missing") {
  BuildStep step;
  CHECK(step.seconds() == 0);
  step.started = 100.25;
  CHECK(step.seconds() == 0);  // still running, or never reported as done
  step.completed = 102.75;
  CHECK(step.seconds() == Approx(2.5));
  step.started.reset();
  CHECK(step.seconds() == 0);
}
