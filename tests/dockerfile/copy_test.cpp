// COPY and ADD: flags, sources, destination, and which context files they read.
#include "dockerfile/copy.hpp"

#include <catch2/catch.hpp>

using namespace bb::dockerfile;

namespace {

bool reads(const char* args, const char* file) {
  auto copy = parse_copy(args);
  REQUIRE(copy);
  return copy_reads(*copy, file);
}

}  // namespace

TEST_CASE("COPY flags, shell and JSON forms, heredoc sources") {
  auto copy = parse_copy("--from=build --chown=app:app --link --parents a b/ /dst/");
  REQUIRE(copy);
  CHECK(copy->from == "build");
  CHECK(copy->parents);
  CHECK(copy->flags.size() == 4);
  CHECK(copy->sources == std::vector<std::string>{"a", "b/"});
  CHECK(copy->destination == "/dst/");
  CHECK_FALSE(copy->json);
  CHECK(copy->operands == "a b/ /dst/");
  auto json = parse_copy("--chmod=644 [\"weird name.py\", \"x\", \"/app/\"]");
  REQUIRE(json);
  CHECK(json->json);
  CHECK(json->sources == std::vector<std::string>{"weird name.py", "x"});
  auto inline_file = parse_copy("<<EOF app.py /app/");
  CHECK(inline_file->heredocs == std::vector<std::string>{"EOF"});
  CHECK(inline_file->sources == std::vector<std::string>{"app.py"});
  CHECK_FALSE(parse_copy("only-one"));
  CHECK_FALSE(parse_copy("--link"));
  CHECK_FALSE(parse_copy("--parents=false a /b")->parents);
  CHECK(parse_copy("--exclude=*.md --exclude=tests . /app")->excludes ==
        std::vector<std::string>{"*.md", "tests"});
  CHECK(is_remote("https://example.invalid/x.tar.gz"));
  CHECK(is_remote("git@github.com:moby/buildkit.git"));
  CHECK_FALSE(is_remote("./vendor"));
}

TEST_CASE("a source reads the file it names, a folder holding it, or the whole context") {
  CHECK(reads(". .", "src/main.py"));
  CHECK(reads("./ /app", "requirements.txt"));
  CHECK(reads("src/ ./src", "src/final/main.py"));
  CHECK(reads("./src/final ./src", "src/final/main.py"));
  CHECK_FALSE(reads("srcx ./", "src/main.py"));
  CHECK_FALSE(reads("requirements.txt ./", "requirements-dev.txt"));
  CHECK_FALSE(reads("../outside ./", "outside/a"));
  CHECK_FALSE(reads("https://example.invalid/src /src", "src/a"));
}

TEST_CASE("globs: ** crosses folders only with --parents, as BuildKit copies") {
  CHECK(reads("*.txt ./", "requirements.txt"));
  CHECK_FALSE(reads("*.txt ./", "src/requirements.txt"));
  CHECK(reads("s* ./", "src/final/main.py"));  // the matched folder is copied whole
  CHECK(reads("src/**/*.py /app/", "src/pkg/main.py"));
  CHECK_FALSE(reads("src/**/*.py /app/", "src/pkg/sub/main.py"));
  CHECK(reads("--parents src/**/*.py /app/", "src/pkg/sub/main.py"));
  CHECK(reads("--parents src/**/*.py /app/", "src/main.py"));
  CHECK(reads("--parents ./packages/./*/package.json /app/", "packages/web/package.json"));
  CHECK_FALSE(reads("--parents ./packages/./*/package.json /app/", "packages/web/index.js"));
  CHECK_FALSE(reads("[ ./", "["));  // a malformed pattern copies nothing
}

TEST_CASE("COPY --exclude leaves files out, relative to where the copy starts") {
  CHECK_FALSE(reads("--exclude=*.md . /app", "README.md"));
  CHECK(reads("--exclude=*.md . /app", "docs/README.md"));
  CHECK_FALSE(reads("--exclude=**/*.md . /app", "docs/README.md"));
  CHECK_FALSE(reads("--exclude=tests . /app", "tests/unit/test_a.py"));
  CHECK_FALSE(reads("--exclude=*.pyc src/ /app/src/", "src/a.pyc"));
  CHECK(reads("--exclude=*.pyc src/ /app/src/", "src/a.py"));
}

TEST_CASE("what a source names in a path, for the files at its top level") {
  auto copy = *parse_copy("src/ vendor/*/ . /app/");
  CHECK(SourceMatcher("src/", copy).path() == "src");
  CHECK(SourceMatcher("src/", copy).match("src/a/b.c") == 3u);
  CHECK(SourceMatcher("src/", copy).match("src") == 3u);
  CHECK(SourceMatcher("vendor/*/", copy).match("vendor/lib/x.c") == 10u);
  CHECK(SourceMatcher(".", copy).match("anything/at/all") == 0u);
  CHECK_FALSE(SourceMatcher("src/", copy).match("lib/a"));
}
