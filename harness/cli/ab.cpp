#include "cli/ab.hpp"

#include <unistd.h>

#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "scenario/revision.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

// One side's suite, and the checkout it lives in when it comes from a revision.
struct LoadedSide {
  std::unique_ptr<RevisionCheckout> checkout;
  std::optional<Suite> suite;
};

LoadedSide load_side(const std::string& name, const std::string& dir, const std::string& rev,
                     const AbArgs& args) {
  LoadedSide side;
  if (!dir.empty() && !rev.empty()) {
    throw UsageError(fmt::format("--{0} and --{0}-rev both name the {0}; give one", name));
  }
  if (!rev.empty()) {
    fs::path scratch = fs::temp_directory_path() /
                       fmt::format("buildbench-{}-rev-{}-{}", name, getpid(), tag_safe(rev));
    side.checkout = std::make_unique<RevisionCheckout>(args.suite_path, rev, scratch);
    side.suite = load_suite(side.checkout->suite_path(), args.vars);
    side.checkout->borrow_untracked(*side.suite);
    fmt::print(stderr, "buildbench: {} is {} ({}), checked out into {}\n", name, printable(rev),
               side.checkout->commit().substr(0, 12), scratch.string());
    return side;
  }
  if (dir.empty() && name == "baseline") {
    throw UsageError(
        "ab needs a baseline: --baseline DIR (a suite folder) or --baseline-rev REV (a revision "
        "of the repository holding --suite)");
  }
  side.suite = load_suite(dir.empty() ? args.suite_path : dir, args.vars);
  return side;
}

}  // namespace

int run_ab(AbArgs args) {
  LoadedSide baseline = load_side("baseline", args.baseline_dir, args.baseline_rev, args);
  LoadedSide candidate = load_side("candidate", args.candidate_dir, args.candidate_rev, args);
  if (baseline.checkout) args.options.baseline_revision = baseline.checkout->commit();
  if (candidate.checkout) args.options.candidate_revision = candidate.checkout->commit();
  AbResult result = execute_ab(*baseline.suite, *candidate.suite, args.options, args.db_path,
                               args.no_wait, args.builder);
  fmt::print("{} {}\n", result.baseline_run, result.candidate_run);
  return kExitOk;
}

}  // namespace bb
