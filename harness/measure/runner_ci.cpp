// The Runner's CI parts: producing the CI cache states, and the registry metrics (push,
// pull, stored bytes) taken once per scenario and run on its first good cold image.
#include <fmt/format.h>

#include "measure/ci_cache.hpp"
#include "measure/run_network.hpp"
#include "measure/runner.hpp"
#include "model/metrics.hpp"
#include "net/registry.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

// "buildbench/<name>-<hash>": the image's repository, at the registry as locally.
std::string repository_of(const Scenario& scenario) {
  std::string tag = image_tag(scenario);
  return tag.substr(0, tag.rfind(':'));
}

// "buildbench-base/python:3.11" for "python:3.11": where a base image waits in the registry.
std::string base_repository(std::string ref) {
  ref = ref.substr(0, ref.find('@'));
  auto slash = ref.rfind('/');
  auto colon = ref.rfind(':');
  std::string tag = "latest";
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    tag = ref.substr(colon + 1);
    ref.resize(colon);
  }
  std::vector<std::string> path;
  for (const auto& part : split(ref, '/')) path.push_back(tag_safe(part));
  return fmt::format("buildbench-base/{}:{}", fmt::join(path, "/"), tag_safe(tag));
}

bool failed_before_measuring(Sample& sample, std::string error) {
  sample.status = SampleStatus::kFailed;
  sample.error = std::move(error);
  sample.started_at = iso8601_utc(std::chrono::system_clock::now());
  return false;
}

}  // namespace

void Runner::check_ci_setup(const RunOptions& options) {
  network_profile_named(options.network_profile);
  std::vector<std::string> need_registry;
  for (auto state : options.states) {
    if (needs_registry(state)) need_registry.push_back(to_string(state));
  }
  if (!need_registry.empty() && options.registry.empty()) {
    throw UsageError(
        fmt::format("--state {} needs a registry: add --registry 127.0.0.1:5000 "
                    "(scripts/lab-registry starts one)",
                    fmt::join(need_registry, ", ")));
  }
  if (!options.registry.empty())
    net::require_registry(net::parse_registry_address(options.registry));
  if (std::any_of(options.states.begin(), options.states.end(), needs_cache_export)) {
    require_cache_support(engine_.fingerprint(), options.states);
  }
}

bool Runner::prepare_ci_state(const Task& task, BuildRequest& request,
                              const fs::path& scratch_context, Sample& sample) {
  const Scenario& scenario = *task.scenario;
  CacheLocations where{
      registry_, repository_of(scenario),
      scratch_context.parent_path() / ("cache-" + scratch_context.filename().string())};
  CiCachePlan plan = ci_cache_plan(task.state, where);
  progress_.detail("priming build: the previous CI build (not measured)");
  BuildRequest prime = request;
  prime.cache_to = plan.prime_cache_to;
  auto primed = engine_.build(prime);
  if (primed.interrupted) throw Interrupted();
  if (!primed.ok) {
    return failed_before_measuring(sample,
                                   "priming build before the measured one failed: " + primed.error);
  }
  if (!plan.push_primed_as.empty()) {
    auto pushed = engine_.push_image(request.tag, plan.push_primed_as);
    if (pushed.interrupted) throw Interrupted();
    if (!pushed.ok) {
      return failed_before_measuring(
          sample, "pushing the primed image (the inline cache) failed: " + pushed.error);
    }
  }
  if (plan.empty_builder) {
    progress_.detail("emptying the builder, as on a fresh CI runner");
    engine_.prune_build_cache();
    ++prunes_;
    engine_.remove_image(request.tag);
  }
  edits_.apply(*scenario.code_edit, scratch_context);
  request.cache_from = plan.cache_from;
  request.cache_to = plan.cache_to;
  return true;
}

