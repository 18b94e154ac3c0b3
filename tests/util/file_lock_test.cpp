#include "util/file_lock.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "util/error.hpp"

using namespace bb;

TEST_CASE("a second holder of the daemon lock is refused with --no-wait, naming the first") {
  auto path = std::filesystem::temp_directory_path() / ("bb-lock-test-" + std::to_string(getpid()));
  {
    FileLock first(path, false);
    // flock locks belong to open file descriptions: a second open in the same process
    // conflicts just as another process would.
    try {
      FileLock second(path, false);
      FAIL("the second lock was granted");
    } catch (const EnvironmentError& error) {
      CHECK(std::string(error.what()).find("pid " + std::to_string(getpid())) != std::string::npos);
    }
  }
  FileLock again(path, false);  // released with the first
  std::filesystem::remove(path);
}

TEST_CASE("the daemon lock path depends on DOCKER_HOST") {
  auto a = daemon_lock_path();
  setenv("DOCKER_HOST", "tcp://127.0.0.1:2375", 1);
  auto b = daemon_lock_path();
  unsetenv("DOCKER_HOST");
  CHECK(a != b);
}
