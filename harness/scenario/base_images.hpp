#pragma once
// The base images a Dockerfile's FROM lines name: every stage's, for the run's fingerprint,
// and the final stage's, the one its image is built on (what a registry and a host that ran an
// earlier release already hold).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bb {

struct BaseImages {
  std::vector<std::string> all;  // every stage's base, in order, once each; no stage names
  // The last stage's base, through the stages it names; nullopt for scratch or unresolved.
  std::optional<std::string> final_base;
  std::string unresolved;  // the final chain's FROM an ARG left open ("" when none)
};

// `build_args` override the defaults of ARGs declared before the first FROM. Stage names
// match without case, as docker matches them; continuation lines are joined. Throws
// dockerfile::ParseError (a UsageError naming the line) for a Dockerfile BuildKit refuses.
BaseImages read_base_images(std::string_view text,
                            const std::map<std::string, std::string>& build_args = {});

}  // namespace bb
