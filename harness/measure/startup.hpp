#pragma once
// Start-up time: container start to ready, with the image's bytecode and with none.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "docker/engine.hpp"
#include "model/sample.hpp"
#include "scenario/scenario.hpp"

namespace bb {

enum class BytecodeMode { kBytecode, kNone };
std::string to_string(BytecodeMode mode);

// The in-container probe (sitecustomize.py), embedded in the binary.
std::string_view probe_script();

struct InsideReport {
  double ready_seconds = 0;
  int from_pyc = 0;
  int compiled = 0;
};
inline constexpr std::string_view kInsideMarker = "buildbench-inside:";
std::optional<InsideReport> parse_inside_line(std::string_view line);

class StartupMeasurer {
 public:
  // probe_dir: a host folder holding sitecustomize.py, mounted read-only.
  StartupMeasurer(DockerEngine& engine, std::filesystem::path probe_dir, std::string name_prefix);
  Sample measure(const Scenario& scenario, const std::string& image, BytecodeMode mode,
                 int repetition, std::optional<std::chrono::milliseconds> timeout_override);

 private:
  ContainerSpec spec_for(const Scenario& scenario, const std::string& image, BytecodeMode mode);
  DockerEngine& engine_;
  std::filesystem::path probe_dir_;
  std::string name_prefix_;
  int counter_ = 0;
};

// Writes the probe script into `dir` (created if needed).
void write_probe(const std::filesystem::path& dir);

}  // namespace bb
