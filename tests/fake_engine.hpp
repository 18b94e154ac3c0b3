#pragma once
// A DockerEngine that records calls and returns scripted outcomes.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "docker/engine.hpp"

namespace bb::testing {

class FakeDockerEngine : public DockerEngine {
 public:
  std::vector<std::string> calls;
  std::vector<std::string> built_contents;  // content of watch_file at each build
  std::string watch_file;                   // relative to the context
  bool fail_builds = false;
  int builds = 0;
  std::function<void()> on_build;

  BuildOutcome build(const BuildRequest& request) override {
    ++builds;
    calls.push_back("build " + request.tag);
    if (!watch_file.empty()) {
      std::ifstream in(request.context / watch_file);
      std::stringstream text;
      text << in.rdbuf();
      built_contents.push_back(text.str());
    }
    if (on_build) on_build();
    BuildOutcome outcome;
    outcome.ok = !fail_builds;
    outcome.exit_code = fail_builds ? 1 : 0;
    outcome.seconds = 1.0;
    BuildStep step;
    step.name = "[2/2] RUN something";
    step.cached = builds % 2 == 0;
    outcome.steps.push_back(step);
    if (fail_builds) outcome.error = "step '[2/2] RUN something' failed: exit code: 3";
    if (!fail_builds) outcome.image_id = "sha256:image" + std::to_string(builds);
    return outcome;
  }
  void prune_build_cache() override { calls.push_back("prune"); }
  void remove_image(const std::string& ref) override { calls.push_back("rmi " + ref); }
  std::optional<ImageInfo> inspect_image(const std::string& ref) override {
    calls.push_back("inspect " + ref);
    ImageInfo info;
    info.id = ref;
    info.size_bytes = 1000;
    return info;
  }
  std::vector<LayerStats> layer_stats(const std::string& ref) override {
    calls.push_back("layers " + ref);
    LayerStats layer;
    layer.size_bytes = 1000;
    layer.compressed_bytes = 400;
    layer.pyc_count = 2;
    layer.pyc_bytes = 50;
    return {layer};
  }
  nlohmann::json fingerprint() override { return {{"host", "fake"}}; }
};

}  // namespace bb::testing
