#pragma once
// What an image weighs: per layer and in all (plain data, measured from `docker save`).
#include <cstdint>
#include <string>
#include <vector>

namespace bb {

struct LayerStats {
  int index = 0;
  std::string created_by;  // the instruction that made the layer
  std::int64_t size_bytes = 0;
  std::int64_t compressed_bytes = 0;
  std::int64_t pyc_count = 0;
  std::int64_t pyc_bytes = 0;
};
struct ImageRecord {
  std::string image_id;
  std::int64_t size_bytes = 0;
  std::int64_t compressed_bytes = 0;
  std::int64_t pyc_count = 0;
  std::int64_t pyc_bytes = 0;
  std::vector<LayerStats> layers;
};

}  // namespace bb
