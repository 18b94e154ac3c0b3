#pragma once
// What each cache state promises, checked on the steps a build reported:
//   cold           no instruction served from cache;
//   warm-nochange  every instruction served from cache;
//   warm-code/deps every COPY or ADD that reads an edited file ran (the edit reached the build);
//   cold-pull      cold's, and every FROM image named in the registry was pulled from it.
// A sample that breaks its state's contract did not measure what its name says: it is
// stored as failed with the reason, never as a measurement.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "docker/rawjson.hpp"
#include "dockerfile/copy.hpp"
#include "scenario/scenario.hpp"

namespace bb {

// A COPY or ADD as BuildKit names its vertex ("[stage 3/7] COPY --chown=a a.txt b/ ./").
struct CopyStep {
  std::string instruction;           // "COPY requirements.txt ./", without the "[...] " prefix
  dockerfile::Copy copy;             // its flags, sources (context ones only) and destination
  std::vector<std::string> sources;  // the context sources, cleaned: "./src/" is "src"
};

// Nothing for other steps and for copies from stages, images or URLs.
std::optional<CopyStep> parse_copy_step(std::string_view step_name);

// Whether a source of the copy names `file` (relative to the context): equal, a folder
// holding it, "." or a glob matching it or one of its folders (BuildKit's rules: `**`
// crosses folders only with --parents), unless --exclude leaves it out.
bool copy_reads(const CopyStep& copy, std::string_view file);

// The files an edit changes in the context.
std::vector<std::string> edited_files(const FileEdit& edit);

// cold-pull's half beyond cold's: each of `images` (as the FROM lines name them) has a FROM
// step that downloaded at least half its layers' compressed bytes (`layer_bytes`, the same
// order; 0: unknown, any download counts). Empty when so; otherwise the reason.
std::string pull_violation(const std::vector<std::string>& images,
                           const std::vector<double>& layer_bytes,
                           const std::vector<BuildStep>& steps);

// Empty when the steps honour the state's contract; otherwise the reason.
std::string contract_violation(CacheState state, const std::vector<std::string>& edited,
                               const std::vector<BuildStep>& steps);

}  // namespace bb
