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
  std::vector<std::string> secrets;     // passed through as --secret, never stored
  std::vector<std::string> cache_from;  // each passed as --cache-from (type=registry,ref=...)
  std::vector<std::string> cache_to;    // each passed as --cache-to
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
  std::vector<std::string> env;  // KEY=VALUE from the image config
};

struct ContainerSpec {
  std::string image;
  std::string name;
  std::map<std::string, std::string> env;
  std::string entrypoint;            // overrides the image's when not empty
  std::vector<std::string> command;  // overrides the image's CMD when not empty
  // host path -> container path, mounted read-only
  std::vector<std::pair<std::string, std::string>> readonly_mounts;
};

struct CreateOutcome {
  bool ok = false;
  std::string id;
  double seconds = 0;
  std::string error;
};

// How a started container ended for the measurement.
struct StartOutcome {
  bool ready = false;  // ready line seen / command succeeded / exited (baseline)
  bool timed_out = false;
  bool interrupted = false;
  int exit_code = -1;
  double seconds = 0;       // start to ready (or to exit)
  std::string inside_line;  // the probe's in-container report, when it printed one
  std::string tail;         // last lines of output, for failed samples
};

struct LayerStats {
  int index = 0;
  std::string created_by;  // the instruction that made the layer
  std::int64_t size_bytes = 0;
  std::int64_t compressed_bytes = 0;
  std::int64_t pyc_count = 0;
  std::int64_t pyc_bytes = 0;
};

// A push or a pull, timed.
struct TransferOutcome {
  bool ok = false;
  bool interrupted = false;
  double seconds = 0;
  // Push: short ids (12 hex digits) of the layers it uploaded, not those the registry held.
  std::vector<std::string> uploaded;
  std::string error;
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
  // Tags `image` as `remote_ref` and pushes it (the tag is removed afterwards).
  virtual TransferOutcome push_image(const std::string& image, const std::string& remote_ref) = 0;
  // Pulls `remote_ref`; the caller makes sure the engine lacks it.
  virtual TransferOutcome pull_image(const std::string& remote_ref) = 0;
  // Does the daemon answer? (Asked after a failure: a dead daemon stops the run.)
  virtual bool ping() = 0;
  // Host and tool facts that explain the numbers.
  virtual nlohmann::json fingerprint() = 0;

  // Containers (start-up measurement). Created with no network.
  virtual CreateOutcome create_container(const ContainerSpec& spec) = 0;
  // Starts attached; ready when a line matches `ready_line`, then waits briefly for a
  // line starting with `inside_marker`.
  virtual StartOutcome start_until_line(const std::string& id, const std::string& ready_line,
                                        const std::string& inside_marker,
                                        std::chrono::milliseconds timeout) = 0;
  // Starts attached; ready when the container exits (baseline containers).
  virtual StartOutcome start_until_exit(const std::string& id,
                                        std::chrono::milliseconds timeout) = 0;
  // Starts detached; ready when `command`, run in the container, first succeeds.
  virtual StartOutcome start_until_command(const std::string& id,
                                           const std::vector<std::string>& command,
                                           std::chrono::milliseconds timeout) = 0;
  virtual void remove_container(const std::string& id) = 0;  // force; absent: no error
  // Runs a command in a running container; returns exit code and output.
  virtual std::pair<int, std::string> exec(const std::string& id,
                                           const std::vector<std::string>& command) = 0;
};

}  // namespace bb
