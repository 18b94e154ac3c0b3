#pragma once
// `buildbench init`: guesses a scenario per Dockerfile in a folder (which file warm-code
// edits, which files warm-deps swaps, when a started container is ready) and writes a
// suite.toml and scenario.toml files that say what was guessed and how to change it.
#include <filesystem>
#include <string>
#include <vector>

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

// Dockerfiles (Dockerfile, *.Dockerfile, Dockerfile.*) under root, at most 3 folders deep,
// skipping hidden folders, node_modules, vendor folders and buildbench-edits.
std::vector<InitGuess> guess_scenarios(const std::filesystem::path& root);

std::string render_scenario_toml(const InitGuess& guess);
// Scenario paths are the guesses' scenario_dir, relative to the suite's folder (the root).
std::string render_suite_toml(const std::string& suite_name, const std::vector<InitGuess>& guesses);

// Writes root/suite.toml and each scenario.toml; keeps existing ones unless force. Returns
// the paths written; `messages` gets what was guessed and where to change it.
std::vector<std::string> write_init(const std::filesystem::path& root, bool force,
                                    std::vector<std::string>& messages);

}  // namespace bb
