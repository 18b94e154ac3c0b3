#include "measure/registry_metrics.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "dockerfile/reader.hpp"
#include "model/metrics.hpp"
#include "net/registry.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/text.hpp"

namespace bb {

BaseImages base_images_of(const Scenario& scenario) {
  try {
    return read_base_images(read_text_file(scenario.dockerfile).value_or(""), scenario.build_args);
  } catch (const dockerfile::ParseError& error) {
    // A Dockerfile BuildKit would refuse too: say which one, before any build.
    throw UsageError(fmt::format("{}: {}; scenario '{}'", scenario.dockerfile.string(),
                                 error.what(), printable(scenario.name)));
  }
}

std::string repository_of(const BuildJob& job) {
  std::string tag = image_tag(*job.scenario, job.options->image_variant);
  return tag.substr(0, tag.rfind(':'));
}

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

void check_pull_onto(DockerEngine& engine, const std::vector<const Scenario*>& scenarios) {
  for (const Scenario* chosen : scenarios) {
    const Scenario& scenario = *chosen;
    auto bases = base_images_of(scenario);
    std::string why;
    if (!bases.unresolved.empty()) {
      why = fmt::format(
          "its last stage's FROM {} names an ARG without a value; add it to the "
          "scenario's build_args",
          bases.unresolved);
    } else if (bases.final_base && !engine.inspect_image(*bases.final_base)) {
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

void RegistryMetrics::begin_session() {
  setup_ = {};
  measured_.clear();
  bases_in_pull_engine_.clear();
}

bool RegistryMetrics::wanted(const BuildJob& job) const {
  return !setup_.shaped.empty() && job.state == CacheState::kCold && !job.warmup &&
         !measured_.count(owner_of(job));
}

bool RegistryMetrics::record(const BuildJob& job, const std::string& tag, Sample& sample) {
  if (!wanted(job)) return false;
  measured_.insert(owner_of(job));
  std::string repository = repository_of(job);
  std::string remote = fmt::format("{}/{}:latest", setup_.shaped, repository);
  progress_.detail("pushing the image to " + setup_.shaped);
  auto pushed = engine_.push_image(tag, remote);
  if (pushed.interrupted) throw Interrupted();
  if (!pushed.ok) throw EnvironmentError(pushed.error + "; is the registry still running?");
  sample.set(kPushSeconds, pushed.seconds);
  // Read from the registry itself, not through the shaping proxy: not part of any timing.
  auto stored = net::stored_image(net::parse_registry_address(setup_.direct), repository, "latest");
  auto total = static_cast<double>(stored.total_bytes());
  sample.set(kRegistryBytes, total);
  // push_uploaded_bytes is not stored: docker push names a layer by its diff id, which the
  // manifest does not list. Pairing needs the config's rootfs.diff_ids in manifest order.
  if (const double* gzip = sample.get(kImageCompressedBytes)) {
    sample.set(kRegistryVsGzipPercent, net::percent_difference(total, *gzip));
  }
  if (!setup_.pull_engine) return true;
  prepare_pull_engine(*job.scenario, setup_.pull_onto == "base");
  pull(remote, sample);
  return true;
}

void RegistryMetrics::pull(const std::string& remote, Sample& sample) {
  progress_.detail("pulling the image into the pull engine");
  setup_.pull_engine->remove_image(remote);
  auto pulled = setup_.pull_engine->pull_image(remote);
  if (pulled.interrupted) throw Interrupted();
  if (!pulled.ok) throw EnvironmentError(pulled.error + " (on the pull engine)");
  sample.set(setup_.pull_onto == "base" ? kPullOntoBaseSeconds : kPullSeconds, pulled.seconds);
  setup_.pull_engine->remove_image(remote);  // the next pull starts from an engine without it
}

void RegistryMetrics::prepare_pull_engine(const Scenario& scenario, bool onto_base) {
  DockerEngine& pull_engine = *setup_.pull_engine;
  if (!onto_base) {
    // Whatever an earlier run left of ours: "empty" holds no layer of any base.
    for (const auto& ref : pull_engine.image_refs()) {
      if (put_there_by_buildbench(ref, setup_.direct)) pull_engine.remove_image(ref);
    }
    return;
  }
  // The base goes through the registry after the timed push (which keeps its meaning) and
  // unshaped: docker knows a pulled layer by its digest whatever the registry's address, so
  // the timed pull skips it.
  auto base = base_images_of(scenario).final_base;
  if (!base || bases_in_pull_engine_.count(*base)) return;
  std::string remote = fmt::format("{}/{}", setup_.direct, base_repository(*base));
  progress_.detail("putting base image " + *base + " in the pull engine (not measured)");
  auto pushed = engine_.push_image(*base, remote);
  if (pushed.interrupted) throw Interrupted();
  if (!pushed.ok) {
    throw EnvironmentError(
        fmt::format("--pull-onto base: pushing base image {} of scenario '{}' to {} failed: {}; "
                    "is the registry still running?",
                    *base, printable(scenario.name), setup_.direct, pushed.error));
  }
  auto pulled = pull_engine.pull_image(remote);
  if (pulled.interrupted) throw Interrupted();
  if (!pulled.ok) {
    throw EnvironmentError(
        fmt::format("--pull-onto base: pulling base image {} into the pull engine failed: {}",
                    remote, pulled.error));
  }
  bases_in_pull_engine_.insert(*base);
}

}  // namespace bb
