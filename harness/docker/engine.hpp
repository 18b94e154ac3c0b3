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
#include "model/image.hpp"

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
  // Figures the build's own report gives, by catalog name (model/metrics.hpp); the runner
  // stores them as they are, so a metric measured here needs no change elsewhere.
  std::map<std::string, double> metrics;
};

struct ImageInfo {
  std::string id;
  std::int64_t size_bytes = 0;
  std::map<std::string, std::string> labels;
  std::vector<std::string> env;         // KEY=VALUE from the image config
  std::vector<std::string> entrypoint;  // Config.Entrypoint
  std::vector<std::string> cmd;         // Config.Cmd
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

// What a start waits for: a line matching `ready_line`, or `command` (run in the container)
// succeeding. Lines starting with one of `markers` are kept; once ready, the start waits at
// most `linger` for markers not yet seen, then stops.
struct StartWatch {
  std::string ready_line;
  std::vector<std::string> command;
  std::vector<std::string> markers;
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};
  std::chrono::milliseconds linger{std::chrono::milliseconds(500)};
};

// How a started container ended for the measurement.
struct StartOutcome {
  bool ready = false;  // ready line seen / command succeeded
  bool timed_out = false;
  bool interrupted = false;
  int exit_code = -1;
  double seconds = 0;                                // docker start to ready
  std::chrono::system_clock::time_point ready_at;    // wall clock when ready was seen
  std::chrono::steady_clock::time_point ready_tick;  // the same instant, for durations
  std::map<std::string, std::string> marked;         // marker -> first line starting with it
  std::string tail;                                  // last lines of output, for failed samples
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
  // Every "repository:tag" the engine holds.
  virtual std::vector<std::string> image_refs() = 0;
  // Removes an image only when no tag names it and no container uses it; anything else,
  // absence included, is left as it is.
  virtual void remove_if_unused(const std::string& image_id) = 0;
  virtual std::optional<ImageInfo> inspect_image(const std::string& ref) = 0;
  // Per layer: size, gzip size, .pyc files (streams `docker save`).
  virtual std::vector<LayerStats> layer_stats(const std::string& ref) = 0;
  // Tags `image` as `remote_ref` and pushes it (the tag is removed afterwards).
  virtual TransferOutcome push_image(const std::string& image, const std::string& remote_ref) = 0;
  // Pulls `remote_ref`; the caller makes sure the engine lacks it.
  virtual TransferOutcome pull_image(const std::string& remote_ref) = 0;
  // Puts an image back under `local_ref` from `remote_ref` (pulled, tagged, the remote tag
  // removed), running to the end after an interrupt too: it undoes a protocol's removal.
  // Empty when done, else why not.
  virtual std::string restore_image(const std::string& remote_ref,
                                    const std::string& local_ref) = 0;
  // Does the daemon answer? (Asked after a failure: a dead daemon stops the run.)
  virtual bool ping() = 0;
  // Whether builds run on the daemon's own BuildKit (the docker driver), whose image store
  // keeps a base's layers while any image built on that base exists; a docker-container or
  // remote builder keeps its own store, which a prune empties.
  virtual bool builds_in_daemon_store() const { return true; }
  // Host and tool facts that explain the numbers.
  virtual nlohmann::json fingerprint() = 0;

  // Containers (start-up measurement). Created with no network.
  virtual CreateOutcome create_container(const ContainerSpec& spec) = 0;
  // Starts the container and watches it until ready, timed out or exited; never stops it
  // (remove_container does, at once).
  virtual StartOutcome start_until_ready(const std::string& id, const StartWatch& watch) = 0;
  // SIGKILL and remove, never a graceful stop; absent: no error.
  virtual void remove_container(const std::string& id) = 0;
  // Runs a command in a running container; returns exit code and output.
  virtual std::pair<int, std::string> exec(const std::string& id,
                                           const std::vector<std::string>& command) = 0;
  // Runs `command` (its first word the entrypoint) in a new container of `image`, with no
  // network, removed after: to read a fact off an image. Exit code, and standard output when
  // it succeeded (its error output when not).
  virtual std::pair<int, std::string> run_once(const std::string& image,
                                               const std::vector<std::string>& command) = 0;
};

}  // namespace bb
