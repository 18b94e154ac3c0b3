#pragma once
// Start-up time: from the container's own process start to its ready line, per start-up mode.
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "docker/engine.hpp"
#include "model/sample.hpp"
#include "scenario/scenario.hpp"

namespace bb {

// The in-container Python probe (sitecustomize.py), embedded in the binary.
std::string_view probe_script();

struct InsideReport {
  double ready_seconds = 0;
  int from_pyc = 0;
  int compiled = 0;
};
inline constexpr std::string_view kInsideMarker = "buildbench-inside:";
std::optional<InsideReport> parse_inside_line(std::string_view line);

// Seconds from the start stamp the container printed (its main process start) to the wall
// clock when buildbench read the ready line. Both come from the kernel's CLOCK_REALTIME, so
// only a clock step in between could make it negative; nothing when there is no stamp.
std::optional<double> ready_after_stamp(const StartOutcome& outcome);

class StartupMeasurer {
 public:
  // tools_dir: a host folder from write_startup_tools, mounted read-only into containers.
  StartupMeasurer(DockerEngine& engine, std::filesystem::path tools_dir, std::string name_prefix);
  // python: mount the Python probe, which adds the interpreter's own view to the sample.
  Sample measure(const Scenario& scenario, const std::string& image, const StartupMode& mode,
                 bool python, int repetition,
                 std::optional<std::chrono::milliseconds> timeout_override);
  // One unmeasured start as built, with the Python probe: is the service a Python program
  // (did the interpreter that printed the ready line load the probe)?
  bool runs_python(const Scenario& scenario, const std::string& image,
                   std::optional<std::chrono::milliseconds> timeout_override);

 private:
  ContainerSpec spec_for(const Scenario& scenario, const std::string& image,
                         const StartupMode& mode, bool python);
  void record(Sample& sample, const StartOutcome& outcome, bool python) const;
  const ImageInfo& image_info(const std::string& image);
  DockerEngine& engine_;
  std::filesystem::path tools_dir_;
  std::string name_prefix_;
  std::map<std::string, ImageInfo> images_;
  int counter_ = 0;
};

// Writes the start stamp program and the Python probe into `dir` (created if needed).
void write_startup_tools(const std::filesystem::path& dir);

}  // namespace bb
