#pragma once
// Puts tests/fixtures/fake-docker/docker first on PATH for one test, so CliDockerEngine runs
// its real argv against a stand-in that answers as the FAKE_DOCKER_* variables say (see the
// script) and logs every call. Restores the environment when it goes.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace bb::test {

class FakeDocker {
 public:
  FakeDocker()
      : dir_(std::filesystem::temp_directory_path() /
             ("bb-fake-docker-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
    std::string fake = std::string(BUILDBENCH_SOURCE_DIR) + "/tests/fixtures/fake-docker";
    const char* path = std::getenv("PATH");
    set("PATH", fake + ":" + (path ? path : "/usr/bin:/bin"));
    set("FAKE_DOCKER_LOG", (dir_ / "calls").string());
  }
  ~FakeDocker() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
    std::filesystem::remove_all(dir_);
  }
  FakeDocker(const FakeDocker&) = delete;
  FakeDocker& operator=(const FakeDocker&) = delete;

  // Sets a variable for the fake (or any other), remembering the value to restore.
  void set(const std::string& name, const std::string& value) {
    if (!saved_.count(name)) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    ::setenv(name.c_str(), value.c_str(), 1);
  }

  // Every call so far, its words joined by '|'.
  std::vector<std::string> calls() const {
    std::vector<std::string> lines;
    std::ifstream in(dir_ / "calls");
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::map<std::string, std::optional<std::string>> saved_;
};

}  // namespace bb::test
