#pragma once
// COPY and ADD: their flags, sources and destination, and which context files a source
// reads. The same reader serves Dockerfile text and BuildKit's step names, which repeat it.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dockerfile/glob.hpp"
#include "dockerfile/reader.hpp"

namespace bb::dockerfile {

struct Copy {
  std::vector<Flag> flags;
  std::optional<std::string> from;    // --from: another stage, an image or a named context
  bool parents = false;               // --parents: `**` crosses folders, `/./` pivots
  std::vector<std::string> excludes;  // --exclude patterns
  std::vector<std::string> sources;   // as written; URLs and git addresses included
  std::vector<std::string> heredocs;  // `<<EOF` sources: inline files, not the context
  std::string destination;
  bool json = false;     // the JSON form
  std::string operands;  // the text after the flags
};

// `args` is what follows the keyword. nullopt without a source and a destination.
std::optional<Copy> parse_copy(std::string_view args);
// The same from operands already split (sources then the destination).
std::optional<Copy> make_copy(std::vector<Flag> flags, std::vector<std::string> operands,
                              bool json);

// A URL or a git address: ADD fetches it, the context has no part in it.
bool is_remote(std::string_view source);

// One context source of a COPY or ADD, ready to match context paths.
class SourceMatcher {
 public:
  SourceMatcher(std::string_view source, const Copy& copy);
  // The length of what the source names in `file` (relative to the context): the whole
  // file, the folder holding it that the source names, or 0 for the whole context.
  // nullopt when the source does not bring the file in (or --exclude leaves it out).
  std::optional<std::size_t> match(std::string_view file) const;
  const std::string& path() const { return path_; }  // cleaned: "./src/" is "src"

 private:
  std::string path_;
  bool literal_ = true;
  std::optional<Glob> glob_;  // nullopt for a literal path; or malformed: matches nothing
  std::string exclude_root_;  // the folder --exclude patterns are relative to
  std::vector<Glob> excludes_;
};

// Whether any context source of the copy brings in `file` (relative to the context).
bool copy_reads(const Copy& copy, std::string_view file);

}  // namespace bb::dockerfile
