#pragma once
// What differs between two runs' recorded inputs, the things that can move their numbers: the
// suite's commit (and the suite files it changed), each scenario's Dockerfile and context
// digest, every base image's id, the package index's content, the engine, BuildKit,
// containerd and runc versions, the kernel and the CPU. Plain data; values are short strings.
#include <filesystem>
#include <string>
#include <vector>

#include "model/run.hpp"

namespace bb {

struct InputChange {
  std::string input;               // "commit", "base image python:3.11", "dockerfile step-6-...",
                                   // "context step-6-...", "package index", "engine", "buildkit",
                                   // "containerd", "runc", "kernel", "cpu"
  std::string before, after;       // short values: "sha256:ab12cd34ef56", "26.1.5", "1a2b3c4";
                                   // "not recorded" for a run made before it was recorded
  std::vector<std::string> files;  // for "commit": the suite files the commits changed
};

// What differs between two runs' recorded inputs; `git_dir` (the suite's checkout, may be
// empty) lets a commit change list the files changed under the suite's folder
// (`git diff --name-only A B -- <suite dir>`, argv only); a commit not in the clone is said
// so ("not in this clone (shallow?)") in `files`, never an exception. An input one run did not
// record (a run older than the fact) is reported only when the other run's value is known,
// with "not recorded" on its side; never as a change of value between two known ones.
std::vector<InputChange> what_changed(const RunRecord& before, const RunRecord& after,
                                      const std::filesystem::path& git_dir);

// A side that did not record the input (a run older than the fact): not a change of value.
bool is_unknown(const InputChange& change);
// "base image python:3.11: sha256:ab12… → sha256:cd34…", "commit 1a2b3c4 → 5d6e7f8 changed
// step-6/Dockerfile" (the first five files, then "and N more").
std::string describe_change(const InputChange& change);
// One line: "base image python:3.11: sha256:ab… → sha256:cd…; commit 1a2b3c4 → 5d6e7f8
// changed a/Dockerfile".
std::string describe_changes(const std::vector<InputChange>& changes);

}  // namespace bb
