// Which base images a Dockerfile names, and which one its image is built on.
#include <catch2/catch.hpp>

#include "scenario/base_images.hpp"
#include "util/error.hpp"

using namespace bb;

TEST_CASE("base images: every stage's, and the final stage's through the stages it names") {
  auto bases = read_base_images(
      "# syntax=docker/dockerfile:1\n"
      "FROM --platform=$BUILDPLATFORM python:3.11-slim AS Export\n"
      "RUN poetry export > requirements.txt\n"
      "from python:3.11 as base\n"
      "FROM export AS again\n"
      "FROM base\n"
      "COPY --from=export /x /x\n");
  CHECK(bases.all == std::vector<std::string>{"python:3.11-slim", "python:3.11"});
  REQUIRE(bases.final_base);
  CHECK(*bases.final_base == "python:3.11");
  CHECK(bases.unresolved.empty());
}

TEST_CASE("base images: global ARGs, build args, continuations, BOM and CRLF") {
  std::string text =
      "\xEF\xBB\xBF"
      "ARG PY=3.11\r\n"
      "ARG FLAVOUR\r\n"
      "FROM \\\r\n  python:${PY}-$FLAVOUR\r\n";
  auto open = read_base_images(text);
  CHECK(open.all.empty());
  CHECK_FALSE(open.final_base);
  CHECK(open.unresolved == "python:3.11-$FLAVOUR");
  auto given = read_base_images(text, {{"FLAVOUR", "slim"}, {"PY", "3.12"}});
  REQUIRE(given.final_base);
  CHECK(*given.final_base == "python:3.12-slim");
}

TEST_CASE("base images: scratch and an ARG declared after FROM are no base") {
  auto scratch =
      read_base_images("FROM golang:1.22 AS build\nFROM scratch\nCOPY --from=build /a /a\n");
  CHECK(scratch.all == std::vector<std::string>{"golang:1.22"});
  CHECK_FALSE(scratch.final_base);
  CHECK(scratch.unresolved.empty());
  // A stage's ARG is not a global one: FROM cannot read it.
  auto late = read_base_images("FROM alpine:3.19\nARG TAG=1\nFROM busybox:$TAG\n");
  CHECK(late.unresolved == "busybox:$TAG");
}

TEST_CASE("base images: several ARGs in one line, quoted and derived defaults, ${NAME:-x}") {
  std::string text =
      "ARG REGISTRY=docker.io PY=\"3.11\"\n"
      "ARG IMAGE=${REGISTRY}/library/python:${PY}\n"
      "FROM ${IMAGE}-${FLAVOUR:-slim} AS base\n"
      "FROM base\n";
  auto bases = read_base_images(text);
  REQUIRE(bases.final_base);
  CHECK(*bases.final_base == "docker.io/library/python:3.11-slim");
  CHECK(bases.all == std::vector<std::string>{"docker.io/library/python:3.11-slim"});
  auto given = read_base_images(text, {{"PY", "3.12"}});
  CHECK(*given.final_base == "docker.io/library/python:3.12-slim");
}

TEST_CASE("base images: a heredoc line is no FROM, a heredoc that never ends is refused") {
  auto bases = read_base_images(
      "FROM alpine:3.19\n"
      "RUN <<EOF\n"
      "FROM busybox\n"
      "EOF\n");
  CHECK(bases.all == std::vector<std::string>{"alpine:3.19"});
  CHECK(*bases.final_base == "alpine:3.19");
  CHECK_THROWS_AS(read_base_images("FROM alpine\nRUN <<EOF\nFROM busybox\n"), UsageError);
}
