#pragma once
// Makes the content edits of the warm states. Every edit must produce content the
// builder has never seen, in every repetition and every run: the edit token joins
// the edit's number to a nonce drawn once per Runner (so per run and per resume).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"

namespace bb {

// A random token for one run's edits (12 hex digits).
std::string make_edit_nonce();

class EditMaker {
 public:
  explicit EditMaker(std::string nonce) : nonce_(std::move(nonce)) {}
  // Applies one edit to the scratch context; returns the token it wrote.
  std::string apply(const FileEdit& edit, const std::filesystem::path& context);
  const std::string& nonce() const { return nonce_; }

 private:
  std::string nonce_;
  int counter_ = 0;
};

}  // namespace bb
