#pragma once
// `buildbench init`: guesses a scenario per Dockerfile in a folder (which file warm-code
// edits, which files warm-deps swaps, when a started container is ready) and writes a
// suite.toml and scenario.toml files that say what was guessed and how to change it.
#include <filesystem>
#include <string>
#include <vector>

#include "scenario/init_guess.hpp"  // InitGuess, DepsEditKind

namespace bb {

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
