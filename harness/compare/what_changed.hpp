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

// A side that did not record the input (a run older than the fact): not a change of value.
bool is_unknown(const InputChange& change);
// "base image python:3.11: sha256:ab12… → sha256:cd34…", "commit 1a2b3c4 → 5d6e7f8 changed
// step-6/Dockerfile".
std::string describe_change(const InputChange& change);
// One line: the changes joined with "; ".
std::string describe_changes(const std::vector<InputChange>& changes);

}  // namespace bb
