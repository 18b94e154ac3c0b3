#pragma once
// The command line: registers the sub-commands (cli/subcommand.hpp), parses and runs the one
// given. Returns an exit code; throws UsageError / EnvironmentError / Interrupted for main to
// report.
namespace bb {
int run_cli(int argc, char** argv);
}
