#pragma once
// What the store's tests share: a scratch folder, a file's bytes, a build sample.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <unistd.h>

#include "model/sample.hpp"
#include "store/store.hpp"

namespace bb::test {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() /
           ("bb-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

inline std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A cold build of `scenario`: its time when it succeeded, an error when not, one cached step.
inline Sample build_sample(const std::string& scenario, double seconds,
                           SampleStatus status = SampleStatus::kOk) {
  Sample s;
  s.scenario = scenario;
  s.state = "cold";
  s.repetition = 1;
  s.status = status;
  s.started_at = "2026-11-25T00:00:00Z";
  if (status == SampleStatus::kOk) s.set("build_seconds", seconds);
  if (status != SampleStatus::kOk) s.error = "exit code: 3";
  BuildStep step;
  step.name = "[1/1] RUN x";
  step.started = 1.0;
  step.completed = 2.5;
  step.cached = true;
  s.steps.push_back(step);
  return s;
}

// A run of suite "s", begun in `store`: its id.
inline std::int64_t begin_test_run(Store& store) {
  RunRecord run;
  run.suite_name = "s";
  return store.begin_run(run);
}

}  // namespace bb::test
