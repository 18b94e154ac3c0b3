#pragma once
// Reads suite and scenario manifests (TOML). Every problem is a UsageError
// naming the file, the field and the fix.
#include <filesystem>
#include <map>
#include <string>

#include "scenario/scenario.hpp"

namespace bb {

struct ManifestVars {
  // Substituted for "{source}" in paths: a checkout the suite describes (--source).
  std::optional<std::filesystem::path> source;
};

Suite load_suite(const std::filesystem::path& file, const ManifestVars& vars = {});
// Parses from text; `file` names it in errors and anchors relative paths.
Suite parse_suite(std::string_view text, const std::filesystem::path& file,
                  const ManifestVars& vars = {});

}  // namespace bb
