#include "scenario/edit_format.hpp"

#include <filesystem>
#include <vector>

#include <fmt/format.h>

namespace bb {
namespace fs = std::filesystem;

std::optional<std::string> nonce_comment(std::string_view filename, std::string_view token) {
  std::string name = fs::path(filename).filename().string();
  std::string ext = fs::path(filename).extension().string();
  auto hash = [&] { return fmt::format("\n# buildbench dependency edit {}\n", token); };
  auto slashes = [&] { return fmt::format("\n// buildbench dependency edit {}\n", token); };
  // Formats without comments: a nonce would break them.
  if (ext == ".json" || name == "go.sum" || name == "Gemfile.lock" || name == "Pipfile.lock") {
    return std::nullopt;
  }
  if (ext == ".xml") return fmt::format("\n<!-- buildbench dependency edit {} -->\n", token);
  if (name == "go.mod" || ext == ".gradle" || ext == ".kts" || ext == ".sbt") return slashes();
  // requirements*.txt, *.in, TOML (pyproject, poetry.lock, Cargo.lock, uv.lock), YAML,
  // setup.cfg, Pipfile, Gemfile, yarn.lock (v1 takes # comments), conanfile.txt.
  static const std::vector<std::string> hash_ext = {".txt", ".in",   ".toml", ".lock", ".cfg",
                                                    ".ini", ".yaml", ".yml",  ".pip"};
  for (const auto& e : hash_ext) {
    if (ext == e) return hash();
  }
  if (name == "Pipfile" || name == "Gemfile" || name == "requirements") return hash();
  return std::nullopt;
}

}  // namespace bb
