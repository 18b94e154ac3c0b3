#pragma once
// A build step as BuildKit reports it, for tests of the code that reads steps.
#include <string>

#include "model/build_step.hpp"

namespace bb::testing {

inline BuildStep step(std::string name, bool cached) {
  BuildStep s;
  s.name = std::move(name);
  s.cached = cached;
  return s;
}

}  // namespace bb::testing
