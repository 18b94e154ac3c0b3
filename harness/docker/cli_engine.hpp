#pragma once
#include <map>
#include <optional>
#include <string>

#include "docker/engine.hpp"

namespace bb {

// The BuildKit release line an engine version embeds, for engines whose builder reports
// "v0.0.0+unknown" (distribution builds); nothing for versions not in the table.
std::optional<std::string> embedded_buildkit(std::string_view engine_version);

// DockerEngine over the docker CLI and its buildx plugin.
class CliDockerEngine : public DockerEngine {
 public:
  // `host` (a DOCKER_HOST value) selects another daemon than the environment's: a pull engine.
  explicit CliDockerEngine(std::string builder = "", std::string host = "");
  BuildOutcome build(const BuildRequest& request) override;
  void prune_build_cache() override;
  void remove_image(const std::string& ref) override;
  std::vector<std::string> image_refs() override;
  void remove_if_unused(const std::string& image_id) override;
  std::optional<ImageInfo> inspect_image(const std::string& ref) override;
  std::vector<LayerStats> layer_stats(const std::string& ref) override;
  TransferOutcome push_image(const std::string& image, const std::string& remote_ref) override;
  TransferOutcome pull_image(const std::string& remote_ref) override;
  std::string restore_image(const std::string& remote_ref, const std::string& local_ref) override;
  nlohmann::json fingerprint() override;
  bool ping() override;
  bool builds_in_daemon_store() const override { return builder_.empty() || !context_.empty(); }
  CreateOutcome create_container(const ContainerSpec& spec) override;
  StartOutcome start_until_ready(const std::string& id, const StartWatch& watch) override;
  void remove_container(const std::string& id) override;
  std::pair<int, std::string> exec(const std::string& id,
                                   const std::vector<std::string>& command) override;
  std::pair<int, std::string> run_once(const std::string& image,
                                       const std::vector<std::string>& command) override;

  // argv of the build, exposed for tests (no shell is ever involved).
  std::vector<std::string> build_argv(const BuildRequest& request,
                                      const std::string& metadata_file) const;

 private:
  StartOutcome start_attached(const std::string& id, const StartWatch& watch);
  StartOutcome start_and_poll(const std::string& id, const StartWatch& watch);
  std::vector<std::string> buildx(std::initializer_list<std::string> args) const;
  std::vector<std::string> docker(std::initializer_list<std::string> args) const;
  std::string builder_;
  std::string context_;
  std::string host_;
  std::map<std::string, LayerStats> layer_cache_;
};

// Throws EnvironmentError with a fix when no daemon answers.
void require_engine();

}  // namespace bb
