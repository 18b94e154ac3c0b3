// The Dockerfile reader, as BuildKit's parser reads the same text.
#include "dockerfile/reader.hpp"

#include <catch2/catch.hpp>

using namespace bb::dockerfile;

namespace {

std::vector<std::string> keywords(const Dockerfile& file) {
  std::vector<std::string> out;
  for (const auto& ins : file.instructions) out.push_back(ins.keyword);
  return out;
}

}  // namespace

TEST_CASE("instructions: keywords in upper case, comments and blank lines dropped, lines kept") {
  auto file = parse(
      "\xEF\xBB\xBF# syntax=docker/dockerfile:1\n"
      "from python:3.12 AS build\r\n"
      "\n"
      "  # a comment\n"
      "  RUN  echo hi  \n"
      "cmd [\"python\", \"-m\", \"app\"]");
  CHECK(file.escape == '\\');
  REQUIRE(keywords(file) == std::vector<std::string>{"FROM", "RUN", "CMD"});
  CHECK(file.instructions[0].args == "python:3.12 AS build");
  CHECK(file.instructions[0].line == 2);
  CHECK(file.instructions[1].args == "echo hi");
  CHECK(file.instructions[1].line == 5);
  CHECK(file.instructions[2].line == 6);
  CHECK(json_array(file.instructions[2].args) == std::vector<std::string>{"python", "-m", "app"});
}

TEST_CASE("continuation lines join as BuildKit joins them, comments inside are dropped") {
  auto file = parse(
      "RUN apt-get update && \\\n"
      "    # a comment inside\n"
      "\n"
      "    apt-get install -y gcc\n"
      "RUN echo hel\\\n"
      "lo \\\\\n"
      "COPY a \\  \n"
      " b /dst/\n");
  REQUIRE(file.instructions.size() == 3);
  CHECK(file.instructions[0].args == "apt-get update &&     apt-get install -y gcc");
  CHECK(file.instructions[0].line == 1);
  CHECK(file.instructions[0].end_line == 4);
  CHECK(file.instructions[1].args == "echo hello \\\\");  // an escaped escape ends the line
  CHECK(file.instructions[2].keyword == "COPY");
  CHECK(file.instructions[2].args == "a  b /dst/");
  CHECK(file.instructions[2].line == 7);
}

TEST_CASE("the escape directive changes the continuation character") {
  auto file = parse(
      "# escape=`\n"
      "FROM mcr.microsoft.com/windows\n"
      "RUN dir c:\\ `\n"
      "    && echo done\n");
  CHECK(file.escape == '`');
  REQUIRE(file.instructions.size() == 2);
  CHECK(file.instructions[1].args == "dir c:\\     && echo done");
  // A directive only counts before any other line; after one, it is a comment.
  auto late = parse("# hello\n# escape=`\nRUN a `\nRUN b\n");
  CHECK(late.escape == '\\');
  CHECK(late.instructions.size() == 2);
  CHECK_THROWS_WITH(parse("# escape=x\nFROM a\n"), Catch::Contains("line 1: invalid escape"));
  CHECK_THROWS_WITH(parse("# escape=`\n# escape=\\\nFROM a\n"),
                    Catch::Contains("line 2: only one 'escape'"));
}

TEST_CASE("heredocs: bodies read after RUN, COPY and ADD, never taken for instructions") {
  auto file = parse(
      "FROM alpine\n"
      "RUN <<EOF\n"
      "FROM not-a-stage\n"
      "echo hi\n"
      "EOF\n"
      "COPY <<-\"END\" 3<<two /etc/\n"
      "\t\tindented\n"
      "\tEND\n"
      "second\n"
      "two\n"
      "CMD [\"sh\"]\n");
  REQUIRE(keywords(file) == std::vector<std::string>{"FROM", "RUN", "COPY", "CMD"});
  const auto& run = file.instructions[1];
  REQUIRE(run.heredocs.size() == 1);
  CHECK(run.heredocs[0].name == "EOF");
  CHECK(run.heredocs[0].body == "FROM not-a-stage\necho hi\n");
  CHECK(run.heredocs[0].expand);
  const auto& copy = file.instructions[2];
  REQUIRE(copy.heredocs.size() == 2);
  CHECK(copy.heredocs[0].chomp);
  CHECK_FALSE(copy.heredocs[0].expand);
  CHECK(copy.heredocs[0].body == "\t\tindented\n");
  CHECK(copy.heredocs[1].file_descriptor == 3);
  CHECK(copy.heredocs[1].body == "second\n");
  CHECK(copy.line == 6);
  CHECK(copy.end_line == 10);
}

