#pragma once
// A database holding a year of nightly history, made once per process.
#include <filesystem>
#include <string>

#include "model/sample.hpp"

namespace bb::bench {

struct HistoryShape {
  int runs = 400;
  int scenarios = 10;
  int samples_per_state = 10;
  int startup_samples = 10;  // per bytecode mode
};

// A build sample as the runner stores one: its time, image sizes (a base plus `extra_bytes`)
// and seven BuildKit steps, three of them cached.
Sample build_sample(const std::string& scenario, const std::string& state, int repetition,
                    double seconds, const std::string& image_id, double extra_bytes = 0);

// Creates (or reuses) the history database and returns its path.
std::filesystem::path history_db(const HistoryShape& shape = {});

}  // namespace bb::bench
