#include "measure/protocol.hpp"

#include <regex>

#include <fmt/format.h>

#include "measure/ci_cache.hpp"
#include "measure/state_contract.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/text.hpp"

namespace bb {

std::string owner_of(const std::string& scenario, const std::string& image_variant) {
  return image_variant.empty() ? scenario : scenario + "@" + image_variant;
}

std::string owner_of(const BuildJob& job) {
  return owner_of(job.scenario->name, job.options->image_variant);
}

std::string image_tag(const Scenario& scenario, std::string_view variant) {
  // Names are free text; the tag is derived, never interpreted, and the same with every
  // toolchain (std::hash is not).
  return fmt::format("buildbench/{}-{:08x}{}:latest", tag_safe(scenario.name),
                     fnv1a64(scenario.name) & 0xffffffff,
                     variant.empty() ? "" : "-" + tag_safe(std::string(variant)));
}

bool is_scenario_image_tag(const std::string& ref) {
  // image_tag's shape: "buildbench/<name>-<8 hex>[-<variant>]:<tag>".
  static const std::regex shape(R"(^buildbench/[^/:]*-[0-9a-f]{8}[^/:]*:)");
  return std::regex_search(ref, shape);
}

void ProtocolContext::prune(const std::string& why) {
  progress.detail(why);
  engine.prune_build_cache();
  ++memory.prunes;
}

void ProtocolContext::replace_image(const std::string& image_id) {
  // Each edited rebuild moves the tag to a new image and leaves the old one dangling: a
  // nightly job would pile up thousands (1108 on the lab engine after two days).
  if (image_id.empty()) return;
  auto [it, added] = memory.images.try_emplace(request.tag, image_id);
  if (added || it->second == image_id) return;
  memory.superseded.push_back(it->second);
  it->second = image_id;
}

bool ProtocolContext::fail(std::string error) {
  sample.status = SampleStatus::kFailed;
  sample.error = std::move(error);
  sample.started_at = iso8601_utc(std::chrono::system_clock::now());
  return false;
}

bool prepare_cold(ProtocolContext& c) {
  c.prune("pruning build cache");
  c.engine.remove_image(c.request.tag);
  c.memory.images.erase(c.request.tag);
  return true;
}

namespace {

const FileEdit* edit_of(const BuildJob& job) {
  if (job.state == CacheState::kWarmCode) return &*job.scenario->code_edit;
  if (job.state == CacheState::kWarmDeps) return &*job.scenario->deps_edit;
  return nullptr;
}

// A swap alternates two contents: twice in one cache lifetime, the content it swaps to is
// cached already (a multi-stage export makes the same output of it whatever the edit's
// token) and the sample would time a cache hit. Empty the builder first, as another
// scenario's cold build between two visits does. Not swapped yet in this session: the builder
// may hold both sides from before it, unless it was emptied since the session began.
void empty_before_swap(ProtocolContext& c, const FileEdit& edit) {
  if (!edit.is_swap()) return;
  std::pair<std::string, std::string> key{owner_of(c.job), to_string(c.job.state)};
  auto last = c.memory.swapped_at.find(key);
  bool other_side_cached = last == c.memory.swapped_at.end()
                               ? c.memory.prunes == c.memory.session_start_prunes
                               : last->second == c.memory.prunes;
  if (other_side_cached) c.prune("pruning build cache (a swap edit's other side is cached)");
  c.memory.swapped_at[key] = c.memory.prunes;
}

}  // namespace

bool prepare_local_warm(ProtocolContext& c) {
  // Warm states rebuild the current content first (unmeasured), so the state does not
  // depend on what ran before.
  const FileEdit* edit = edit_of(c.job);
  if (edit) empty_before_swap(c, *edit);
  c.progress.detail("priming build (not measured)");
  // The tag may name an image from an earlier run: the prime moves it, and it is ours to
  // remove like any other superseded one.
  if (!c.memory.images.count(c.request.tag))
    if (auto before = c.engine.inspect_image(c.request.tag))
      c.memory.images[c.request.tag] = before->id;
  auto prime = c.engine.build(c.request);
  if (prime.interrupted) throw Interrupted();
  if (!prime.ok) return c.fail("priming build before the measured one failed: " + prime.error);
  c.replace_image(prime.image_id);
  if (edit) c.edits.apply(*edit, c.job.context);
  return true;
}

Prepare protocol_for(CacheState state) {
  if (state == CacheState::kCold) return prepare_cold;
  if (pulls_bases(state)) return prepare_cold_pull;
  if (is_ci_cache_state(state)) return prepare_ci;
  return prepare_local_warm;
}

std::vector<std::string> edited_by(const BuildJob& job) {
  if (edits_dependencies(job.state)) return edited_files(*job.scenario->deps_edit);
  if (job.state == CacheState::kWarmCode ||
      (is_ci_cache_state(job.state) && !pulls_bases(job.state)))
    return edited_files(*job.scenario->code_edit);
  return {};
}

namespace {
bool is_run(const BuildStep& step) {
  std::string_view name = step.name;
  if (auto close = name.find("] "); !name.empty() && name.front() == '[' && close != name.npos)
    name.remove_prefix(close + 2);
  return name.rfind("RUN ", 0) == 0;
}
}  // namespace

std::string broken_contract(const BuildJob& job, const std::vector<BuildStep>& steps,
                            CacheMemory& memory) {
  if (auto broken = contract_violation(job.state, edited_by(job), steps); !broken.empty())
    return broken;
  if (pulls_bases(job.state)) {
    return pull_violation(memory.pulled_as, memory.pulled_as_bytes, steps);
  }
  if (job.warmup || !edit_of(job)) return "";
  // The same edit of the same Dockerfile reruns the same steps: more RUN steps from cache
  // than in the group's other samples means an earlier build of the same content served
  // part of this rebuild (what a multi-stage export of a swapped-back file does). Only RUN
  // steps count: a COPY is keyed on its files' bytes, and BuildKit reports one cached
  // whenever those bytes are in its cache (seen: `COPY --from=poetry-export` cached in 5 of
  // 6 warm-deps samples, its pip install run in all 6).
  int cached = 0;
  for (const auto& step : steps) cached += step.is_instruction() && step.cached && is_run(step);
  std::pair<std::string, std::string> key{owner_of(job), to_string(job.state)};
  auto fewest = memory.cached_steps.find(key);
  if (fewest != memory.cached_steps.end() && cached > fewest->second) {
    return fmt::format(
        "{} RUN step(s) from cache, {} in this group's other samples: part of the rebuild was "
        "served by an earlier build of the same content, so it did not measure {}",
        cached, fewest->second, to_string(job.state));
  }
  if (fewest == memory.cached_steps.end() || cached < fewest->second)
    memory.cached_steps[key] = cached;
  return "";
}

}  // namespace bb
