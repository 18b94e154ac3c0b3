// cold-pull, a fresh runner's cold build: a hosted CI runner starts without the base images and
// pulls each FROM image before building. The bases are pushed (untimed, once a session) to the
// lab's registry; the build runs where no image holds them (below), with its builder emptied
// as for cold; and it reads a copy of the Dockerfile whose FROM lines name the registry's copies
// behind the run's shaping proxy, so the pull pays the run's network profile.
//
// Why a rewritten Dockerfile: a build arg reaches only a FROM written with one; the docker
// driver has no registry mirror of its own (a mirror is the daemon's configuration, and serves
// Docker Hub names only); and a FROM that still named `python:3.11` would be resolved from the
// engine's store whenever anything put it back. The copy sits beside the scenario's scratch
// context, not in it, so the context the build sends is the scenario's own.
//
// Where: on the pull engine when the run has one and builds on the docker driver. There an
// engine keeps a base's layers while any image built on it exists, and the run's other builds
// always leave such images, so on the run's own engine a FROM mostly fetched the config alone
// (1 684 bytes of python:3.11 on 2026-12-04). The pull engine holds none: the bases are pushed
// from the run's engine, and its build cache and buildbench's images there are removed before
// and after each sample. Otherwise (no pull engine, or a builder with a store of its own, which
// the prune empties) the bases are removed from the run's engine and put back after.
#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "dockerfile/stages.hpp"
#include "measure/protocol.hpp"
#include "measure/registry_metrics.hpp"
#include "net/registry.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& file) {
  return read_text_file(file).value_or("");
}

// Every stage's image (not a stage name, not scratch), the build args resolving global ARGs;
// an ARG left open is named in `open`.
std::vector<std::string> from_images(const std::string& text, const BuildJob& job,
                                     std::string& open) {
  std::vector<std::string> images;
  for (const auto& stage : dockerfile::stages_of(dockerfile::parse(text), job.build_args)) {
    if (stage.parent || stage.base.empty() || lower(stage.base) == "scratch") continue;
    if (stage.base.find('$') != std::string::npos) open = stage.base;
    if (std::find(images.begin(), images.end(), stage.base) == images.end())
      images.push_back(stage.base);
  }
  return images;
}

// The untimed push of each base, once a session: the registry holds it from then on.
bool push_bases(ProtocolContext& c, const std::vector<std::string>& images) {
  for (const auto& image : images) {
    if (c.memory.bases_pushed.count(image)) continue;
    c.progress.detail("pushing base image " + image + " to the registry (not measured)");
    DockerEngine& holder = c.bases_from ? *c.bases_from : c.engine;
    auto pushed =
        holder.push_image(image, fmt::format("{}/{}", c.registry_direct, base_repository(image)));
    if (pushed.interrupted) throw Interrupted();
    if (!pushed.ok) {
      return c.fail(fmt::format(
          "cold-pull: pushing base image {} to the registry failed: {}; is it in the run's "
          "engine (docker pull it, or scripts/lab-images for the stand-ins)?",
          image, pushed.error));
    }
    c.memory.bases_pushed.insert(image);
  }
  return true;
}

// What the registry stores of each base's layers, read once a session from the registry
// itself: the contract's measure of a real pull.
bool read_layer_bytes(ProtocolContext& c, const std::vector<std::string>& images) {
  for (const auto& image : images) {
    if (c.memory.base_layer_bytes.count(image)) continue;
    std::string ref = base_repository(image);
    auto colon = ref.rfind(':');  // base_repository always ends in ":<tag>"
    std::string repository = ref.substr(0, colon), tag = ref.substr(colon + 1);
    try {
      c.memory.base_layer_bytes[image] =
          c.layer_bytes ? c.layer_bytes(repository, tag)
                        : static_cast<double>(
                              net::stored_image(net::parse_registry_address(c.registry_direct),
                                                repository, tag)
                                  .layer_bytes());
    } catch (const std::exception& e) {
      return c.fail(fmt::format("cold-pull: reading base image {} from the registry failed: {}",
                                image, e.what()));
    }
  }
  return true;
}

