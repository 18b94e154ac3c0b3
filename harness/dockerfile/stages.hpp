#pragma once
// Build stages: each FROM, its name (`AS name`, matched without case as BuildKit does), the
// earlier stage its base names, and the ARGs FROM can read (those before the first FROM,
// build args overriding their defaults).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dockerfile/reader.hpp"

namespace bb::dockerfile {

using Args = std::map<std::string, std::string>;

// `ARG NAME`, `ARG NAME=value`, several in one instruction.
struct ArgDeclaration {
  std::string name;
  std::optional<std::string> value;  // quotes removed; nullopt without a default
};
std::vector<ArgDeclaration> arg_declarations(const Instruction& arg, char escape = '\\');

// "$NAME", "${NAME}", "${NAME:-default}", "${NAME:+alternative}" replaced from `args`. A
// name without a value is left as written, so a caller can see what stayed open.
std::string expand_args(std::string_view text, const Args& args);

// The global ARGs with their values: declared before the first FROM, a build arg given for
// one overriding its default (a build arg no ARG declares is not one). A default may read
// an earlier global ARG.
Args global_args(const Dockerfile& file, const Args& build_args = {});

struct Stage {
  std::string base;                   // FROM's image or stage, global ARGs expanded
  std::string name;                   // `AS name` in lower case; empty when unnamed
  std::vector<Flag> flags;            // --platform
  std::size_t instruction = 0;        // index of its FROM among the instructions
  std::optional<std::size_t> parent;  // the earlier stage its base names
};

std::vector<Stage> stages_of(const Dockerfile& file, const Args& build_args = {});

// The stage a build ends at through the stages it names: the first of the chain that
// starts from an image (or scratch), going back from `stage`.
std::size_t chain_root(const std::vector<Stage>& stages, std::size_t stage);

// `text` with each FROM whose base (global ARGs expanded) is a key of `renamed` naming its
// value instead, its flags and stage name kept; every other line as written, and a FROM over
// continuation lines becomes one line followed by blank ones, so line numbers stay the same.
std::string with_bases_renamed(std::string_view text, const Args& build_args,
                               const std::map<std::string, std::string>& renamed);

}  // namespace bb::dockerfile
