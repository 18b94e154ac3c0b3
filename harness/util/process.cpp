#include "util/process.hpp"

#include <sys/wait.h>

#include <utility>  // Boost 1.74 asio needs std::exchange declared first under C++20

#include <fmt/format.h>
#include <cstdio>
#include <cstdlib>

#include <boost/asio.hpp>
#include <boost/process.hpp>

#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/text.hpp"

namespace bb {
namespace asio = boost::asio;
namespace bp = boost::process;

namespace {

class LineReader {
 public:
  LineReader(bp::async_pipe& pipe, std::string& capture, std::size_t limit,
             std::function<LineAction(std::string_view)> callback,
             std::function<void(std::string_view)> tail, std::function<void(LineAction)> stop)
      : pipe_(pipe),
        capture_(capture),
        limit_(limit),
        callback_(std::move(callback)),
        tail_(std::move(tail)),
        stop_(std::move(stop)) {}

  void start() { read(); }
  void set_raw(std::function<void(std::string_view)> raw) { raw_ = std::move(raw); }
  void on_done(std::function<void()> done) { on_done_ = std::move(done); }

 private:
  void read() {
    pipe_.async_read_some(asio::buffer(chunk_),
                          [this](boost::system::error_code ec, std::size_t n) {
                            if (n > 0) consume(std::string_view(chunk_.data(), n));
                            if (ec) {
                              if (!partial_.empty()) emit(partial_);
                              partial_.clear();
                              if (on_done_) on_done_();
                              return;
                            }
                            read();
                          });
  }
  void consume(std::string_view data) {
    if (raw_) {
      raw_(data);
      return;
    }
    if (capture_.size() < limit_) capture_.append(data.substr(0, limit_ - capture_.size()));
    partial_.append(data);
    std::size_t start = 0;
    for (std::size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
      emit(std::string_view(partial_).substr(start, nl - start));
    }
    partial_.erase(0, start);
  }
  void emit(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    tail_(line);
    if (!callback_ || stopped_) return;
    auto action = callback_(line);
    if (action == LineAction::kContinue) return;
    stopped_ = action == LineAction::kStop;
    stop_(action);
  }

  bp::async_pipe& pipe_;
  std::string& capture_;
  std::size_t limit_;
  std::function<LineAction(std::string_view)> callback_;
  std::function<void(std::string_view)> tail_;
  std::function<void(LineAction)> stop_;
  std::array<char, 16384> chunk_{};
  std::string partial_;
  bool stopped_ = false;
  std::function<void(std::string_view)> raw_;
  std::function<void()> on_done_;
};

boost::filesystem::path resolve_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  auto found = bp::search_path(name);
  if (found.empty()) {
    throw EnvironmentError(
        fmt::format("program '{}' not found on PATH; install it (scripts/lab-install)", name));
  }
  return found;
}

}  // namespace

std::string ProcessResult::tail_text() const {
  std::string text;
  for (const auto& line : tail) {
    text += line;
    text += '\n';
  }
  return text;
}

