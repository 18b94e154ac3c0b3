#pragma once
// The only boundary to Docker. The real implementation runs the docker CLI
// (argv vectors, no shell); tests substitute a fake.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker/rawjson.hpp"

namespace bb {

struct BuildRequest {
  std::filesystem::path context;
  std::filesystem::path dockerfile;
  std::string target;
  std::string tag;
  std::string network;  // passed as --network when not empty
  std::map<std::string, std::string> build_args;
  std::vector<std::string> secrets;  // passed through as --secret, never stored
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  std::function<void(const RawJsonParser&)> on_progress;
};

struct BuildOutcome {
  bool ok = false;
  int exit_code = -1;
  bool timed_out = false;
  bool interrupted = false;
  double seconds = 0;  // wall time of the buildx process
  std::vector<BuildStep> steps;
  std::vector<std::string> base_images;  // refs from "load metadata for ..."
  std::string error;                     // why it failed, one paragraph
  std::string image_id;
};

struct ImageInfo {
  std::string id;
  std::int64_t size_bytes = 0;
  std::map<std::string, std::string> labels;
};

struct LayerStats {
  int index = 0;
  std::string created_by;  // the instruction that made the layer
  std::int64_t size_bytes = 0;
  std::int64_t compressed_bytes = 0;
  std::int64_t pyc_count = 0;
  std::int64_t pyc_bytes = 0;
};

class DockerEngine {
 public:
  virtual ~DockerEngine() = default;
  virtual BuildOutcome build(const BuildRequest& request) = 0;
  // Empties the builder's cache, cache mounts included (`docker buildx prune -af`).
  virtual void prune_build_cache() = 0;
  virtual void remove_image(const std::string& ref) = 0;  // absent image: no error
  virtual std::optional<ImageInfo> inspect_image(const std::string& ref) = 0;
  // Per layer: size, gzip size, .pyc files (streams `docker save`).
  virtual std::vector<LayerStats> layer_stats(const std::string& ref) = 0;
  // Host and tool facts that explain the numbers.
  virtual nlohmann::json fingerprint() = 0;
};

}  // namespace bb
