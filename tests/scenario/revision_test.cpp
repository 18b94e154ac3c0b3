// A revision checked out into a scratch worktree, on a git repository made here: the
// suite's path inside it, the old content, the user's checkout untouched, the worktree gone
// afterwards; bad revisions and suites outside git are usage errors.
#include "scenario/revision.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "util/error.hpp"
#include "util/process.hpp"
#include "util/text.hpp"

using namespace bb;
namespace fs = std::filesystem;

namespace {

struct Repo {
  fs::path root = fs::temp_directory_path() / ("bb-revision-" + std::to_string(::getpid()));
  Repo() {
    fs::remove_all(root);
    fs::create_directories(root / "bench");
    git({"init", "-q"});
    write("bench/suite.toml", "name = \"old\"\n");
    commit("first");
    write("bench/suite.toml", "name = \"new\"\n");
    commit("second");
    write("bench/suite.toml", "name = \"uncommitted\"\n");
  }
  ~Repo() { fs::remove_all(root); }
  std::string git(std::vector<std::string> args) {
    ProcessOptions options;
    options.argv = {"git", "-C", root.string(), "-c", "user.name=t", "-c", "user.email=t@t"};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    auto result = run_process(options);
    REQUIRE(result.ok());
    return std::string(trim(result.out));
  }
  void write(const std::string& path, const std::string& text) {
    std::ofstream(root / path) << text;
  }
  void commit(const std::string& message) {
    git({"add", "-A"});
    git({"commit", "-q", "-m", message});
  }
};

std::string read(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("revision: an older commit checked out apart, the checkout left as it is") {
  Repo repo;
  auto first = repo.git({"rev-parse", "HEAD~1"});
  auto scratch = repo.root.parent_path() / ("bb-revision-scratch-" + std::to_string(::getpid()));
  {
    RevisionCheckout checkout(repo.root / "bench", "HEAD~1", scratch);
    CHECK(checkout.commit() == first);
    CHECK(checkout.suite_path() == scratch / "bench");
    CHECK(read(checkout.suite_path() / "suite.toml") == "name = \"old\"\n");
    CHECK(read(repo.root / "bench/suite.toml") == "name = \"uncommitted\"\n");
    // A suite named by its file lands on the same folder's file.
    RevisionCheckout by_file(repo.root / "bench/suite.toml", "HEAD", scratch.string() + "-2");
    CHECK(by_file.suite_path() == fs::path(scratch.string() + "-2") / "bench/suite.toml");
    CHECK(read(by_file.suite_path()) == "name = \"new\"\n");
  }
  CHECK_FALSE(fs::exists(scratch));
  CHECK_FALSE(fs::exists(scratch.string() + "-2"));
  CHECK(repo.git({"worktree", "list"}).find("scratch") == std::string::npos);
}

TEST_CASE("revision: unknown revisions, option-like ones and suites outside git are refused") {
  Repo repo;
  auto scratch = repo.root.parent_path() / ("bb-revision-bad-" + std::to_string(::getpid()));
  for (const char* revision : {"no-such-branch", "--orphan", ""}) {
    INFO(revision);
    try {
      RevisionCheckout checkout(repo.root / "bench", revision, scratch);
      FAIL("no error");
    } catch (const UsageError& error) {
      CHECK(std::string(error.what()).find("is not a commit of") != std::string::npos);
    }
    CHECK_FALSE(fs::exists(scratch));
  }
  auto outside = fs::temp_directory_path() / ("bb-revision-nogit-" + std::to_string(::getpid()));
  fs::create_directories(outside);
  try {
    RevisionCheckout checkout(outside, "HEAD", scratch);
    FAIL("no error");
  } catch (const UsageError& error) {
    CHECK(std::string(error.what())
              .find("is not in a git repository; give the sides as "
                    "folders with --baseline DIR --candidate DIR") != std::string::npos);
  }
  fs::remove_all(outside);
}
