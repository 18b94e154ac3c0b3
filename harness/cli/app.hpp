#pragma once
// The command line: sub-commands, their options and help. Returns an exit code;
// throws UsageError / EnvironmentError / Interrupted for main to report.
namespace bb {
int run_cli(int argc, char** argv);
}
