#pragma once
// One build sample under its cache state's protocol: the state produced (measure/protocol),
// the measured build, its metrics, the state's contract checked, the image recorded (sizes,
// layer statistics once per owner and state, registry metrics once per owner).
#include <map>
#include <set>
#include <string>
#include <utility>

#include "docker/engine.hpp"
#include "measure/edit.hpp"
#include "measure/protocol.hpp"
#include "measure/registry_metrics.hpp"
#include "progress/progress.hpp"
#include "store/store.hpp"

namespace bb {

class BuildMeasurer {
 public:
  BuildMeasurer(DockerEngine& engine, Store& store, Progress& progress);
  // A new session: nothing measured in it yet.
  void begin_session();
  // The registry as the session's network reaches it.
  void use_registry(RegistrySetup registry) { registry_.use(std::move(registry)); }
  // A sample a resumed run (with this image variant) stored before: what it measured is not
  // measured again.
  void seed(const Sample& sample, const std::string& image_variant);
  Sample measure(const BuildJob& job);
  // Seconds of the last sample's once-per-scenario work, by kind; then forgotten.
  std::map<std::string, double> take_one_off();
  // For the ETA: whether a group's image still waits for its layer statistics, an owner's
  // for its registry metrics.
  bool layers_due(const std::string& owner, CacheState state, const RunOptions& options) const;
  bool registry_due(const std::string& owner) const;
  // Whether a sample's build ran on the pull engine (cold-pull, on the docker driver, with
  // one), so its image is not in the run's engine and is gone after it.
  bool built_elsewhere(const Sample& sample) const;

 private:
  DockerEngine* pull_engine_for(CacheState state) const;
  void record_metrics(const BuildOutcome& outcome, Sample& sample) const;
  bool record_image(DockerEngine& engine, const BuildJob& job, Sample& sample);
  void set_image_metrics(const ImageRecord& image, Sample& sample) const;
  template <typename Work>
  void timed(const char* kind, Work&& work);

  DockerEngine& engine_;
  Store& store_;
  Progress& progress_;
  EditMaker edits_;  // one nonce per measurer: every session's edits are new to the builder
  CacheMemory memory_;
  RegistryMetrics registry_;
  std::set<std::pair<std::string, std::string>> layers_measured_;  // owner, state
  std::map<std::string, double> one_off_;
};

}  // namespace bb
