#pragma once
// One build step as BuildKit reported it (a vertex of the build graph).
#include <optional>
#include <string>

namespace bb {

struct BuildStep {
  std::string digest;
  std::string name;                 // "[stage 2/5] RUN pip install ..." or "[internal] ..."
  std::optional<double> started;    // unix seconds
  std::optional<double> completed;  // unix seconds
  bool cached = false;
  std::string error;
  std::string log_tail;  // last output of the step (for failed steps)
  // A FROM that pulled its image: the layer bytes BuildKit reported downloading (its
  // "sha256:<layer>" statuses). Read from the build's stream, not stored with the sample.
  double pulled_bytes = 0;

  // A Dockerfile instruction that can be cached (not FROM, not [internal], not export).
  bool is_instruction() const;
  double seconds() const;  // completed - started, 0 when either is missing
};

}  // namespace bb
