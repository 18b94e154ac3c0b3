#pragma once
// Two kinds of failure reach main: bad input (the user can fix the command or
// a file) and a broken environment (engine, disk, database). Failures of a
// single measurement are data, stored as failed samples, never exceptions.
#include <stdexcept>
#include <string>

namespace bb {

// Exit codes, documented in `buildbench --help`.
enum ExitCode : int {
  kExitOk = 0,
  kExitRegression = 1,
  kExitUsage = 2,
  kExitEnvironment = 3,
  kExitInterrupted = 130,
};

// Bad input: a flag, a manifest field, an unknown run id. Exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The environment cannot do what was asked: no engine, database fault. Exit code 3.
class EnvironmentError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Ctrl-C or SIGTERM arrived; unwinding cleans up. Exit code 130.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted") {}
};

}  // namespace bb
