#include "cli/app.hpp"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "util/error.hpp"

namespace bb {

namespace {

const char* kExitCodes = R"(
Exit codes:
  0  success (compare: no regression)
  1  compare: a regression was found
  2  bad usage or input (flags, manifests, run ids, database file)
  3  broken environment (no Docker engine, database I/O fault) or failed samples
  130 interrupted (Ctrl-C, SIGTERM); the run is marked 'interrupted')";

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{
      "buildbench: measure Dockerfile variants (build time under cold and warm caches, image "
      "size, start-up) and keep every sample in SQLite."};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("buildbench ") + BUILDBENCH_VERSION);

  // Registered in the order --help lists them.
  const std::string stored = command_line(argc, argv);
  const std::vector<Subcommand> commands = {
      add_run_command(app, stored), add_ab_command(app, stored), add_list_command(app),
      add_export_command(app),      add_compare_command(app),    add_nightly_command(app, stored),
      add_report_command(app),      add_merge_command(app),      add_prune_history_command(app),
      add_init_command(app),        add_doctor_command(app),     add_eta_replay_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    throw UsageError(fmt::format("{}; see 'buildbench --help'", e.what()));
  }
  for (const auto& command : commands) {
    if (*command.app) return command.run();
  }
  return kExitUsage;
}

}  // namespace bb
