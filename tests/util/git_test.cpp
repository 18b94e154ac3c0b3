#include "util/git.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "util/scratch_folder.hpp"

using namespace bb;
namespace fs = std::filesystem;

TEST_CASE("git: read_git gives the trimmed output in a repository, the first error line outside") {
  ScratchFolder scratch(fs::temp_directory_path() / ("bb-git-" + std::to_string(::getpid())));
  fs::create_directories(scratch.path() / "repo");
  fs::path repo = scratch.path() / "repo";
  REQUIRE(run_git(repo, {"init", "-q"}).ok());
  std::ofstream(repo / "a.txt") << "a\n";
  REQUIRE(run_git(repo, {"add", "a.txt"}).ok());
  REQUIRE(run_git(repo, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a"}).ok());

  auto head = read_git(repo, {"rev-parse", "HEAD"});
  CHECK(head.ok);
  CHECK(head.out.size() == 40);  // no trailing newline
  CHECK(read_git(repo, {"status", "--porcelain"}).out.empty());

  fs::create_directories(scratch.path() / "plain");
  auto outside = read_git(scratch.path() / "plain", {"rev-parse", "HEAD"});
  CHECK_FALSE(outside.ok);
  CHECK(outside.out.find("not a git repository") != std::string::npos);
  CHECK(outside.out.find('\n') == std::string::npos);
}

TEST_CASE("git: an argument is one argument, never read by a shell") {
  ScratchFolder scratch(fs::temp_directory_path() / ("bb-git-arg-" + std::to_string(::getpid())));
  fs::create_directories(scratch.path());
  auto result = read_git(scratch.path(), {"rev-parse", "--verify", "HEAD; touch injected"});
  CHECK_FALSE(result.ok);
  CHECK_FALSE(fs::exists(scratch.path() / "injected"));
}
