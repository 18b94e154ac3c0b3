#pragma once
// Imports runs from another buildbench database (one per machine), keeping their
// fingerprints; runs already present (same uuid) are skipped, so merging is idempotent.
#include <filesystem>

#include "store/store.hpp"

namespace bb {

struct MergeResult {
  std::size_t imported = 0;
  std::size_t skipped = 0;
  std::size_t samples = 0;
};

// Refuses (UsageError) a source whose schema version differs from this buildbench's.
MergeResult merge_database(Store& target, const std::filesystem::path& source);

}  // namespace bb
