#pragma once
// STUB (replaced by the changed branch): the agreed declarations only.
#include <filesystem>
#include <string>
#include <vector>

#include "model/run.hpp"

namespace bb {

struct InputChange {
  std::string input;
  std::string before, after;
  std::vector<std::string> files;
};
std::vector<InputChange> what_changed(const RunRecord& before, const RunRecord& after,
                                      const std::filesystem::path& git_dir);

}  // namespace bb
