#pragma once
// A DockerEngine that records calls and returns scripted outcomes.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
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
  bool always_cached = false;  // a builder that ignores edits
  int builds = 0;
  std::function<void()> on_build;
  std::function<double(const BuildRequest&)> seconds_for;  // build time; 1 s when unset

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
    outcome.seconds = seconds_for ? seconds_for(request) : 1.0;
    // Like a builder: content seen since the last prune is served from cache.
    bool cached = !seen.insert(context_digest(request.context)).second || always_cached;
    for (const char* name : {"[1/2] COPY . .", "[2/2] RUN something"}) {
      BuildStep step;
      step.name = name;
      step.cached = cached;
      outcome.steps.push_back(step);
    }
    if (fail_builds) outcome.error = "step '[2/2] RUN something' failed: exit code: 3";
    if (!fail_builds) outcome.image_id = "sha256:image" + std::to_string(builds);
    return outcome;
  }
  void prune_build_cache() override {
    calls.push_back("prune");
    seen.clear();
  }
  std::set<std::string> seen;  // context contents built since the last prune
  static std::string context_digest(const std::filesystem::path& context) {
    std::map<std::string, std::string> files;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(context)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      files[entry.path().lexically_relative(context).string()] = text.str();
    }
    std::string all;
    for (const auto& [name, text] : files) all += name + '\0' + text + '\0';
    return all;
  }
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
  bool daemon_alive = true;
  bool ping() override { return daemon_alive; }

  // Containers: start-up takes `startup_seconds`, the baseline `baseline_seconds`.
  double startup_seconds = 0.5;
  double baseline_seconds = 0.1;
  bool never_ready = false;
  std::vector<ContainerSpec> created;
  std::vector<std::string> removed;
  CreateOutcome create_container(const ContainerSpec& spec) override {
    created.push_back(spec);
    calls.push_back("create " + spec.name);
    return {true, spec.name, 0.05, ""};
  }
  StartOutcome start_until_line(const std::string& id, const std::string&, const std::string&,
                                std::chrono::milliseconds) override {
    calls.push_back("start " + id);
    StartOutcome outcome;
    if (never_ready) {
      outcome.timed_out = true;
      outcome.tail = "not ready after 1 s; last output:\nBooting worker\n";
      return outcome;
    }
    outcome.ready = true;
    outcome.seconds = startup_seconds;
    outcome.inside_line = "buildbench-inside: ready_ns=400000000 from_pyc=90 compiled=10";
    return outcome;
  }
  StartOutcome start_until_exit(const std::string& id, std::chrono::milliseconds) override {
    calls.push_back("start-exit " + id);
    StartOutcome outcome;
    outcome.ready = true;
    outcome.seconds = baseline_seconds;
    return outcome;
  }
  StartOutcome start_until_command(const std::string& id, const std::vector<std::string>&,
                                   std::chrono::milliseconds timeout) override {
    return start_until_line(id, "", "", timeout);
  }
  void remove_container(const std::string& id) override { removed.push_back(id); }
  std::pair<int, std::string> exec(const std::string&, const std::vector<std::string>&) override {
    return {0, ""};
  }
};

}  // namespace bb::testing
