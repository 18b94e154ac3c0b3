#pragma once
// The command line driven in-process, as main() drives it: argv through run_cli (the app's
// registration, parsing and dispatch), stdout and stderr captured, the exceptions main
// maps mapped to the same exit codes. DOCKER_HOST points at a socket nobody serves, so a
// test whose arguments get past the checks never reaches the shared engine.
#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/app.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace bb::test {

struct CliResult {
  int exit_code = -1;
  std::string out, err;
  std::string error;  // the UsageError or EnvironmentError text, as main prints it
};

// tests/fixtures/suites/basic: two scenarios and a claim, nothing that needs an engine to load.
inline std::string basic_suite() {
  return std::string(BUILDBENCH_SOURCE_DIR) + "/tests/fixtures/suites/basic";
}

// A scratch folder removed at the end of the test.
struct CliTempDir {
  std::filesystem::path path;
  CliTempDir() {
    static int counter = 0;
    path = std::filesystem::temp_directory_path() /
           ("bb-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(path);
  }
  ~CliTempDir() { std::filesystem::remove_all(path); }
};

// Redirects file descriptors 1 and 2 into files while alive.
class CapturedOutput {
 public:
  explicit CapturedOutput(const std::filesystem::path& dir)
      : out_path_(dir / "stdout"), err_path_(dir / "stderr") {
    flush();
    saved_out_ = ::dup(1);
    saved_err_ = ::dup(2);
    redirect(out_path_, 1);
    redirect(err_path_, 2);
  }
  ~CapturedOutput() { restore(); }
  void restore() {
    if (saved_out_ < 0) return;
    flush();
    ::dup2(saved_out_, 1);
    ::dup2(saved_err_, 2);
    ::close(saved_out_);
    ::close(saved_err_);
    saved_out_ = saved_err_ = -1;
  }
  std::string out() const { return read(out_path_); }
  std::string err() const { return read(err_path_); }

 private:
  static void redirect(const std::filesystem::path& path, int fd) {
    int file = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(file, fd);
    ::close(file);
  }
  static void flush() {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(stdout);
    std::fflush(stderr);
  }
  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::filesystem::path out_path_, err_path_;
  int saved_out_ = -1, saved_err_ = -1;
};

// `buildbench ARGS...` in this process.
inline CliResult buildbench_cli(std::vector<std::string> args) {
  std::optional<std::string> docker_host;
  if (const char* host = std::getenv("DOCKER_HOST")) docker_host = host;
  ::setenv("DOCKER_HOST", "unix:///nonexistent/buildbench-cli-test.sock", 1);
  args.insert(args.begin(), "buildbench");
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  CliTempDir dir;
  CliResult result;
  {
    CapturedOutput captured(dir.path);
    try {
      result.exit_code = run_cli(static_cast<int>(args.size()), argv.data());
    } catch (const UsageError& error) {
      result.error = error.what();
      result.exit_code = kExitUsage;
    } catch (const EnvironmentError& error) {
      result.error = error.what();
      result.exit_code = kExitEnvironment;
    }
    captured.restore();
    result.out = captured.out();
    result.err = captured.err();
  }
  if (docker_host) {
    ::setenv("DOCKER_HOST", docker_host->c_str(), 1);
  } else {
    ::unsetenv("DOCKER_HOST");
  }
  return result;
}

// A run with these cold build times per scenario (in this order), ended with `status`.
// `run` gives its suite, labels and the rest; a NaN time is a failed sample.
inline std::int64_t add_run(Store& store, RunRecord run,
                            const std::vector<std::pair<std::string, std::vector<double>>>& seconds,
                            const std::string& status = "complete") {
  if (run.started_at.empty()) run.started_at = "2026-11-01T02:00:00Z";
  if (run.fingerprint.empty()) run.fingerprint = {{"hostname", "cli-test"}};
  auto id = store.begin_run(run);
  int position = 0;
  for (const auto& [scenario, values] : seconds) {
    store.add_scenario(id, scenario, position++, nlohmann::json::object());
    int repetition = 0;
    for (double value : values) {
      Sample sample;
      sample.scenario = scenario;
      sample.state = "cold";
      sample.repetition = ++repetition;
      if (std::isnan(value)) {
        sample.status = SampleStatus::kFailed;
        sample.error = "step '[2/2] RUN make' failed: exit code: 2";
      } else {
        sample.set("build_seconds", value);
      }
      store.add_sample(id, sample);
    }
  }
  store.finish_run(id, status);
  return id;
}

// A complete run of `suite` with `seconds` as its build times (cold, scenario s).
inline std::int64_t add_cold_run(Store& store, const std::string& suite,
                                 const std::vector<double>& seconds,
                                 const std::map<std::string, std::string>& labels = {}) {
  RunRecord run;
  run.suite_name = suite;
  run.labels = labels;
  return add_run(store, run, {{"s", seconds}});
}

}  // namespace bb::test

namespace bb::test {

// A complete cold run of `suite` named onto `testbed` (--testbed), with these build times.
inline std::int64_t add_testbed_run(Store& store, const std::string& suite,
                                    const std::string& testbed, const std::vector<double>& seconds,
                                    const std::map<std::string, std::string>& labels = {}) {
  RunRecord run;
  run.suite_name = suite;
  run.labels = labels;
  run.options = {{"testbed", testbed}};
  return add_run(store, run, {{"s", seconds}});
}

}  // namespace bb::test
