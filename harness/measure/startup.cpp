#include "measure/startup.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <regex>

#include <fmt/format.h>

#include "model/metrics.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {
constexpr std::string_view kProbeScript =
#include "measure/probe_script.inc"
    ;
constexpr const char* kProbeMount = "/opt/buildbench-probe";
// A folder that never exists: Python then finds no stored bytecode at all.
constexpr const char* kEmptyPycachePrefix = "/nonexistent/buildbench-empty-pycache";
}  // namespace

std::string to_string(BytecodeMode mode) {
  return mode == BytecodeMode::kBytecode ? "bytecode" : "none";
}

std::string_view probe_script() {
  return kProbeScript;
}

void write_probe(const fs::path& dir) {
  fs::create_directories(dir);
  std::ofstream out(dir / "sitecustomize.py", std::ios::binary);
  out << kProbeScript;
  if (!out) throw EnvironmentError("cannot write the start-up probe into " + dir.string());
}

std::optional<InsideReport> parse_inside_line(std::string_view line) {
  if (line.rfind(kInsideMarker, 0) != 0) return std::nullopt;
  InsideReport report;
  bool have_ready = false;
  for (const auto& token : split(line.substr(kInsideMarker.size()), ' ')) {
    auto eq = token.find('=');
    if (eq == std::string::npos) continue;
    std::string key = token.substr(0, eq);
    long long value = 0;
    auto [ptr, ec] = std::from_chars(token.data() + eq + 1, token.data() + token.size(), value);
    if (ec != std::errc() || value < 0) return std::nullopt;
    if (key == "ready_ns") {
      report.ready_seconds = value / 1e9;
      have_ready = true;
    } else if (key == "from_pyc") {
      report.from_pyc = static_cast<int>(value);
    } else if (key == "compiled") {
      report.compiled = static_cast<int>(value);
    }
  }
  if (!have_ready) return std::nullopt;
  return report;
}

StartupMeasurer::StartupMeasurer(DockerEngine& engine, fs::path probe_dir, std::string name_prefix)
    : engine_(engine), probe_dir_(std::move(probe_dir)), name_prefix_(std::move(name_prefix)) {}

ContainerSpec StartupMeasurer::spec_for(const Scenario& scenario, const std::string& image,
                                        BytecodeMode mode) {
  ContainerSpec spec;
  spec.image = image;
  spec.env = scenario.probe.env;
  std::string python_path = kProbeMount;
  if (auto info = engine_.inspect_image(image)) {
    for (const auto& entry : info->env) {
      if (entry.rfind("PYTHONPATH=", 0) == 0 && entry.size() > 11) {
        python_path += ":" + entry.substr(11);
      }
    }
  }
  spec.env["PYTHONPATH"] = python_path;
  if (!scenario.probe.ready_line.empty()) {
    spec.env["BUILDBENCH_READY_PATTERN"] = scenario.probe.ready_line;
  }
  if (mode == BytecodeMode::kNone) {
    spec.env["PYTHONPYCACHEPREFIX"] = kEmptyPycachePrefix;
    spec.env["PYTHONDONTWRITEBYTECODE"] = "1";
  }
  spec.readonly_mounts.emplace_back(probe_dir_.string(), kProbeMount);
  return spec;
}

Sample StartupMeasurer::measure(const Scenario& scenario, const std::string& image,
                                BytecodeMode mode, int repetition,
                                std::optional<std::chrono::milliseconds> timeout_override) {
  Sample sample;
  sample.scenario = scenario.name;
  sample.kind = "startup";
  sample.state = to_string(mode);
  sample.repetition = repetition;
  sample.image_id = image;
  sample.started_at = iso8601_utc(std::chrono::system_clock::now());
  auto timeout = timeout_override.value_or(scenario.probe.timeout);

  ContainerSpec spec = spec_for(scenario, image, mode);
  spec.name = fmt::format("{}-{}", name_prefix_, ++counter_);
  ContainerSpec baseline = spec;
  baseline.name += "-baseline";
  baseline.entrypoint = "true";  // exits at once: docker's own start overhead
  baseline.command.clear();

  std::vector<std::string> created;
  // By name as well: an interrupt during `docker create` leaves a container whose id we
  // never saw.
  auto cleanup = [&] {
    for (const auto& id : created) engine_.remove_container(id);
    for (const auto& name : {baseline.name, spec.name}) {
      if (std::find(created.begin(), created.end(), name) == created.end()) {
        engine_.remove_container(name);
      }
    }
  };
  try {
    auto base = engine_.create_container(baseline);
    if (base.ok) created.push_back(base.id);
    auto probe = engine_.create_container(spec);
    if (!probe.ok) {
      sample.status = "failed";
      sample.error = probe.error;
      cleanup();
      return sample;
    }
    created.push_back(probe.id);
    sample.set(kCreateSeconds, probe.seconds);

    std::optional<double> baseline_seconds;
    if (base.ok) {
      auto result = engine_.start_until_exit(base.id, std::chrono::seconds(30));
      if (result.interrupted) throw Interrupted();
      if (result.ready) baseline_seconds = result.seconds;
    }

    StartOutcome outcome;
    if (!scenario.probe.ready_line.empty()) {
      outcome = engine_.start_until_line(probe.id, scenario.probe.ready_line,
                                         std::string(kInsideMarker), timeout);
    } else {
      outcome = engine_.start_until_command(probe.id, scenario.probe.command, timeout);
    }
    if (outcome.interrupted) throw Interrupted();
    if (!outcome.ready) {
      sample.status = "failed";
      sample.error = outcome.tail.empty() ? "container never became ready" : outcome.tail;
      cleanup();
      return sample;
    }
    sample.set(kStartupSeconds, outcome.seconds);
    if (baseline_seconds) {
      sample.set(kBaselineStartSeconds, *baseline_seconds);
      sample.set(kStartupNetSeconds, outcome.seconds - *baseline_seconds);
    }
    if (auto inside = parse_inside_line(outcome.inside_line)) {
      sample.set(kInterpreterReadySeconds, inside->ready_seconds);
      sample.set(kModulesFromPyc, inside->from_pyc);
      sample.set(kModulesCompiled, inside->compiled);
    }
  } catch (...) {
    cleanup();
    throw;
  }
  cleanup();
  return sample;
}

}  // namespace bb
