#pragma once
// Runs one of the SciPy reference scripts beside these tests on a JSON file of cases and
// returns what it printed, parsed. Debian's python3 has python3-scipy (scripts/lab-install).
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "util/process.hpp"

namespace bb::testing {

inline nlohmann::json scipy_reference(const std::string& script, const nlohmann::json& cases) {
  const char* python = "/usr/bin/python3";
  if (!std::filesystem::exists(python)) FAIL("Debian's python3 is needed (scripts/lab-install)");
  auto input = std::filesystem::temp_directory_path() / ("bb-" + script + "-input.json");
  std::ofstream(input) << cases.dump();
  ProcessOptions options;
  options.argv = {python, std::string(BUILDBENCH_SOURCE_DIR) + "/tests/stats/" + script,
                  input.string()};
  auto result = run_process(options);
  std::filesystem::remove(input);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  return nlohmann::json::parse(result.out);
}

}  // namespace bb::testing
