#pragma once
// Runs one external program from an argv vector (never through a shell), with
// line callbacks, a timeout, and prompt reaction to Ctrl-C.
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bb {

// kStopSoon: stop after ProcessOptions::linger unless a later line says kStop first.
enum class LineAction { kContinue, kStop, kStopSoon };

struct ProcessOptions {
  std::vector<std::string> argv;  // argv[0]: a path, or a name looked up on PATH
  std::optional<std::chrono::milliseconds> timeout;
  // Called for each complete line; kStop kills the process (used by probes).
  std::function<LineAction(std::string_view)> on_stdout_line;
  std::function<LineAction(std::string_view)> on_stderr_line;
  std::chrono::milliseconds linger{0};  // how long kStopSoon waits
  // After a kill, how long the child's own children may keep the pipes open.
  std::chrono::milliseconds drain{300};
  // Raw stdout bytes (for large binary output such as `docker save`); disables capture.
  std::function<void(std::string_view)> on_stdout_bytes;
  std::map<std::string, std::string> env;  // added to the inherited environment
  std::size_t tail_lines = 40;
  // Cleanup after Ctrl-C must still run to the end (bounded by `timeout`).
  bool ignore_interrupt = false;
  std::size_t capture_limit_bytes = 64 << 20;
};

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int term_signal = 0;
  bool timed_out = false;
  bool interrupted = false;
  bool stopped_by_callback = false;
  std::string out;               // stdout, up to capture_limit_bytes
  std::string err;               // stderr, up to capture_limit_bytes
  std::deque<std::string> tail;  // last lines of stdout and stderr interleaved
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point ended;       // process exit seen
  std::chrono::steady_clock::time_point stopped_at;  // when a callback asked to stop
  double seconds() const { return std::chrono::duration<double>(ended - started).count(); }
  bool ok() const { return exit_code == 0 && !timed_out && !interrupted; }
  std::string tail_text() const;
};

// Throws EnvironmentError when the program cannot be started.
ProcessResult run_process(const ProcessOptions& options);

// Convenience: run, require exit 0, return trimmed stdout.
std::string run_checked(const std::vector<std::string>& argv,
                        std::chrono::milliseconds timeout = std::chrono::seconds(120));

std::string join_argv(const std::vector<std::string>& argv);  // for logs only

}  // namespace bb
