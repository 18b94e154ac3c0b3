#pragma once
// `buildbench ab`: a baseline and a candidate version of a suite, measured side by side.
#include <string>

#include "measure/ab_runner.hpp"
#include "scenario/manifest.hpp"

namespace bb {

struct AbArgs {
  // Each side is a folder (a suite or its suite.toml), or a revision of the repository that
  // holds `suite_path`; a candidate given neither is `suite_path` as it is.
  std::string baseline_dir, candidate_dir;
  std::string baseline_rev, candidate_rev;
  std::string suite_path;
  ManifestVars vars;
  AbOptions options;
  std::string db_path;
  std::string builder;
  bool no_wait = false;
};

// Prints "BASELINE_RUN CANDIDATE_RUN" on stdout; returns the exit code.
int run_ab(AbArgs args);

}  // namespace bb
