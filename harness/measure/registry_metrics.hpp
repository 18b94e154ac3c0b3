#pragma once
// The registry metrics of a scenario's image (push, stored bytes, pull), taken once per owner
// and session on its first good cold image, and the pull engine they pull into.
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "docker/engine.hpp"
#include "measure/protocol.hpp"
#include "progress/progress.hpp"
#include "scenario/base_images.hpp"
#include "scenario/scenario.hpp"

namespace bb {

// The base images the scenario's Dockerfile names (its build args set the global ARGs).
BaseImages base_images_of(const Scenario& scenario);
// "buildbench/<name>-<hash>[-variant]": the job's image repository, at the registry as locally.
std::string repository_of(const BuildJob& job);

// "buildbench-base/python:3.11" for "python:3.11": where a base image waits in the registry.
std::string base_repository(std::string ref);

// The lab's registry as one session's builds reach it.
struct RegistrySetup {
  std::string shaped;  // for pushes, pulls and cache refs ("" without --registry)
  std::string direct;  // the registry itself, for reading its API
  DockerEngine* pull_engine = nullptr;
  std::string pull_onto = "base";
  // The compressed bytes of (repository, tag)'s layers as the registry stores them; unset:
  // read from `direct`'s API (tests give their own).
  std::function<double(const std::string&, const std::string&)> layer_bytes = {};
};

// Before any build: with --pull-onto base, each scenario's final base is known and present.
void check_pull_onto(DockerEngine& engine, const std::vector<const Scenario*>& scenarios);

class RegistryMetrics {
 public:
  RegistryMetrics(DockerEngine& engine, Progress& progress)
      : engine_(engine), progress_(progress) {}
  void begin_session();
  void use(RegistrySetup setup) { setup_ = std::move(setup); }
  const RegistrySetup& setup() const { return setup_; }
  // Whether a job's image gets the metrics (a good cold image, once per owner and session).
  bool wanted(const BuildJob& job) const;
  bool measured(const std::string& owner) const { return measured_.count(owner) > 0; }
  void seed(const std::string& owner) { measured_.insert(owner); }
  // Pushes, reads the stored bytes, pulls; returns whether it did (false when not wanted).
  bool record(const BuildJob& job, const std::string& tag, Sample& sample);
  // Something else emptied the pull engine of our images (a fresh runner's build there): a
  // pull onto a base puts the base back first.
  void forget_pull_engine_bases() { bases_in_pull_engine_.clear(); }

 private:
  // Before a timed pull: the final stage's base image in the pull engine (onto base), or none
  // of ours there (empty).
  void prepare_pull_engine(const Scenario& scenario, bool onto_base);
  void pull(const std::string& remote, Sample& sample);

  DockerEngine& engine_;
  Progress& progress_;
  RegistrySetup setup_;
  std::set<std::string> measured_;              // owners
  std::set<std::string> bases_in_pull_engine_;  // base refs pulled there this session
};

}  // namespace bb
