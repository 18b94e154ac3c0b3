#include "startup/startup.hpp"

#include <charconv>
#include <fstream>

#include <fmt/format.h>

#include "model/metrics.hpp"
#include "startup/start_helper.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {
constexpr std::string_view kProbeScript =
#include "startup/probe_script.inc"
    ;
constexpr const char* kProbeMount = "/opt/buildbench-probe";
constexpr const char* kStartMount = "/opt/buildbench-start";
// After the ready line, how long to wait for a marker line not yet seen (the probe's
// report follows the ready line at once); never until the timeout.
constexpr std::chrono::milliseconds kMarkerGrace{500};
}  // namespace

std::string_view probe_script() {
  return kProbeScript;
}

void write_startup_tools(const fs::path& dir) {
  fs::create_directories(dir / "probe");
  std::ofstream out(dir / "probe" / "sitecustomize.py", std::ios::binary);
  out << kProbeScript;
  if (!out) throw EnvironmentError("cannot write the start-up probe into " + dir.string());
  write_start_helper(dir / "start");
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

std::optional<double> ready_after_stamp(const StartOutcome& outcome) {
  auto line = outcome.marked.find(std::string(kStartMarker));
  if (!outcome.ready || line == outcome.marked.end()) return std::nullopt;
  auto stamp_ns = parse_start_line(line->second);
  if (!stamp_ns) return std::nullopt;
  auto ready_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(outcome.ready_at.time_since_epoch())
          .count();
  return (ready_ns - *stamp_ns) / 1e9;
}

StartupMeasurer::StartupMeasurer(DockerEngine& engine, fs::path tools_dir, std::string name_prefix)
    : engine_(engine), tools_dir_(std::move(tools_dir)), name_prefix_(std::move(name_prefix)) {}

const ImageInfo& StartupMeasurer::image_info(const std::string& image) {
  auto it = images_.find(image);
  if (it == images_.end()) {
    it = images_.emplace(image, engine_.inspect_image(image).value_or(ImageInfo{})).first;
  }
  return it->second;
}

ContainerSpec StartupMeasurer::spec_for(const Scenario& scenario, const std::string& image,
                                        const StartupMode& mode, bool python) {
  ContainerSpec spec;
  spec.image = image;
  spec.env = scenario.probe.env;
  for (const auto& [key, value] : mode.env) spec.env[key] = value;
  for (const auto& [target, source] : mode.mounts)
    spec.readonly_mounts.emplace_back(source, target);
  const ImageInfo& info = image_info(image);
  // The stamp runs first and then becomes the image's own entrypoint and command.
  std::vector<std::string> command = info.entrypoint;
  command.insert(command.end(), info.cmd.begin(), info.cmd.end());
  if (!command.empty()) {
    spec.entrypoint = std::string(kStartMount) + "/buildbench-start";
    spec.command = command;
    spec.readonly_mounts.emplace_back((tools_dir_ / "start").string(), kStartMount);
  }
  if (python) {
    std::string python_path = kProbeMount;
    for (const auto& entry : info.env) {
      if (entry.rfind("PYTHONPATH=", 0) == 0 && entry.size() > 11) {
        python_path += ":" + entry.substr(11);
      }
    }
    spec.env["PYTHONPATH"] = python_path;
    if (!scenario.probe.ready_line.empty()) {
      spec.env["BUILDBENCH_READY_PATTERN"] = scenario.probe.ready_line;
    }
    spec.readonly_mounts.emplace_back((tools_dir_ / "probe").string(), kProbeMount);
  }
  return spec;
}

void StartupMeasurer::record(Sample& sample, const StartOutcome& outcome, bool python) const {
  sample.set(kStartupSeconds, outcome.seconds);
  if (auto ready = ready_after_stamp(outcome)) {
    if (*ready < 0) {
      sample.status = SampleStatus::kFailed;
      sample.error = fmt::format(
          "the ready line came {:.1f} ms before the container's start stamp: the wall clock "
          "was stepped during the sample, which is then not a measurement",
          -*ready * 1000);
      return;
    }
    sample.set(kReadySeconds, *ready);
  }
  if (!python) return;
  auto inside = outcome.marked.find(std::string(kInsideMarker));
  if (inside == outcome.marked.end()) return;
  if (auto report = parse_inside_line(inside->second)) {
    sample.set(kInterpreterReadySeconds, report->ready_seconds);
    sample.set(kModulesFromPyc, report->from_pyc);
    sample.set(kModulesCompiled, report->compiled);
  }
}

Sample StartupMeasurer::measure(const Scenario& scenario, const std::string& image,
                                const StartupMode& mode, bool python, int repetition,
                                std::optional<std::chrono::milliseconds> timeout_override) {
  Sample sample;
  sample.scenario = scenario.name;
  sample.kind = SampleKind::kStartup;
  sample.state = mode.name;
  sample.repetition = repetition;
  sample.image_id = image;
  sample.started_at = iso8601_utc(std::chrono::system_clock::now());

  ContainerSpec spec = spec_for(scenario, image, mode, python);
  spec.name = fmt::format("{}-{}", name_prefix_, ++counter_);
  StartWatch watch;
  watch.ready_line = scenario.probe.ready_line;
  watch.command = scenario.probe.command;
  watch.timeout = timeout_override.value_or(scenario.probe.timeout);
  watch.linger = kMarkerGrace;
  if (!spec.entrypoint.empty()) watch.markers.emplace_back(kStartMarker);
  if (python) watch.markers.emplace_back(kInsideMarker);

  // By name: an interrupt during `docker create` leaves a container whose id we never saw.
  // Removal is a SIGKILL: a measured container has nothing left to tell.
  auto remove = [&] { engine_.remove_container(spec.name); };
  StartOutcome outcome;
  try {
    auto created = engine_.create_container(spec);
    if (!created.ok) {
      sample.status = SampleStatus::kFailed;
      sample.error = created.error;
      remove();
      return sample;
    }
    sample.set(kCreateSeconds, created.seconds);
    outcome = engine_.start_until_ready(created.id, watch);
  } catch (...) {
    remove();
    throw;
  }
  remove();
  if (outcome.interrupted) throw Interrupted();
  if (!outcome.ready) {
    sample.status = SampleStatus::kFailed;
    sample.error = outcome.tail.empty() ? "container never became ready" : outcome.tail;
    return sample;
  }
  sample.set(
      kStopSeconds,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - outcome.ready_tick).count());
  record(sample, outcome, python);
  return sample;
}

bool StartupMeasurer::runs_python(const Scenario& scenario, const std::string& image,
                                  std::optional<std::chrono::milliseconds> timeout_override) {
  const StartupMode& as_built = builtin_startup_modes().front();
  auto sample = measure(scenario, image, as_built, true, 0, timeout_override);
  return sample.get(kInterpreterReadySeconds) != nullptr;
}

}  // namespace bb
