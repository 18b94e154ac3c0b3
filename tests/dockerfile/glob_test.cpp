// Path patterns as BuildKit matches them: COPY sources (Go's filepath.Match) and
// .dockerignore, --parents and --exclude (moby/patternmatcher, where `**` crosses folders).
#include "dockerfile/glob.hpp"

#include <catch2/catch.hpp>

using namespace bb::dockerfile;

namespace {

// As patternmatcher answers: the path or one of its folders matches.
bool pattern_reads(const char* pattern, const char* path) {
  auto glob = Glob::compile(clean_path(pattern), GlobRules::kPattern);
  REQUIRE(glob);
  return glob->matched_prefix(path).has_value();
}

bool source_matches(const char* pattern, const char* path) {
  auto glob = Glob::compile(pattern, GlobRules::kCopySource);
  REQUIRE(glob);
  return glob->matches(path);
}

}  // namespace

TEST_CASE("patternmatcher rules: ** crosses folders, * and ? stay within one") {
  struct Case {
    const char* pattern;
    const char* path;
    bool matches;
  };
  // Cases BuildKit's own matcher is specified by (moby/patternmatcher's tests).
  const Case cases[] = {
      {"**", "file", true},
      {"**", "dir/file", true},
      {"**/", "dir/file", true},
      {"**/**", "dir/file", true},
      {"dir/**", "dir/dir2/file", true},
      {"**/dir", "dir", true},
      {"**/dir", "dir/file", true},  // a matched folder brings in what it holds
      {"**/dir2/*", "dir/dir2/file", true},
      {"**/dir2/**", "dir/dir2/dir3/file", true},
      {"**file", "file", true},
      {"**file", "dir/dir/file", true},
      {"**file", "xfile", true},  // a leading ** before plain text: any path ending so
      {"**/file*.txt", "dir/dir/file.txt", true},
      {"**/**/*.txt", "dir/dir/file.txt", true},
      {"**/**/*.txt2", "dir/dir/file.txt", false},
      {"**/*.txt", "file.txt", true},
      {"a**/*.txt", "a/dir/dir/file.txt", true},
      {"a/*.txt", "a/dir/file.txt", false},
      {"a/*.txt**", "a/file.txt", true},
      {"a[b-d]e", "ae", false},
      {"a[b-d]e", "ace", true},
      {"a[^b-d]e", "aze", true},
      {".*", ".foo", true},
      {".*", "foo", false},
      {"abc.def", "abcZdef", false},
      {"abc?def", "abcZdef", true},
      {"abc?def", "abcdef", false},
      {"**/foo/bar", "dir/dir2/foo/bar", true},
      {"abc/**", "abc", false},
      {"abc/**", "abc/def/ghi", true},
      {"**/.foo", "bar.foo", false},
      {"a(b)c/def", "a(b)c/def", true},
      {"a.|)$(}+{bc", "a.|)$(}+{bc", true},
      {"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
      {"a\\*b", "a*b", true},
      {"a\\*b", "axb", false},
  };
  for (const auto& c : cases) {
    INFO(c.pattern << " against " << c.path);
    CHECK(pattern_reads(c.pattern, c.path) == c.matches);
  }
}

TEST_CASE("patternmatcher rules on a whole path: a trailing ** takes the rest, folders too") {
  auto glob = Glob::compile("abc/**", GlobRules::kPattern);
  CHECK(glob->matches("abc/def/ghi"));
  CHECK_FALSE(glob->matches("abc"));
  CHECK_FALSE(Glob::compile("abc/*", GlobRules::kPattern)->matches("abc/def/ghi"));
  CHECK(Glob::compile("a/**/b", GlobRules::kPattern)->matches("a/b"));
  CHECK(Glob::compile("a/**/b", GlobRules::kPattern)->matches("a/x/y/b"));
  CHECK_FALSE(Glob::compile("a/**/b", GlobRules::kPattern)->matches("a/xb"));
}

TEST_CASE("COPY source rules: ** is * (filepath.Match), so it never crosses a folder") {
  CHECK(source_matches("**/*.py", "src/app.py"));
  CHECK_FALSE(source_matches("**/*.py", "src/pkg/app.py"));
  CHECK_FALSE(source_matches("**/*.py", "app.py"));
  CHECK(source_matches("*.txt", "requirements.txt"));
  CHECK_FALSE(source_matches("*.txt", "src/requirements.txt"));
  CHECK(source_matches("src/[a-c]?.go", "src/b1.go"));
  CHECK_FALSE(source_matches("src/[^a-c]?.go", "src/b1.go"));
  // `!` does not negate a class (neither Go nor patternmatcher read it so).
  CHECK(source_matches("[!a].txt", "!.txt"));
  CHECK_FALSE(source_matches("[!a].txt", "b.txt"));
}

TEST_CASE("malformed patterns are refused, as BuildKit refuses them") {
  for (const char* bad : {"[", "a[", "[]", "[-a]", "a\\", "[a-]"}) {
    INFO(bad);
    CHECK_FALSE(Glob::compile(bad, GlobRules::kCopySource));
    CHECK_FALSE(Glob::compile(bad, GlobRules::kPattern));
  }
  CHECK(Glob::compile("[\\]]", GlobRules::kCopySource)->matches("]"));
}

TEST_CASE("many stars cost time in proportion, not exponentially") {
  std::string stars;
  for (int i = 0; i < 100; ++i) stars += "*a";
  auto glob = Glob::compile(stars + "b", GlobRules::kCopySource);
  REQUIRE(glob);
  CHECK_FALSE(glob->matches(std::string(300, 'a')));
  auto deep = Glob::compile("**/**/**/**/**/**/**/**/z", GlobRules::kPattern);
  CHECK_FALSE(deep->matches("a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/y"));
}

TEST_CASE("the shortest matched folder is what a source names") {
  auto glob = Glob::compile("src/*", GlobRules::kCopySource);
  CHECK(glob->matched_prefix("src/pkg/app.py") == 7u);  // src/pkg
  CHECK(glob->matched_prefix("src/app.py") == 10u);
  CHECK_FALSE(glob->matched_prefix("lib/app.py"));
  CHECK(has_wildcards("a/*.py"));
  CHECK(has_wildcards("[ab]"));
  CHECK_FALSE(has_wildcards("a\\*b"));
  CHECK_FALSE(has_wildcards("plain/path.txt"));
}

TEST_CASE("paths are cleaned as Go cleans them, relative to the context") {
  CHECK(clean_path("./a/b/") == "a/b");
  CHECK(clean_path("a//b/../c") == "a/c");
  CHECK(clean_path(".") == "");
  CHECK(clean_path("/") == "");
  CHECK(clean_path("/../a") == "a");
  CHECK(clean_path("../a") == "../a");
  CHECK(clean_path("x/./y/*.txt") == "x/y/*.txt");
}

TEST_CASE(".dockerignore: comments, exclusions, the last matching rule decides") {
  auto file = parse_ignore_file(
      "\xEF\xBB\xBF# comment\n"
      "*\n"
      "!app\n"
      "app/**/*.pyc\n"
      "  !app/keep.pyc  \n"
      "/docs/\n"
      "[\n"  // malformed: left out
      "\n");
  CHECK(file.has_exclusions);
  CHECK(file.rules.size() == 5);
  CHECK(ignored(file, "README.md"));
  CHECK_FALSE(ignored(file, "app/main.py"));
  CHECK(ignored(file, "app/pkg/sub/x.pyc"));
  CHECK_FALSE(ignored(file, "app/keep.pyc"));
  CHECK(ignored(file, "docs/index.md"));
  // A `#` after blanks is a pattern, not a comment (only the first column starts one).
  auto hash = parse_ignore_file(" #notes\n");
  CHECK(ignored(hash, "#notes"));
  CHECK_FALSE(ignored(parse_ignore_file(""), "anything"));
}
