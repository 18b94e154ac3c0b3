// Which dependency files can carry an edit's token in a comment, and in which syntax.
#include "scenario/edit_format.hpp"

#include <catch2/catch.hpp>

using namespace bb;

TEST_CASE("edit format: '#' for requirements, TOML, YAML, cfg and lock files that take it") {
  for (const char* file : {"requirements.txt", "requirements-dev.in", "pyproject.toml",
                           "poetry.lock", "Cargo.lock", "setup.cfg", "tox.ini", "environment.yml",
                           "conda.yaml", "Pipfile", "Gemfile", "deps/requirements"}) {
    INFO(file);
    CHECK(nonce_comment(file, "7-ab12") == "\n# buildbench dependency edit 7-ab12\n");
  }
}

TEST_CASE("edit format: '//' for Go modules and JVM builds, an XML comment for pom.xml") {
  for (const char* file : {"go.mod", "build.gradle", "build.gradle.kts", "build.sbt"}) {
    INFO(file);
    CHECK(nonce_comment(file, "3-x") == "\n// buildbench dependency edit 3-x\n");
  }
  CHECK(nonce_comment("java/pom.xml", "3-x") == "\n<!-- buildbench dependency edit 3-x -->\n");
}

TEST_CASE("edit format: formats without comments, and unknown ones, take no token") {
  for (const char* file : {"package-lock.json", "package.json", "go.sum", "Gemfile.lock",
                           "Pipfile.lock", "Makefile", "vendor/lib.c", ""}) {
    INFO(file);
    CHECK_FALSE(nonce_comment(file, "1-a"));
  }
}
