#pragma once
// `buildbench nightly`: run, compare with the previous nightly (and a pinned reference),
// look for lasting shifts over the history, regenerate the report.
#include <string>

#include "compare/compare.hpp"
#include "measure/runner.hpp"
#include "scenario/manifest.hpp"

namespace bb {

struct NightlyArgs {
  std::string suite_path;
  ManifestVars vars;
  RunOptions run;  // runs, startup runs, timeouts; labels are added
  std::string db_path;
  std::string out_dir;
  std::string reference;  // run selector, or ""
  std::string date;       // YYYY-MM-DD, default today (UTC)
  std::string builder;
  bool no_wait = false;
  CompareOptions compare;  // alpha and thresholds for both comparisons
};

int run_nightly(const NightlyArgs& args);

}  // namespace bb
