#pragma once
// `buildbench init`'s guesses for one Dockerfile: what it copies from its context (read with
// dockerfile/ and the context's .dockerignore), which file warm-code edits, which files
// warm-deps swaps, when a started container is ready. init.cpp (scenario/init.hpp, the
// public side) names and writes them.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace bb {

// How the dependency edit is written. A swap needs a real alternative dependency set, which
// init cannot invent: it is written active only when the folder already holds one.
enum class DepsEditKind {
  kNone,      // no dependency file found: a commented template
  kSwap,      // buildbench-edits/<file> exists for every file and differs: active swap
  kAppend,    // vendored sources: a comment appended to one of them is a real change
  kTemplate,  // dependency files found, no usable alternative: commented out, with steps
};

struct InitGuess {
  std::filesystem::path scenario_dir;  // where scenario.toml goes, relative to the root
  std::string name;
  std::string dockerfile;  // relative to the context
  std::string code_file;   // relative to the context; empty when none was found
  std::string code_reason;
  std::vector<std::string> deps_files;  // relative to the context
  std::string deps_reason;
  std::string ready_line_hint;  // empty when the server is not recognised
  std::vector<std::string> notes;
  std::filesystem::path context;  // the Dockerfile's folder, relative to the root
  DepsEditKind deps_kind = DepsEditKind::kNone;
  std::string ready_reason;
};

}  // namespace bb

namespace bb::init {

inline constexpr const char* kEditsDir = "buildbench-edits";
inline constexpr const char* kVariantsDir = "buildbench-scenarios";

// Everything but the names and the scenario folder, which depend on the other Dockerfiles.
// Throws UsageError for a Dockerfile that cannot be read or that BuildKit would refuse.
InitGuess guess_one(const std::filesystem::path& root, const std::filesystem::path& dockerfile);

// Folders neither walked for Dockerfiles nor for context files (hidden, node_modules, ours).
bool skipped_folder(const std::string& name);

// The line comment of a source file's language ("#", "//"), "" when unknown.
std::string comment_syntax(std::string_view file);

// Where a dependency file's alternative lives: buildbench-edits/<file>.
std::filesystem::path alternative_of(const std::string& file);

inline std::string join(const std::vector<std::string>& items, std::string_view separator = ", ") {
  return fmt::format("{}", fmt::join(items, separator));
}

}  // namespace bb::init
