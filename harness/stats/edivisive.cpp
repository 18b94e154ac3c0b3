// STUB (replaced by the edivisive branch): finds nothing.
#include "stats/edivisive.hpp"

namespace bb::stats {

std::vector<ChangePoint> e_divisive(const std::vector<std::vector<double>>&,
                                    const EDivisiveOptions&) {
  return {};
}

}  // namespace bb::stats