bool Runner::record_registry(const Task& task, Sample& sample) {
  const Scenario& scenario = *task.scenario;
  if (registry_.empty() || task.state != CacheState::kCold || task.warmup ||
      !registry_measured_.insert(scenario.name).second) {
    return false;
  }
  std::string repository = repository_of(scenario);
  std::string remote = fmt::format("{}/{}:latest", registry_, repository);
  progress_.detail("pushing the image to " + registry_);
  auto pushed = engine_.push_image(image_tag(scenario), remote);
  if (pushed.interrupted) throw Interrupted();
  if (!pushed.ok) throw EnvironmentError(pushed.error + "; is the registry still running?");
  sample.set(kPushSeconds, pushed.seconds);
  // Read from the registry itself, not through the shaping proxy: not part of any timing.
  auto stored =
      net::stored_image(net::parse_registry_address(registry_direct_), repository, "latest");
  auto total = static_cast<double>(stored.total_bytes());
  sample.set(kRegistryBytes, total);
  // push_uploaded_bytes is not stored: docker push names a layer by its diff id, which the
  // manifest does not list, so matching its "Pushed" lines to stored layers found nothing and
  // every run recorded 0 bytes. Pairing needs the config's rootfs.diff_ids in manifest order.
  if (const double* gzip = sample.get(kImageCompressedBytes)) {
    sample.set(kRegistryVsGzipPercent, net::percent_difference(total, *gzip));
  }
  if (!pull_engine_) return true;
  bool onto_base = pull_onto_ == "base";
  prepare_pull_engine(scenario, onto_base);
  progress_.detail("pulling the image into the pull engine");
  pull_engine_->remove_image(remote);
  auto pulled = pull_engine_->pull_image(remote);
  if (pulled.interrupted) throw Interrupted();
  if (!pulled.ok) throw EnvironmentError(pulled.error + " (on the pull engine)");
  sample.set(onto_base ? kPullOntoBaseSeconds : kPullSeconds, pulled.seconds);
  pull_engine_->remove_image(remote);  // the next pull starts from an engine without it
  return true;
}

void Runner::check_pull_onto(const Suite& suite, const RunOptions& options) {
  // A resumed run keeps its recorded mode: a missing base then fails at its first pull.
  if (!pull_engine_ || options.pull_onto != "base" || options.resume) return;
  std::set<const Scenario*> planned;  // the scenarios the run selects, as the plan has them
  for (const auto& task : plan_tasks(suite, options)) planned.insert(task.scenario);
  for (const Scenario* chosen : planned) {
    const Scenario& scenario = *chosen;
    auto bases = base_images_of(scenario);
    std::string why;
    if (!bases.unresolved.empty()) {
      why = fmt::format(
          "its last stage's FROM {} names an ARG without a value; add it to the "
          "scenario's build_args",
          bases.unresolved);
    } else if (bases.final_base && !engine_.inspect_image(*bases.final_base)) {
      why = fmt::format(
          "its base image {} is not in the engine that builds (docker pull it, or "
          "scripts/lab-images for the stand-ins)",
          *bases.final_base);
    }
    if (!why.empty()) {
      throw UsageError(
          fmt::format("--pull-onto base: scenario '{}' ({}): {}; or pass --pull-onto "
                      "empty",
                      printable(scenario.name), scenario.dockerfile.string(), why));
    }
  }
}

void Runner::prepare_pull_engine(const Scenario& scenario, bool onto_base) {
  if (!onto_base) {
    // Whatever an earlier run left of ours: "empty" holds no layer of any base.
    for (const auto& ref : pull_engine_->image_refs()) {
      if (ref.find("/buildbench-base/") != std::string::npos) pull_engine_->remove_image(ref);
    }
    return;
  }
  // The base goes through the registry after the timed push (which keeps its meaning) and
  // unshaped: docker knows a pulled layer by its digest whatever the registry's address, so
  // the timed pull skips it.
  auto base = base_images_of(scenario).final_base;
  if (!base || bases_in_pull_engine_.count(*base)) return;
  std::string remote = fmt::format("{}/{}", registry_direct_, base_repository(*base));
  progress_.detail("putting base image " + *base + " in the pull engine (not measured)");
  auto pushed = engine_.push_image(*base, remote);
  if (pushed.interrupted) throw Interrupted();
  if (!pushed.ok) {
    throw EnvironmentError(
        fmt::format("--pull-onto base: pushing base image {} of scenario '{}' "
                    "to {} failed: {}; is the registry still running?",
                    *base, printable(scenario.name), registry_direct_, pushed.error));
  }
  auto pulled = pull_engine_->pull_image(remote);
  if (pulled.interrupted) throw Interrupted();
  if (!pulled.ok) {
    throw EnvironmentError(
        fmt::format("--pull-onto base: pulling base image {} into the pull "
                    "engine failed: {}",
                    remote, pulled.error));
  }
  bases_in_pull_engine_.insert(*base);
}

nlohmann::json Runner::network_facts(const RunOptions& options) const {
  const auto& profile = network_profile_named(options.network_profile);
  nlohmann::json facts = {{"profile", profile.name},
                          {"bits_per_second", profile.bits_per_second},
                          {"round_trip_ms", profile.round_trip.count() / 1000.0},
                          {"source", profile.source},
                          {"shaped", "package index; registry pushes, pulls, cache import/export"}};
  if (!options.registry.empty()) facts["registry"] = options.registry;
  facts["pull_engine"] =
      options.pull_engine.empty() ? "none (no pull_seconds)" : options.pull_engine;
  if (!options.pull_engine.empty()) {
    facts["pull_onto"] = options.pull_onto == "base"
                             ? "base: the engine holds the image's base images"
                             : "empty: the engine holds nothing of the image";
  }
  return facts;
}

}  // namespace bb
