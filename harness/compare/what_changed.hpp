#pragma once
// Which recorded inputs differ between two runs (commit, Dockerfiles, base images, index,
// engine versions, host): the causes a paired regression or a shift can name.
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
