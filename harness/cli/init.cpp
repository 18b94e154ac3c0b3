// `buildbench init [DIR] [--force]`: suite.toml and a scenario.toml per Dockerfile.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "cli/subcommand.hpp"
#include "scenario/init.hpp"
#include "scenario/manifest.hpp"
#include "util/error.hpp"

namespace bb {

namespace {

struct InitFlags {
  std::string dir = ".";
  bool force = false;
};

// Writes the manifests and says what was guessed; exit 0, or 2 when DIR holds no Dockerfile.
int run_init(const InitFlags& flags) {
  namespace fs = std::filesystem;
  fs::path root = flags.dir;
  if (!fs::is_directory(root)) {
    throw UsageError(
        fmt::format("init: '{}' is not a folder; pass the folder that holds your "
                    "Dockerfiles",
                    flags.dir));
  }
  std::vector<std::string> messages;
  auto written = write_init(root, flags.force, messages);
  for (const auto& message : messages) fmt::print(stderr, "{}\n", message);
  if (written.empty() && guess_scenarios(root).empty()) {
    throw UsageError(
        fmt::format("init: no Dockerfile under '{}' (searched 3 folders deep)", flags.dir));
  }
  for (const auto& path : written) fmt::print("{}\n", path);
  if (!written.empty()) load_suite(root);  // what init wrote must load, as `list` would
  return 0;
}

}  // namespace

Subcommand add_init_command(CLI::App& parent) {
  auto* init = parent.add_subcommand(
      "init", "Write suite.toml and a scenario.toml per Dockerfile, guessing the edits");
  auto flags = std::make_shared<InitFlags>();
  init->add_option("dir", flags->dir, "Folder holding the Dockerfiles")->capture_default_str();
  init->add_flag("--force", flags->force, "Overwrite existing suite.toml/scenario.toml");
  init->footer(R"(
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
  return {init, [flags] { return run_init(*flags); }};
}

}  // namespace bb
