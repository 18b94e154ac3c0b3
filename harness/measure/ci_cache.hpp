#pragma once
// The CI cache states: how each is produced, and which engines can produce it.
//   ci-registry / ci-local / ci-inline  the previous build exported its cache (registry,
//       mode=max; a local folder, mode=max; inline in its pushed image), the builder is
//       emptied (prune -af, as on a fresh CI runner), the code is edited, and the measured
//       build imports that cache with --cache-from;
//   export-min / export-max / export-local / export-inline  warm-code's build with a
//       --cache-to: what exporting costs, against what importing saves;
//   cold-pull  a fresh runner's cold build: cold, with the base images pulled from the
//       registry (measure/cold_pull.cpp).
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "docker/rawjson.hpp"
#include "scenario/scenario.hpp"

namespace bb {

// warm-deps and ci-registry-deps: the states whose edit is [edit.deps], not [edit.code].
bool edits_dependencies(CacheState state);
bool is_ci_cache_state(CacheState state);
// Imports a cache into an emptied builder (ci-*), as opposed to exporting one (export-*).
bool imports_cache(CacheState state);
// Exports a cache other than inline: the docker driver needs the containerd image store.
bool needs_cache_export(CacheState state);
// Talks to the registry (--registry needed).
bool needs_registry(CacheState state);
// cold-pull: the build pulls the scenario's base images from the registry.
bool pulls_bases(CacheState state);
// Starts from an emptied builder (cold, cold-pull, the CI states that import a cache).
bool empties_builder(CacheState state);

// Where a scenario's caches go: refs "<registry>/<repository>:cache-<state>", folders
// "<local_dir>/<state>".
struct CacheLocations {
  std::string registry;    // "127.0.0.1:5000" (or the shaping proxy's address)
  std::string repository;  // "buildbench/<name>-<hash>"
  std::filesystem::path local_dir;
};

struct CiCachePlan {
  std::vector<std::string> prime_cache_to;  // the previous CI build's export
  std::string push_primed_as;               // ci-inline: the primed image, pushed, is the cache
  bool empty_builder = false;               // prune -af and remove the image before measuring
  std::vector<std::string> cache_from;      // the measured build's
  std::vector<std::string> cache_to;        // the measured build's
};

CiCachePlan ci_cache_plan(CacheState state, const CacheLocations& where);

// Refuses, before a run starts, states this engine cannot produce; the error names the fix.
void require_cache_support(const nlohmann::json& fingerprint,
                           const std::vector<CacheState>& states);

// Seconds of the cache export ("exporting cache to ...") and import ("importing cache
// manifest from ...") steps, which BuildKit reports as steps of their own.
double cache_export_seconds(const std::vector<BuildStep>& steps);
double cache_import_seconds(const std::vector<BuildStep>& steps);
bool reports_cache_export(const std::vector<BuildStep>& steps);
bool reports_cache_import(const std::vector<BuildStep>& steps);

}  // namespace bb
