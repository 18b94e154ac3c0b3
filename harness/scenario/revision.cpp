#include "scenario/revision.hpp"

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/git.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

ProcessResult git(const fs::path& dir, const std::vector<std::string>& args, bool cleanup = false) {
  return run_git(dir, args, {std::chrono::minutes(5), cleanup});  // a checkout can be large
}

bool inside(const fs::path& child, const fs::path& parent) {
  auto relative = child.lexically_relative(parent);
  return !relative.empty() && *relative.begin() != "..";
}

}  // namespace

RevisionCheckout::RevisionCheckout(const fs::path& suite, const std::string& revision,
                                   const fs::path& scratch) {
  fs::path folder = fs::is_directory(suite) ? suite : suite.parent_path();
  folder = fs::weakly_canonical(fs::absolute(folder));
  auto top = git(folder, {"rev-parse", "--show-toplevel"});
  if (!top.ok()) {
    throw UsageError(fmt::format(
        "revision '{}': the suite {} is not in a git repository; give the sides as folders "
        "with --baseline DIR --candidate DIR",
        printable(revision), folder.string()));
  }
  top_ = fs::weakly_canonical(std::string(trim(top.out)));
  auto commit = git(top_, {"rev-parse", "--verify", "--quiet", revision + "^{commit}"});
  if (!commit.ok() || revision.empty() || revision[0] == '-') {
    throw UsageError(fmt::format("revision '{}' is not a commit of {}; see 'git log'",
                                 printable(revision), top_.string()));
  }
  commit_ = std::string(trim(commit.out));
  auto added = git(top_, {"worktree", "add", "--detach", scratch.string(), commit_});
  if (!added.ok()) {
    throw EnvironmentError(
        fmt::format("cannot check out {} into {}: {}", commit_, scratch.string(), trim(added.err)));
  }
  worktree_ = scratch;
  fs::path relative = fs::weakly_canonical(fs::absolute(suite)).lexically_relative(top_);
  suite_ = relative == "." ? worktree_ : worktree_ / relative;
}

RevisionCheckout::~RevisionCheckout() {
  try {
    auto removed = git(top_, {"worktree", "remove", "--force", worktree_.string()}, true);
    if (!removed.ok()) {
      std::error_code ignored;
      fs::remove_all(worktree_, ignored);
      git(top_, {"worktree", "prune"}, true);
    }
  } catch (const std::exception&) {
    // Never throw from cleanup; a stale entry goes with the next 'git worktree prune'.
  }
}

void RevisionCheckout::borrow_untracked(Suite& suite) const {
  if (!suite.index || fs::exists(*suite.index) || !inside(*suite.index, worktree_)) return;
  fs::path theirs = top_ / suite.index->lexically_relative(worktree_);
  if (fs::exists(theirs)) suite.index = theirs;
}

}  // namespace bb