// The Dockerfile the measured build reads, beside the scratch context (with its own
// `<Dockerfile>.dockerignore`, which BuildKit reads in place of the context's).
fs::path write_renamed(const ProtocolContext& c, const std::string& text,
                       const std::map<std::string, std::string>& renamed) {
  const fs::path& context = c.job.context;
  fs::path file = context.parent_path() / (context.filename().string() + ".cold-pull.Dockerfile");
  std::ofstream(file, std::ios::binary)
      << dockerfile::with_bases_renamed(text, c.job.build_args, renamed);
  fs::path ignore = c.job.dockerfile.string() + ".dockerignore";
  fs::path copy = file.string() + ".dockerignore";
  std::error_code error;
  fs::remove(copy, error);
  if (fs::exists(ignore)) fs::copy_file(ignore, copy);
  return file;
}

}  // namespace

bool prepare_cold_pull(ProtocolContext& c) {
  std::string text = read_text(c.job.dockerfile);
  std::string open;
  auto images = from_images(text, c.job, open);
  if (!open.empty()) {
    return c.fail(fmt::format(
        "cold-pull: FROM {} names an ARG without a value, so the registry's copy cannot be "
        "named; give it a default or set it in the scenario's build_args",
        printable(open)));
  }
  if (!push_bases(c, images) || !read_layer_bytes(c, images)) return false;
  std::map<std::string, std::string> renamed;
  c.memory.pulled_as.clear();
  c.memory.pulled_as_bytes.clear();
  for (const auto& image : images) {
    renamed[image] = fmt::format("{}/{}", c.registry, base_repository(image));
    c.memory.pulled_as.push_back(renamed[image]);
    c.memory.pulled_as_bytes.push_back(c.memory.base_layer_bytes[image]);
  }
  c.request.dockerfile = write_renamed(c, text, renamed);
  if (c.bases_from) {
    // An engine of its own holds no image the run built: emptied of what an earlier sample
    // left there, each FROM downloads its base's layers in full, as on a fresh runner.
    c.progress.detail("emptying the pull engine's build cache and our images there");
    empty_own_engine(c);
    return true;
  }
  prepare_cold(c);
  c.progress.detail("removing the base images from the engine, as on a fresh runner");
  for (const auto& image : images) {
    c.memory.bases_out[image] = base_repository(image);
    c.engine.remove_image(image);
    c.engine.remove_image(renamed[image]);  // a pulled copy an earlier build may have left
  }
  return true;
}

bool put_there_by_buildbench(const std::string& ref, const std::string& registry_direct) {
  if (is_scenario_image_tag(ref)) return true;
  auto slash = ref.find('/');
  if (slash == std::string::npos) return false;
  std::string host = ref.substr(0, slash), path = ref.substr(slash + 1);
  // The shaping proxy's port is new each run: an earlier run's pulls name another one.
  bool ours = host == registry_direct || host.rfind("127.0.0.1:", 0) == 0;
  return ours && (path.rfind("buildbench/", 0) == 0 || path.rfind("buildbench-base/", 0) == 0);
}

void empty_own_engine(ProtocolContext& c) {
  if (!c.bases_from) return;
  // Its cache holds the bases' layers too. Not the run's builder: no prune is counted, the
  // run's cache lifetime goes on.
  c.engine.prune_build_cache();
  // Only what buildbench put there: the pull engine may hold a user's images, and the
  // contract catches anything else that holds a base's layers.
  for (const auto& ref : c.engine.image_refs()) {
    if (put_there_by_buildbench(ref, c.registry_direct)) c.engine.remove_image(ref);
  }
}

void restore_bases(ProtocolContext& c) {
  if (c.memory.bases_out.empty()) return;
  c.progress.detail("putting the base images back in the engine (not measured)");
  std::vector<std::string> failed;
  for (const auto& [image, repository] : c.memory.bases_out) {
    std::string remote = fmt::format("{}/{}", c.registry_direct, repository);
    c.engine.remove_image(fmt::format("{}/{}", c.registry, repository));
    if (auto error = c.engine.restore_image(remote, image); !error.empty())
      failed.push_back(fmt::format("{} (docker pull {} && docker tag {} {}): {}", image, remote,
                                   remote, image, error));
  }
  c.memory.bases_out.clear();
  if (!failed.empty()) {
    throw EnvironmentError(fmt::format(
        "cold-pull could not put base image(s) back in the engine: {}; the registry holds "
        "them, restore each by hand as shown",
        fmt::join(failed, "; ")));
  }
}

}  // namespace bb