ProcessResult run_process(const ProcessOptions& options) {
  if (options.argv.empty()) throw std::invalid_argument("run_process: empty argv");
  ProcessResult result;
  asio::io_context io;
  bp::async_pipe out_pipe(io), err_pipe(io);
  auto program = resolve_program(options.argv.front());
  std::vector<std::string> args(options.argv.begin() + 1, options.argv.end());

  bp::environment env = boost::this_process::environment();
  for (const auto& [key, value] : options.env) env[key] = value;

  bool exited = false;
  asio::steady_timer deadline(io);
  asio::steady_timer poll(io);
  asio::steady_timer drain(io);
  asio::steady_timer linger(io);
  std::error_code launch_error;
  int readers_open = 2;
  result.started = std::chrono::steady_clock::now();
  bp::child child(program, bp::args(args), bp::std_out > out_pipe, bp::std_err > err_pipe,
                  bp::std_in < bp::null, env, io, bp::on_exit([&](int, const std::error_code&) {
                    result.ended = std::chrono::steady_clock::now();
                    exited = true;
                    deadline.cancel();
                    poll.cancel();
                    linger.cancel();
                    // A killed child's own children may hold the pipes open: read what is
                    // already there, then stop waiting for them.
                    if (readers_open > 0 &&
                        (result.stopped_by_callback || result.timed_out || result.interrupted)) {
                      drain.expires_after(std::chrono::milliseconds(300));
                      drain.async_wait([&](boost::system::error_code ec) {
                        if (ec) return;
                        boost::system::error_code ignored;
                        out_pipe.close(ignored);
                        err_pipe.close(ignored);
                      });
                    }
                  }),
                  launch_error);
  if (launch_error) {
    throw EnvironmentError(
        fmt::format("cannot start '{}': {}", options.argv.front(), launch_error.message()));
  }

  auto kill = [&] {
    std::error_code ignored;
    if (child.running(ignored)) child.terminate(ignored);
  };
  auto add_tail = [&](std::string_view line) {
    result.tail.emplace_back(line);
    while (result.tail.size() > options.tail_lines) result.tail.pop_front();
  };
  auto stop_now = [&] {
    if (result.stopped_by_callback) return;
    result.stopped_by_callback = true;
    result.stopped_at = std::chrono::steady_clock::now();
    kill();
  };
  bool lingering = false;
  auto stop = [&](LineAction action) {
    if (action == LineAction::kStop) return stop_now();
    if (lingering || exited) return;
    lingering = true;
    linger.expires_after(options.linger);
    linger.async_wait([&](boost::system::error_code ec) {
      if (!ec && !exited) stop_now();
    });
  };
  LineReader out_reader(out_pipe, result.out, options.capture_limit_bytes, options.on_stdout_line,
                        add_tail, stop);
  LineReader err_reader(err_pipe, result.err, options.capture_limit_bytes, options.on_stderr_line,
                        add_tail, stop);
  if (options.on_stdout_bytes) out_reader.set_raw(options.on_stdout_bytes);
  auto reader_done = [&] {
    if (--readers_open == 0) drain.cancel();  // nothing left to wait for
  };
  out_reader.on_done(reader_done);
  err_reader.on_done(reader_done);
  out_reader.start();
  err_reader.start();

  if (options.timeout) {
    deadline.expires_after(*options.timeout);
    deadline.async_wait([&](boost::system::error_code ec) {
      if (ec || exited) return;
      result.timed_out = true;
      kill();
    });
  }
  // Polls the interrupt flag; only the reaction to Ctrl-C waits on it, no timing does.
  std::function<void()> arm_poll = [&] {
    poll.expires_after(std::chrono::milliseconds(50));
    poll.async_wait([&](boost::system::error_code ec) {
      if (ec || exited) return;
      if (interrupt::requested() && !options.ignore_interrupt) {
        result.interrupted = true;
        kill();
      }
      arm_poll();
    });
  };
  arm_poll();

  io.run();
  std::error_code wait_error;
  child.wait(wait_error);
  if (!exited) result.ended = std::chrono::steady_clock::now();
  // BUILDBENCH_TRACE_COMMANDS=FILE logs every command's wall time (scripts/overhead).
  if (const char* trace = std::getenv("BUILDBENCH_TRACE_COMMANDS"); trace && *trace) {
    if (std::FILE* f = std::fopen(trace, "a")) {
      std::fprintf(f, "%.6f\t%s\n", result.seconds(), join_argv(options.argv).c_str());
      std::fclose(f);
    }
  }
  int status = child.native_exit_code();
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = -1;
    result.term_signal = WTERMSIG(status);
  }
  return result;
}

std::string run_checked(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  ProcessOptions options;
  options.argv = argv;
  options.timeout = timeout;
  auto result = run_process(options);
  if (result.interrupted) throw Interrupted();
  if (!result.ok()) {
    throw EnvironmentError(fmt::format(
        "'{}' failed ({}): {}", join_argv(argv),
        result.timed_out ? std::string("timed out") : fmt::format("exit {}", result.exit_code),
        trim(result.err.empty() ? result.out : result.err)));
  }
  return std::string(trim(result.out));
}

std::string join_argv(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) {
    if (!text.empty()) text += ' ';
    bool plain =
        !arg.empty() && arg.find_first_of(" \t\n'\"\\$`;&|<>()*?[]{}!#~") == std::string::npos;
    text += plain ? arg : quote_for_display(arg);
  }
  return text;
}

}  // namespace bb
