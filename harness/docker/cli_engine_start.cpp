// CliDockerEngine's containers, for the start-up measurement: create with no network, start
// until ready (a ready line on the attached output, or a command that succeeds inside), kill.
#include <regex>
#include <stdexcept>

#include <fmt/format.h>

#include "docker/cli_engine.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "util/text.hpp"

namespace bb {
using namespace std::chrono_literals;

CreateOutcome CliDockerEngine::create_container(const ContainerSpec& spec) {
  std::vector<std::string> argv = docker({"container", "create", "--network", "none"});
  if (!spec.name.empty()) {
    argv.push_back("--name");
    argv.push_back(spec.name);
  }
  for (const auto& [key, value] : spec.env) {
    argv.push_back("--env");
    argv.push_back(key + "=" + value);
  }
  for (const auto& [host, container] : spec.readonly_mounts) {
    argv.push_back("--mount");
    argv.push_back(fmt::format("type=bind,source={},target={},readonly", host, container));
  }
  if (!spec.entrypoint.empty()) {
    argv.push_back("--entrypoint");
    argv.push_back(spec.entrypoint);
  }
  argv.push_back(spec.image);
  argv.insert(argv.end(), spec.command.begin(), spec.command.end());
  ProcessOptions options;
  options.argv = argv;
  options.timeout = 2min;
  auto result = run_process(options);
  if (result.interrupted) throw Interrupted();
  CreateOutcome outcome;
  outcome.seconds = result.seconds();
  outcome.ok = result.ok();
  if (outcome.ok) {
    outcome.id = std::string(trim(result.out));
  } else {
    outcome.error = fmt::format("docker create failed: {}", trim(result.err));
  }
  return outcome;
}

namespace {
StartOutcome from_process(const ProcessResult& result, std::chrono::milliseconds timeout) {
  StartOutcome outcome;
  outcome.exit_code = result.exit_code;
  outcome.timed_out = result.timed_out;
  outcome.interrupted = result.interrupted;
  outcome.tail = result.tail_text();
  if (result.timed_out) {
    outcome.tail = fmt::format("not ready after {}; last output:\n{}",
                               format_seconds(timeout.count() / 1000.0), outcome.tail);
  }
  return outcome;
}

// Keeps lines that start with a marker; true when `line` was one (never a ready line).
bool keep_marked(std::string_view line, const StartWatch& watch, StartOutcome& outcome) {
  for (const auto& marker : watch.markers) {
    if (line.rfind(marker, 0) == 0) {
      outcome.marked.try_emplace(marker, line);
      return true;
    }
  }
  return false;
}

bool all_marked(const StartWatch& watch, const StartOutcome& outcome) {
  return outcome.marked.size() == watch.markers.size();
}

void mark_ready(StartOutcome& outcome) {
  outcome.ready = true;
  outcome.ready_tick = std::chrono::steady_clock::now();
  outcome.ready_at = std::chrono::system_clock::now();
}
}  // namespace

StartOutcome CliDockerEngine::start_until_ready(const std::string& id, const StartWatch& watch) {
  return watch.command.empty() ? start_attached(id, watch) : start_and_poll(id, watch);
}

StartOutcome CliDockerEngine::start_attached(const std::string& id, const StartWatch& watch) {
  std::regex pattern(watch.ready_line);
  StartOutcome outcome;
  auto on_line = [&](std::string_view line) {
    if (!keep_marked(line, watch, outcome) && !outcome.ready &&
        std::regex_search(line.begin(), line.end(), pattern)) {
      mark_ready(outcome);
    }
    if (!outcome.ready) return LineAction::kContinue;
    // Ready: nothing left to learn once every marker is in; never wait for more output.
    return all_marked(watch, outcome) ? LineAction::kStop : LineAction::kStopSoon;
  };
  ProcessOptions options;
  options.argv = docker({"container", "start", "--attach", id});
  options.timeout = watch.timeout;
  options.linger = watch.linger;
  options.on_stdout_line = on_line;
  options.on_stderr_line = on_line;
  auto result = run_process(options);
  auto marked = std::move(outcome.marked);
  auto ready = outcome;
  outcome = from_process(result, watch.timeout);
  outcome.marked = std::move(marked);
  if (ready.ready) {
    outcome.ready = true;
    outcome.timed_out = false;
    outcome.ready_at = ready.ready_at;
    outcome.ready_tick = ready.ready_tick;
    outcome.seconds = std::chrono::duration<double>(ready.ready_tick - result.started).count();
  } else if (!result.timed_out && !result.interrupted) {
    outcome.tail = fmt::format("container exited ({}) before a line matched '{}'; last output:\n{}",
                               result.exit_code, watch.ready_line, outcome.tail);
  }
  return outcome;
}

StartOutcome CliDockerEngine::start_and_poll(const std::string& id, const StartWatch& watch) {
  auto started = std::chrono::steady_clock::now();
  auto deadline = started + watch.timeout;
  StartOutcome outcome;
  ProcessOptions start;
  start.argv = docker({"container", "start", id});
  start.timeout = watch.timeout;
  auto started_result = run_process(start);
  if (!started_result.ok()) return from_process(started_result, watch.timeout);
  std::vector<std::string> argv = docker({"container", "exec", id});
  argv.insert(argv.end(), watch.command.begin(), watch.command.end());
  while (std::chrono::steady_clock::now() < deadline) {
    ProcessOptions probe;
    probe.argv = argv;
    probe.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto result = run_process(probe);
    if (result.interrupted) {
      outcome.interrupted = true;
      return outcome;
    }
    if (result.ok()) {
      mark_ready(outcome);
      outcome.seconds = std::chrono::duration<double>(outcome.ready_tick - started).count();
      break;
    }
    outcome.tail = result.tail_text();
  }
  // The markers (and, when never ready, the service's last words) are in its log.
  ProcessOptions logs;
  logs.argv = docker({"container", "logs", "--tail", "200", id});
  logs.timeout = std::chrono::seconds(30);
  logs.on_stdout_line = [&](std::string_view line) {
    keep_marked(line, watch, outcome);
    return LineAction::kContinue;
  };
  logs.on_stderr_line = logs.on_stdout_line;
  logs.tail_lines = 20;
  auto log_result = run_process(logs);
  if (outcome.ready) return outcome;
  outcome.timed_out = true;
  outcome.tail = fmt::format("probe command never succeeded within {}; last output:\n{}{}",
                             format_seconds(watch.timeout.count() / 1000.0), log_result.tail_text(),
                             outcome.tail);
  return outcome;
}

void CliDockerEngine::remove_container(const std::string& id) {
  ProcessOptions options;
  options.argv = docker({"container", "rm", "--force", "--volumes", id});
  options.timeout = 1min;
  options.ignore_interrupt = true;  // runs during cleanup after Ctrl-C
  run_process(options);             // best effort: a missing container is already gone
}

std::pair<int, std::string> CliDockerEngine::exec(const std::string& id,
                                                  const std::vector<std::string>& command) {
  std::vector<std::string> argv = docker({"container", "exec", id});
  argv.insert(argv.end(), command.begin(), command.end());
  ProcessOptions options;
  options.argv = argv;
  options.timeout = 2min;
  auto result = run_process(options);
  return {result.exit_code, result.out + result.err};
}

std::pair<int, std::string> CliDockerEngine::run_once(const std::string& image,
                                                      const std::vector<std::string>& command) {
  if (command.empty()) throw std::invalid_argument("run_once without a command");
  std::vector<std::string> argv =
      docker({"container", "run", "--rm", "--network", "none", "--entrypoint", command.front()});
  argv.push_back(image);
  argv.insert(argv.end(), command.begin() + 1, command.end());
  ProcessOptions options;
  options.argv = argv;
  options.timeout = 2min;
  auto result = run_process(options);
  if (result.interrupted) throw Interrupted();
  return {result.exit_code, result.ok() ? result.out : std::string(trim(result.err))};
}

}  // namespace bb
