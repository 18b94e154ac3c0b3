#pragma once
// One file per sub-command under cli/: each adds its options and help to the app and
// returns its handler. `run_cli` (app.cpp) registers them in the order --help lists them.
#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace bb {

// A registered sub-command. The handler owns the values CLI11 parses into, so it runs
// only after parsing; it returns the exit code.
struct Subcommand {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// `command_line` is what a measuring command stores with its run (options.hpp).
Subcommand add_run_command(CLI::App& parent, const std::string& command_line);
Subcommand add_ab_command(CLI::App& parent, const std::string& command_line);
Subcommand add_list_command(CLI::App& parent);
Subcommand add_export_command(CLI::App& parent);
Subcommand add_compare_command(CLI::App& parent);
Subcommand add_nightly_command(CLI::App& parent, const std::string& command_line);
Subcommand add_report_command(CLI::App& parent);
Subcommand add_merge_command(CLI::App& parent);
Subcommand add_prune_history_command(CLI::App& parent);
Subcommand add_init_command(CLI::App& parent);
Subcommand add_doctor_command(CLI::App& parent);
// Hidden from --help: a check of the ETA on a stored run (scripts/eta-replay).
Subcommand add_eta_replay_command(CLI::App& parent);

}  // namespace bb
