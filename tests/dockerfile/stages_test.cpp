// Stages, FROM chains through stage names, and the ARGs FROM reads.
#include "dockerfile/stages.hpp"

#include <catch2/catch.hpp>

using namespace bb::dockerfile;

TEST_CASE("stages: names without case, chains through earlier stages only") {
  auto file = parse(
      "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n"
      "FROM build AS test\n"
      "FROM alpine:3.19\n"
      "FROM TEST\n"
      "FROM later\n"
      "FROM scratch AS later\n");
  auto stages = stages_of(file);
  REQUIRE(stages.size() == 6);
  CHECK(stages[0].name == "build");
  CHECK(stages[0].flags.at(0).name == "platform");
  CHECK(stages[0].base == "golang:1.22");
  CHECK(stages[1].parent == 0u);
  CHECK_FALSE(stages[2].parent);
  CHECK(stages[3].parent == 1u);
  CHECK(stages[3].instruction == 3u);
  CHECK_FALSE(stages[4].parent);  // a later stage's name is an image here
  CHECK(chain_root(stages, 3) == 0u);
  CHECK(chain_root(stages, 2) == 2u);
}

TEST_CASE("global ARGs: before the first FROM, build args override their defaults") {
  auto file = parse(
      "ARG PY=3.11 FLAVOUR\n"
      "ARG BASE=\"python:${PY}\"\n"
      "FROM ${BASE}-${FLAVOUR:-slim}\n"
      "ARG LATE=1\n"
      "FROM busybox:$LATE\n");
  auto args = global_args(file);
  CHECK(args == Args{{"PY", "3.11"}, {"BASE", "python:3.11"}});
  auto stages = stages_of(file);
  CHECK(stages[0].base == "python:3.11-slim");
  CHECK(stages[1].base == "busybox:$LATE");  // a stage's ARG is not a global one
  auto given = stages_of(file, {{"PY", "3.12"}, {"FLAVOUR", "bookworm"}, {"LATE", "2"}});
  CHECK(given[0].base == "python:3.12-bookworm");
  CHECK(given[1].base == "busybox:$LATE");  // no global ARG declares LATE
  // A build arg replaces even a default that another ARG built.
  CHECK(stages_of(file, {{"BASE", "pypy"}})[0].base == "pypy-slim");
}

TEST_CASE("ARG declarations and expansion forms") {
  auto file = parse("ARG A B=2 C=\"x y\" D=\n");
  auto declared = arg_declarations(file.instructions[0]);
  REQUIRE(declared.size() == 4);
  CHECK(declared[0].name == "A");
  CHECK_FALSE(declared[0].value);
  CHECK(declared[1].value == "2");
  CHECK(declared[2].value == "x y");
  CHECK(declared[3].value == "");
  Args args{{"SET", "v"}, {"EMPTY", ""}};
  CHECK(expand_args("$SET ${SET} $SETX ${OPEN}", args) == "v v $SETX ${OPEN}");
  CHECK(expand_args("${OPEN:-d} ${EMPTY:-d} ${EMPTY-d} ${SET:-d}", args) == "d d  v");
  CHECK(expand_args("${SET:+alt} ${EMPTY:+alt}|${EMPTY+alt} ${OPEN+alt}", args) == "alt |alt ");
  CHECK(expand_args("${SET:?err} ${unclosed $ $1", args) == "${SET:?err} ${unclosed $ $1");
}

TEST_CASE("with_bases_renamed: each FROM of an image names its new ref, nothing else changes") {
  std::string text =
      "# syntax=docker/dockerfile:1\n"
      "ARG BASE=python:3.11\n"
      "FROM python:3.11-slim AS export\n"
      "RUN echo FROM python:3.11-slim\n"
      "FROM --platform=$BUILDPLATFORM \\\n"
      "  ${BASE} AS Server\n"
      "COPY --from=export /x /x\n"
      "FROM export AS again\n"
      "FROM scratch\n";
  std::map<std::string, std::string> renamed = {{"python:3.11-slim", "reg:5000/b/python:3.11-slim"},
                                                {"python:3.12", "reg:5000/b/python:3.12"}};
  // The build arg resolves the global ARG: the FROM that reads it names python:3.12 here.
  std::string out = with_bases_renamed(text, {{"BASE", "python:3.12"}}, renamed);
  CHECK(out ==
        "# syntax=docker/dockerfile:1\n"
        "ARG BASE=python:3.11\n"
        "FROM reg:5000/b/python:3.11-slim AS export\n"
        "RUN echo FROM python:3.11-slim\n"  // not a FROM instruction: as written
        "FROM --platform=$BUILDPLATFORM reg:5000/b/python:3.12 AS Server\n"
        "\n"  // the continuation line, blank: later lines keep their numbers
        "COPY --from=export /x /x\n"
        "FROM export AS again\n"  // a stage, not an image
        "FROM scratch\n");
  // An image not in the map stays as it is.
  CHECK(with_bases_renamed(text, {}, renamed).find("${BASE} AS Server") != std::string::npos);
}
