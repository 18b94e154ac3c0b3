#pragma once
// A database holding a year of nightly history, made once per process.
#include <filesystem>

namespace bb::bench {

struct HistoryShape {
  int runs = 400;
  int scenarios = 10;
  int samples_per_state = 10;
  int startup_samples = 10;  // per bytecode mode
};

// Creates (or reuses) the history database and returns its path.
std::filesystem::path history_db(const HistoryShape& shape = {});

}  // namespace bb::bench
