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

// One run of a child: its pipes, timers and result, all driven by one io_context.
class ChildRun {
 public:
  explicit ChildRun(const ProcessOptions& options)
      : options_(options),
        out_pipe_(io_),
        err_pipe_(io_),
        deadline_(io_),
        poll_(io_),
        drain_(io_),
        linger_(io_),
        out_reader_(out_pipe_, result_.out, options.capture_limit_bytes, options.on_stdout_line,
                    tail_adder(), stopper()),
        err_reader_(err_pipe_, result_.err, options.capture_limit_bytes, options.on_stderr_line,
                    tail_adder(), stopper()) {}

  ProcessResult run() {
    launch();
    start_readers();
    arm_deadline();
    arm_interrupt_poll();
    io_.run();
    return finish();
  }

 private:
  void launch() {
    auto program = resolve_program(options_.argv.front());
    std::vector<std::string> args(options_.argv.begin() + 1, options_.argv.end());
    bp::environment env = boost::this_process::environment();
    // set(), not env[key]: Boost 1.74's find() compares "KEY=" past the end of a shorter
    // entry (a heap overread AddressSanitizer reports).
    for (const auto& [key, value] : options_.env) env.set(key, value);
    std::error_code launch_error;
    result_.started = std::chrono::steady_clock::now();
    child_.emplace(program, bp::args(args), bp::std_out > out_pipe_, bp::std_err > err_pipe_,
                   bp::std_in < bp::null, env, io_,
                   bp::on_exit([this](int, const std::error_code&) { on_exit(); }), launch_error);
    if (launch_error) {
      throw EnvironmentError(
          fmt::format("cannot start '{}': {}", options_.argv.front(), launch_error.message()));
    }
  }

  void on_exit() {
    result_.ended = std::chrono::steady_clock::now();
    exited_ = true;
    deadline_.cancel();
    poll_.cancel();
    linger_.cancel();
    // A killed child's own children may hold the pipes open: read what is already there,
    // then stop waiting for them.
    if (readers_open_ > 0 &&
        (result_.stopped_by_callback || result_.timed_out || result_.interrupted)) {
      drain_.expires_after(options_.drain);
      drain_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        boost::system::error_code ignored;
        out_pipe_.close(ignored);
        err_pipe_.close(ignored);
      });
    }
  }

  void kill() {
    std::error_code ignored;
    if (child_ && child_->running(ignored)) child_->terminate(ignored);
  }

  std::function<void(std::string_view)> tail_adder() {
    return [this](std::string_view line) {
      result_.tail.emplace_back(line);
      while (result_.tail.size() > options_.tail_lines) result_.tail.pop_front();
    };
  }

  std::function<void(LineAction)> stopper() {
    return [this](LineAction action) { stop(action); };
  }

  void stop_now() {
    if (result_.stopped_by_callback) return;
    result_.stopped_by_callback = true;
    result_.stopped_at = std::chrono::steady_clock::now();
    kill();
  }

  void stop(LineAction action) {
    if (action == LineAction::kStop) return stop_now();
    if (lingering_ || exited_) return;
    lingering_ = true;
    linger_.expires_after(options_.linger);
    linger_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !exited_) stop_now();
    });
  }

  void start_readers() {
    if (options_.on_stdout_bytes) out_reader_.set_raw(options_.on_stdout_bytes);
    auto reader_done = [this] {
      if (--readers_open_ == 0) drain_.cancel();  // nothing left to wait for
    };
    out_reader_.on_done(reader_done);
    err_reader_.on_done(reader_done);
    out_reader_.start();
    err_reader_.start();
  }

  void arm_deadline() {
    if (!options_.timeout) return;
    deadline_.expires_after(*options_.timeout);
    deadline_.async_wait([this](boost::system::error_code ec) {
      if (ec || exited_) return;
      result_.timed_out = true;
      kill();
    });
  }

  // Polls the interrupt flag; only the reaction to Ctrl-C waits on it, no timing does.
  void arm_interrupt_poll() {
    poll_.expires_after(std::chrono::milliseconds(50));
    poll_.async_wait([this](boost::system::error_code ec) {
      if (ec || exited_) return;
      if (interrupt::requested() && !options_.ignore_interrupt) {
        result_.interrupted = true;
        kill();
      }
      arm_interrupt_poll();
    });
  }

  ProcessResult finish() {
    std::error_code wait_error;
    child_->wait(wait_error);
    if (!exited_) result_.ended = std::chrono::steady_clock::now();
    trace_command(result_.seconds(), options_.argv);
    int status = child_->native_exit_code();
    if (WIFEXITED(status)) {
      result_.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      result_.exit_code = -1;
      result_.term_signal = WTERMSIG(status);
    }
    return std::move(result_);
  }

  // BUILDBENCH_TRACE_COMMANDS=FILE logs every command's wall time (scripts/overhead).
  static void trace_command(double seconds, const std::vector<std::string>& argv) {
    const char* trace = std::getenv("BUILDBENCH_TRACE_COMMANDS");
    if (!trace || !*trace) return;
    if (std::FILE* f = std::fopen(trace, "a")) {
      std::fprintf(f, "%.6f\t%s\n", seconds, join_argv(argv).c_str());
      std::fclose(f);
    }
  }

  const ProcessOptions& options_;
  asio::io_context io_;
  ProcessResult result_;
  bp::async_pipe out_pipe_, err_pipe_;
  asio::steady_timer deadline_, poll_, drain_, linger_;
  bool exited_ = false;
  bool lingering_ = false;
  int readers_open_ = 2;
  LineReader out_reader_, err_reader_;
  std::optional<bp::child> child_;  // last: destroyed first, like the local it replaces
};

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
  return ChildRun(options).run();
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
