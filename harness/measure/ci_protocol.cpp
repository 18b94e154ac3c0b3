// The CI cache states' protocol: the previous CI build (exporting its cache where the state
// imports one), the builder emptied as on a fresh runner, then the code edit (the dependency
// edit for ci-registry-deps). The builder is emptied every time, so a swap edit's other side is
// never cached: the imported cache holds only the previous build's.
#include <fmt/format.h>

#include "measure/ci_cache.hpp"
#include "measure/protocol.hpp"
#include "measure/registry_metrics.hpp"
#include "util/error.hpp"

namespace bb {

bool prepare_ci(ProtocolContext& c) {
  const std::filesystem::path& context = c.job.context;
  CacheLocations where{c.registry, repository_of(c.job),
                       context.parent_path() / ("cache-" + context.filename().string())};
  CiCachePlan plan = ci_cache_plan(c.job.state, where);
  c.progress.detail("priming build: the previous CI build (not measured)");
  BuildRequest prime = c.request;
  prime.cache_to = plan.prime_cache_to;
  auto primed = c.engine.build(prime);
  if (primed.interrupted) throw Interrupted();
  if (!primed.ok) return c.fail("priming build before the measured one failed: " + primed.error);
  if (!plan.push_primed_as.empty()) {
    auto pushed = c.engine.push_image(c.request.tag, plan.push_primed_as);
    if (pushed.interrupted) throw Interrupted();
    if (!pushed.ok)
      return c.fail("pushing the primed image (the inline cache) failed: " + pushed.error);
  }
  if (plan.empty_builder) {
    c.prune("emptying the builder, as on a fresh CI runner");
    c.engine.remove_image(c.request.tag);
  }
  const auto& edit =
      edits_dependencies(c.job.state) ? c.job.scenario->deps_edit : c.job.scenario->code_edit;
  c.edits.apply(*edit, context);
  c.request.cache_from = plan.cache_from;
  c.request.cache_to = plan.cache_to;
  return true;
}

}  // namespace bb
