#pragma once
// Helpers for end-to-end tests: run the real buildbench binary, read its database.
#include <filesystem>
#include <string>
#include <vector>

#include "util/process.hpp"

namespace bb::e2e {

inline std::filesystem::path source_dir() {
  return BUILDBENCH_SOURCE_DIR;
}

struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};

inline CommandResult buildbench(std::vector<std::string> args) {
  ProcessOptions options;
  options.argv = {BUILDBENCH_BINARY};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.timeout = std::chrono::minutes(30);
  auto result = run_process(options);
  return {result.exit_code, result.out, result.err};
}

struct TempDb {
  std::filesystem::path path;
  TempDb() {
    path = std::filesystem::temp_directory_path() /
           ("bb-e2e-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()) + ".db");
  }
  ~TempDb() {
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  }
};

}  // namespace bb::e2e
