#pragma once
#include <CLI/CLI.hpp>

namespace bb {

// `buildbench init [DIR] [--force]`: the sub-command's options and help.
struct InitCommand {
  CLI::App* app = nullptr;
  std::string dir = ".";
  bool force = false;
};
InitCommand add_init_command(CLI::App& parent);
// Writes the manifests and says what was guessed; exit 0, or 2 when DIR holds no Dockerfile.
int run_init(const InitCommand& command);

}  // namespace bb
