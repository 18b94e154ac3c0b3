#pragma once
// A revision of the git repository that holds a suite, checked out into a scratch worktree
// (`git worktree add --detach`) so that `buildbench ab` can measure it without touching the
// user's checkout; removed again (`git worktree remove --force`) when the object goes.
#include <filesystem>
#include <string>

#include "scenario/scenario.hpp"

namespace bb {

class RevisionCheckout {
 public:
  // suite: the suite (its folder or suite.toml) in the user's checkout; scratch: a folder
  // that does not exist yet. Throws UsageError for an unknown revision or a suite outside git.
  RevisionCheckout(const std::filesystem::path& suite, const std::string& revision,
                   const std::filesystem::path& scratch);
  ~RevisionCheckout();
  RevisionCheckout(const RevisionCheckout&) = delete;
  RevisionCheckout& operator=(const RevisionCheckout&) = delete;

  const std::filesystem::path& suite_path() const { return suite_; }  // inside the checkout
  const std::string& commit() const { return commit_; }
  // Generated folders that git does not track (the package index) exist only in the user's
  // checkout: a suite's index missing from the checkout is taken from there.
  void borrow_untracked(Suite& suite) const;

 private:
  std::filesystem::path top_;       // the user's working tree
  std::filesystem::path worktree_;  // the scratch checkout
  std::filesystem::path suite_;
  std::string commit_;
};

}  // namespace bb
