#pragma once
// What a session's runs record about themselves: the run record (suite, commit, labels,
// options, the host, base-image and network facts) and each scenario's description.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "docker/engine.hpp"
#include "lab/package_index.hpp"
#include "measure/run_options.hpp"
#include "model/run.hpp"
#include "model/sample.hpp"
#include "progress/progress.hpp"
#include "scenario/scenario.hpp"

namespace bb {

// A new run's record: suite, git commit, labels, options, and the host fingerprint (`host`,
// when given, is used instead of collecting it again).
RunRecord describe_run(DockerEngine& engine, Progress& progress, const Suite& suite,
                       const RunOptions& options, const nlohmann::json* host = nullptr);
// What a run on this engine would record of its testbed's facts (model/testbed): the host
// fingerprint, which base images are stand-ins, the network, the options; read before
// measuring, so that `nightly` finds last night's run on tonight's testbed.
RunRecord testbed_record(DockerEngine& engine, const Suite& suite, const RunOptions& options);
// What the store keeps of a scenario's manifest (build-arg names, never their values).
nlohmann::json describe_scenario(const Scenario& scenario);
// The scenario's build args with {index_url} replaced by the index being served.
std::map<std::string, std::string> build_args_for(const Scenario& scenario,
                                                  const PackageIndexServer* index);
// A sample that records why a measurement did not happen.
Sample unmeasured(const std::string& scenario, SampleKind kind, const std::string& state,
                  int repetition, bool warmup, SampleStatus status, const std::string& error);

}  // namespace bb