TEST_CASE("heredocs: the JSON form, other instructions and shell operators are no heredoc") {
  auto file = parse(
      "RUN [\"sh\", \"-c\", \"cat <<EOF\"]\n"
      "ENV A=<<EOF\n"
      "RUN echo $((1<<2)) && cat <<< word\n"
      "ONBUILD RUN <<EOF\n"
      "echo later\n"
      "EOF\n");
  REQUIRE(keywords(file) == std::vector<std::string>{"RUN", "ENV", "RUN", "ONBUILD"});
  CHECK(file.instructions[0].heredocs.empty());
  CHECK(file.instructions[3].heredocs.size() == 1);
}

TEST_CASE("heredocs: one that never ends is refused, naming its line") {
  CHECK_THROWS_AS(parse("FROM a\nRUN <<EOF\necho hi\n  EOF\n"), ParseError);
  try {
    parse("FROM a\n\nRUN cat <<EOF > /x\necho hi\n");
    FAIL("no error");
  } catch (const ParseError& error) {
    CHECK(error.line() == 3);
    CHECK(std::string(error.what()) ==
          "line 3: the heredoc <<EOF of `RUN` never ends; add a line holding only EOF after "
          "its text");
  }
}

TEST_CASE("flags come first: values unquoted, a lone -- ends them") {
  auto split = split_flags("--from=build --chown=\"app:app\" --link  a.txt --b /dst/");
  REQUIRE(split.flags.size() == 3);
  CHECK(split.flags[0].name == "from");
  CHECK(split.flags[0].value == "build");
  CHECK(split.flags[1].value == "app:app");
  CHECK(split.flags[2].name == "link");
  CHECK_FALSE(split.flags[2].has_value);
  CHECK(split.rest == "a.txt --b /dst/");
  auto ended = split_flags("--link -- --weird /dst/");
  CHECK(ended.flags.size() == 1);
  CHECK(ended.rest == "--weird /dst/");
  CHECK(split_flags("").rest.empty());
}

TEST_CASE("JSON form versus shell form, words with and without quotes") {
  CHECK(json_array("[\"a b\", \"/c/\"]") == std::vector<std::string>{"a b", "/c/"});
  CHECK_FALSE(json_array("[a b]"));       // not JSON: the shell form
  CHECK_FALSE(json_array("[\"a\", 1]"));  // not strings only
  CHECK_FALSE(json_array("a b"));
  CHECK(words(" a\t b  c ") == std::vector<std::string>{"a", "b", "c"});
  CHECK(shell_words("A=\"x y\" B='p q' C=a\\ b") ==
        std::vector<std::string>{"A=\"x y\"", "B='p q'", "C=a\\ b"});
  CHECK(unquote("\"x y\"") == "x y");
  CHECK(unquote("'a\\b'") == "a\\b");
  CHECK(unquote("a\\ b") == "a b");
  CHECK(unquote("\"say \\\"hi\\\" \\n\"") == "say \"hi\" \\n");
}

TEST_CASE("heredoc markers as BuildKit reads a word") {
  CHECK(heredoc_marker("<<EOF")->name == "EOF");
  CHECK(heredoc_marker("<<-'EOF'")->chomp);
  CHECK_FALSE(heredoc_marker("<<'EOF'")->expand);
  CHECK(heredoc_marker("2<<ERR")->file_descriptor == 2);
  CHECK_FALSE(heredoc_marker("<<"));
  CHECK_FALSE(heredoc_marker("<<<word"));
  CHECK_FALSE(heredoc_marker("cat<<EOF"));
  CHECK_FALSE(heredoc_marker("<<''"));
}
