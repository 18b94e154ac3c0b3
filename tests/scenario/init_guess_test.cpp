// init's guesses for one Dockerfile, read with dockerfile/ (the fixes over its old reader).
#include "scenario/init_guess.hpp"

#include <filesystem>
#include <fstream>
#include <random>

#include <catch2/catch.hpp>

#include "util/error.hpp"
#include "util/scratch_folder.hpp"

using namespace bb;
namespace fs = std::filesystem;

namespace {

// A fresh folder under /tmp, removed at the end of the test.
fs::path fresh_folder() {
  std::random_device random;
  auto path = fs::temp_directory_path() / ("bb-init-guess-test-" + std::to_string(random()));
  fs::create_directories(path);
  return path;
}

void write(const ScratchFolder& dir, const std::string& file, const std::string& text) {
  fs::create_directories((dir.path() / file).parent_path());
  std::ofstream(dir.path() / file, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("init: a heredoc that never ends is refused with the file and the line") {
  ScratchFolder dir(fresh_folder());
  write(dir, "Dockerfile", "FROM alpine\nRUN <<EOF\necho hi\n");
  try {
    init::guess_one(dir.path(), dir.path() / "Dockerfile");
    FAIL("no error");
  } catch (const UsageError& error) {
    std::string what = error.what();
    CHECK(what.find((dir.path() / "Dockerfile").string() + ": line 2: the heredoc <<EOF") == 0);
  }
}

TEST_CASE("init: heredoc bodies are no instructions, a COPY ** glob stays one folder deep") {
  ScratchFolder dir(fresh_folder());
  write(dir, "Dockerfile",
        "FROM python:3.12\n"
        "RUN <<EOF\n"
        "COPY main.py /nowhere\n"
        "EOF\n"
        "COPY **/*.py /app/\n"
        "ARG TOKEN MODE=fast\n");
  write(dir, "main.py", "x\n");          // named only inside the heredoc
  write(dir, "pkg/app.py", "x\n");       // one folder deep: copied
  write(dir, "deep/er/main.py", "x\n");  // two: not copied (BuildKit's `**` is `*` here)
  InitGuess guess = init::guess_one(dir.path(), dir.path() / "Dockerfile");
  CHECK(guess.code_file == "pkg/app.py");
  CHECK(guess.code_reason.find("`COPY **/*.py /app/` (line 5)") != std::string::npos);
  // Each ARG of an instruction on its own: MODE has a default, TOKEN has none.
  bool token_note = false;
  for (const auto& note : guess.notes)
    token_note |= note.find("declares ARG TOKEN without a default") != std::string::npos;
  CHECK(token_note);
}

TEST_CASE("init: helpers init.cpp writes with") {
  CHECK(init::comment_syntax("src/main.go") == "//");
  CHECK(init::comment_syntax("app.py") == "#");
  CHECK(init::comment_syntax("package.json").empty());
  CHECK(init::alternative_of("requirements.txt") == fs::path("buildbench-edits/requirements.txt"));
  CHECK(init::skipped_folder(".git"));
  CHECK(init::skipped_folder("node_modules"));
  CHECK_FALSE(init::skipped_folder("src"));
  CHECK(init::join({"a", "b"}) == "a, b");
}
