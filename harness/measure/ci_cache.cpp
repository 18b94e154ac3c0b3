#include "measure/ci_cache.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "util/error.hpp"

namespace bb {
namespace {

bool one_of(CacheState state, std::initializer_list<CacheState> states) {
  return std::find(states.begin(), states.end(), state) != states.end();
}

double seconds_of(const std::vector<BuildStep>& steps, std::string_view prefix) {
  double total = 0;
  for (const auto& step : steps) {
    if (step.name.rfind(prefix, 0) == 0) total += step.seconds();
  }
  return total;
}

bool any_named(const std::vector<BuildStep>& steps, std::string_view prefix) {
  return std::any_of(steps.begin(), steps.end(),
                     [&](const BuildStep& step) { return step.name.rfind(prefix, 0) == 0; });
}

constexpr std::string_view kExportPrefix = "exporting cache";
constexpr std::string_view kImportPrefix = "importing cache manifest from";

}  // namespace

bool edits_dependencies(CacheState state) {
  return one_of(state, {CacheState::kWarmDeps, CacheState::kCiRegistryDeps});
}

bool is_ci_cache_state(CacheState state) {
  const auto& states = ci_cache_states();
  return std::find(states.begin(), states.end(), state) != states.end();
}

bool imports_cache(CacheState state) {
  return one_of(state, {CacheState::kCiRegistry, CacheState::kCiLocal, CacheState::kCiInline,
                        CacheState::kCiRegistryDeps});
}

bool needs_cache_export(CacheState state) {
  return one_of(state, {CacheState::kCiRegistry, CacheState::kCiLocal, CacheState::kCiRegistryDeps,
                        CacheState::kExportMin, CacheState::kExportMax, CacheState::kExportLocal});
}

bool needs_registry(CacheState state) {
  return one_of(state, {CacheState::kCiRegistry, CacheState::kCiInline, CacheState::kCiRegistryDeps,
                        CacheState::kExportMin, CacheState::kExportMax, CacheState::kColdPull});
}

bool pulls_bases(CacheState state) {
  return state == CacheState::kColdPull;
}

bool empties_builder(CacheState state) {
  return state == CacheState::kCold || pulls_bases(state) || imports_cache(state);
}

CiCachePlan ci_cache_plan(CacheState state, const CacheLocations& where) {
  std::string ref =
      fmt::format("{}/{}:cache-{}", where.registry, where.repository, to_string(state));
  std::string folder = (where.local_dir / to_string(state)).string();
  CiCachePlan plan;
  plan.empty_builder = imports_cache(state);
  switch (state) {
    case CacheState::kCiRegistry:
    case CacheState::kCiRegistryDeps:
      plan.prime_cache_to = {fmt::format("type=registry,ref={},mode=max", ref)};
      plan.cache_from = {fmt::format("type=registry,ref={}", ref)};
      break;
    case CacheState::kCiLocal:
      plan.prime_cache_to = {fmt::format("type=local,dest={},mode=max", folder)};
      plan.cache_from = {fmt::format("type=local,src={}", folder)};
      break;
    case CacheState::kCiInline:
      plan.prime_cache_to = {"type=inline"};
      plan.push_primed_as = ref;
      plan.cache_from = {fmt::format("type=registry,ref={}", ref)};
      break;
    case CacheState::kExportMin:
    case CacheState::kExportMax:
      plan.cache_to = {fmt::format("type=registry,ref={},mode={}", ref,
                                   state == CacheState::kExportMin ? "min" : "max")};
      break;
    case CacheState::kExportLocal:
      plan.cache_to = {fmt::format("type=local,dest={},mode=max", folder)};
      break;
    case CacheState::kExportInline:
      plan.cache_to = {"type=inline"};
      break;
    default:
      break;
  }
  return plan;
}

void require_cache_support(const nlohmann::json& fingerprint,
                           const std::vector<CacheState>& states) {
  std::vector<std::string> exporting;
  for (auto state : states) {
    if (needs_cache_export(state)) exporting.push_back(to_string(state));
  }
  bool docker_driver = fingerprint.value("builder_driver", "") == "docker";
  bool containerd_store = fingerprint.value("containerd_image_store", false);
  if (exporting.empty() || !docker_driver || containerd_store) return;
  throw EnvironmentError(fmt::format(
      "--state {}: the docker driver exports a build cache (--cache-to type=registry or "
      "type=local) only with the containerd image store, and this engine uses the classic one; "
      "start an engine that has it (scripts/lab-dockerd --engine containerd-store, then "
      "DOCKER_HOST=unix:///var/run/buildbench-cstore.sock) or build on a docker-container "
      "builder (--builder NAME); ci-inline and export-inline work on any engine",
      fmt::join(exporting, ", ")));
}

double cache_export_seconds(const std::vector<BuildStep>& steps) {
  return seconds_of(steps, kExportPrefix);
}

double cache_import_seconds(const std::vector<BuildStep>& steps) {
  return seconds_of(steps, kImportPrefix);
}

bool reports_cache_export(const std::vector<BuildStep>& steps) {
  return any_named(steps, kExportPrefix);
}

bool reports_cache_import(const std::vector<BuildStep>& steps) {
  return any_named(steps, kImportPrefix);
}

}  // namespace bb
