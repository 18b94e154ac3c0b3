#include "cli/init.hpp"

#include <filesystem>

#include <fmt/format.h>

#include "scenario/init.hpp"
#include "scenario/manifest.hpp"
#include "util/error.hpp"

namespace bb {

InitCommand add_init_command(CLI::App& parent) {
  InitCommand command;
  command.app = parent.add_subcommand(
      "init", "Write suite.toml and a scenario.toml per Dockerfile, guessing the edits");
  command.app->add_option("dir", command.dir, "Folder holding the Dockerfiles")
      ->capture_default_str();
  command.app->add_flag("--force", command.force, "Overwrite existing suite.toml/scenario.toml");
  command.app->footer(R"(
For each Dockerfile (Dockerfile, *.Dockerfile, Dockerfile.*) init guesses:
  the code edit        a source file copied late, after the dependency install (warm-code)
  the dependency edit  the lock file or manifest the install reads (requirements.txt,
                       poetry.lock, package-lock.json, go.sum, Cargo.lock, pom.xml, ...)
                       or a vendored source file (warm-deps)
  the ready line       from the server it recognises (uvicorn, gunicorn, ...)
It says what it guessed and where to change it; `buildbench list --suite DIR` then checks
the result. A dependency swap needs a real alternative dependency set: init writes it active
only when buildbench-edits/ already holds one, and commented out with the steps otherwise.

Examples:
  buildbench init                 # the current folder
  buildbench init ~/src/my-service && buildbench list --suite ~/src/my-service)");
  return command;
}

int run_init(const InitCommand& command) {
  namespace fs = std::filesystem;
  fs::path root = command.dir;
  if (!fs::is_directory(root)) {
    throw UsageError(
        fmt::format("init: '{}' is not a folder; pass the folder that holds your "
                    "Dockerfiles",
                    command.dir));
  }
  std::vector<std::string> messages;
  auto written = write_init(root, command.force, messages);
  for (const auto& message : messages) fmt::print(stderr, "{}\n", message);
  if (written.empty() && guess_scenarios(root).empty()) {
    throw UsageError(
        fmt::format("init: no Dockerfile under '{}' (searched 3 folders deep)", command.dir));
  }
  for (const auto& path : written) fmt::print("{}\n", path);
  if (!written.empty()) load_suite(root);  // what init wrote must load, as `list` would
  return 0;
}

}  // namespace bb
