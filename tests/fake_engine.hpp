#pragma once
// A DockerEngine that records calls and returns scripted outcomes.
#include <algorithm>
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
  std::map<std::string, double> reported_metrics;          // BuildOutcome::metrics of each build
  std::vector<std::filesystem::path> dockerfiles;          // each build's Dockerfile
  std::vector<std::string> dockerfile_texts;               // and its text then
  std::vector<BuildStep> from_steps;                       // each build's steps begin with these

  std::string image_prefix = "sha256:image";  // each build's image id: prefix, build count
  bool builds_hold_tags = false;  // a build leaves its tag in image_refs(), as a daemon's does
  BuildOutcome build(const BuildRequest& request) override {
    ++builds;
    if (builds_hold_tags && std::find(held.begin(), held.end(), request.tag) == held.end())
      held.push_back(request.tag);
    std::string call = "build " + request.tag;
    for (const auto& from : request.cache_from) call += " --cache-from " + from;
    for (const auto& to : request.cache_to) call += " --cache-to " + to;
    calls.push_back(call);
    dockerfiles.push_back(request.dockerfile);
    {
      std::ifstream in(request.dockerfile);
      std::stringstream text;
      text << in.rdbuf();
      dockerfile_texts.push_back(text.str());
    }
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
    outcome.metrics = reported_metrics;
    // Like a builder: content seen since the last prune is served from cache.
    bool cached = !seen.insert(context_digest(request.context)).second || always_cached;
    // An imported cache serves the step before the COPY, as a registry cache would.
    bool imported = !request.cache_from.empty() && !ignore_cache_from;
    outcome.steps = from_steps;
    if (imported) outcome.steps.push_back(named("importing cache manifest from fake", false));
    outcome.steps.push_back(named("[1/3] WORKDIR /app", cached || imported));
    for (const char* name : {"[2/3] COPY . .", "[3/3] RUN something"}) {
      bool hit = cached || (partly_cached.count(builds) && name[1] == '3');
      outcome.steps.push_back(named(name, hit));
    }
    if (!request.cache_to.empty() && request.cache_to[0] != "type=inline")
      outcome.steps.push_back(named("exporting cache to registry", false));
    if (fail_builds) outcome.error = "step '[2/2] RUN something' failed: exit code: 3";
    if (!fail_builds) outcome.image_id = image_prefix + std::to_string(builds);
    return outcome;
  }
  bool ignore_cache_from = false;  // a cache import that finds nothing
  std::set<int> partly_cached;     // builds (1-based) whose last step comes from cache
  static BuildStep named(const std::string& name, bool cached) {
    BuildStep step;
    step.name = name;
    step.cached = cached;
    step.started = 0;
    step.completed = 0.25;
    return step;
  }
  // Pushes and pulls: what was pushed, and scripted outcomes.
  std::vector<std::string> pushed;
  bool fail_push = false;
  double push_seconds = 2.0, pull_seconds = 3.0;
  TransferOutcome push_image(const std::string& image, const std::string& remote_ref) override {
    calls.push_back("push " + image + " " + remote_ref);
    pushed.push_back(remote_ref);
    TransferOutcome outcome;
    outcome.ok = !fail_push;
    outcome.seconds = push_seconds;
    outcome.uploaded = {"aaaaaaaaaaaa"};
    if (fail_push) outcome.error = "docker push " + remote_ref + " failed: connection refused";
    return outcome;
  }
  TransferOutcome pull_image(const std::string& remote_ref) override {
    calls.push_back("pull " + remote_ref);
    TransferOutcome outcome;
    outcome.ok = true;
    outcome.seconds = pull_seconds;
    return outcome;
  }
  std::string fail_restore;  // restore_image's error ("" restores)
  std::string restore_image(const std::string& remote_ref, const std::string& local_ref) override {
    calls.push_back("restore " + remote_ref + " " + local_ref);
    return fail_restore;
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
  void remove_image(const std::string& ref) override {
    calls.push_back("rmi " + ref);
    held.erase(std::remove(held.begin(), held.end(), ref), held.end());
  }
  std::vector<std::string> held;  // what image_refs() lists
  std::vector<std::string> image_refs() override { return held; }
  void remove_if_unused(const std::string& id) override { calls.push_back("rmi-unused " + id); }
  std::vector<std::string> image_cmd = {"python", "app.py"};  // Config.Cmd of every image
  std::set<std::string> missing_images;                       // refs inspect_image does not find
  std::optional<ImageInfo> inspect_image(const std::string& ref) override {
    calls.push_back("inspect " + ref);
    if (missing_images.count(ref)) return std::nullopt;
    ImageInfo info;
    info.id = ref;
    info.size_bytes = 1000;
    info.cmd = image_cmd;
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
  nlohmann::json fingerprint_facts = {{"host", "fake"}};
  nlohmann::json fingerprint() override { return fingerprint_facts; }
  bool daemon_alive = true;
  bool ping() override { return daemon_alive; }

  // Containers: docker start to ready takes `startup_seconds`; the container's own process
  // printed its start stamp `ready_seconds` before the ready line. A Python service answers
  // the probe when it is mounted.
  double startup_seconds = 0.5;
  double ready_seconds = 0.3;
  bool python_service = true;
  bool never_ready = false;
  std::function<void()> on_start;  // each start, before its outcome (a fake clock moves on)
  std::vector<ContainerSpec> created;
  std::vector<StartWatch> watches;
  std::vector<std::string> removed;
  CreateOutcome create_container(const ContainerSpec& spec) override {
    created.push_back(spec);
    calls.push_back("create " + spec.name);
    return {true, spec.name, 0.05, ""};
  }
  StartOutcome start_until_ready(const std::string& id, const StartWatch& watch) override {
    calls.push_back("start " + id);
    watches.push_back(watch);
    if (on_start) on_start();
    StartOutcome outcome;
    if (never_ready) {
      outcome.timed_out = true;
      outcome.tail = "not ready after 1 s; last output:\nBooting worker\n";
      return outcome;
    }
    outcome.ready = true;
    outcome.seconds = startup_seconds;
    outcome.ready_tick = std::chrono::steady_clock::now();
    outcome.ready_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    for (const auto& marker : watch.markers) {
      if (marker == "buildbench-start:") {
        long long stamp = 1'700'000'000'000'000'000LL - static_cast<long long>(ready_seconds * 1e9);
        outcome.marked[marker] = "buildbench-start: " + std::to_string(stamp);
      } else if (marker == "buildbench-inside:" && python_service) {
        outcome.marked[marker] = "buildbench-inside: ready_ns=400000000 from_pyc=90 compiled=10";
      }
    }
    return outcome;
  }
  void remove_container(const std::string& id) override { removed.push_back(id); }
  std::pair<int, std::string> exec(const std::string&, const std::vector<std::string>&) override {
    return {0, ""};
  }
  // image -> what run_once prints there (exit 0); an image not here has no such command.
  std::map<std::string, std::string> run_once_output;
  std::pair<int, std::string> run_once(const std::string& image,
                                       const std::vector<std::string>& command) override {
    calls.push_back("run-once " + image + " " + command.front());
    auto it = run_once_output.find(image);
    if (it == run_once_output.end()) return {127, "executable file not found in $PATH"};
    return {0, it->second};
  }
};

}  // namespace bb::testing
