#pragma once
// git in a folder, as an argv vector (`git -C DIR ARGS...`): the one place the harness runs it.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "util/process.hpp"

namespace bb {

struct GitOptions {
  std::chrono::milliseconds timeout = std::chrono::seconds(30);
  bool cleanup = false;  // runs to the end even after Ctrl-C (removing a worktree)
};

// Throws EnvironmentError when git cannot be started (not installed).
ProcessResult run_git(const std::filesystem::path& dir, const std::vector<std::string>& args,
                      const GitOptions& options = {});

// What a caller that only reads needs: whether it worked, and its trimmed output (or, when
// it did not, its first error line, or why git could not start).
struct GitResult {
  bool ok = false;
  std::string out;
};
GitResult read_git(const std::filesystem::path& dir, const std::vector<std::string>& args);

}  // namespace bb
