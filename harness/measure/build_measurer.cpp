#include "measure/build_measurer.hpp"

#include <algorithm>

#include "docker/rawjson.hpp"
#include "measure/ci_cache.hpp"
#include "model/metrics.hpp"
#include "progress/eta.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

// Whether a new image in this state gets layer statistics: the cold one, or each state's
// when the run builds no cold image (every scenario supports cold: the run's states decide).
bool wants_layers(CacheState state, const RunOptions& options) {
  if (state == CacheState::kCold) return true;
  return !options.states.empty() && std::find(options.states.begin(), options.states.end(),
                                              CacheState::kCold) == options.states.end();
}

BuildRequest request_for(const BuildJob& job, Progress& progress) {
  const Scenario& scenario = *job.scenario;
  BuildRequest request;
  request.context = job.context;
  request.dockerfile = job.dockerfile;
  request.target = scenario.target;
  request.tag = image_tag(scenario, job.options->image_variant);
  // Builds are hermetic unless the manifest asks: "default" passes no --network at all.
  request.network = scenario.network.empty()        ? "none"
                    : scenario.network == "default" ? ""
                                                    : scenario.network;
  request.build_args = job.build_args;
  request.secrets = job.options->secrets;
  request.timeout = job.options->build_timeout;
  request.on_progress = [&progress](const RawJsonParser& parser) {
    progress.detail(parser.current_step());
  };
  return request;
}

}  // namespace

BuildMeasurer::BuildMeasurer(DockerEngine& engine, Store& store, Progress& progress)
    : engine_(engine),
      store_(store),
      progress_(progress),
      edits_(make_edit_nonce()),
      registry_(engine, progress) {}

void BuildMeasurer::begin_session() {
  memory_.swapped_at.clear();
  memory_.cached_steps.clear();
  memory_.bases_pushed.clear();  // a new session may use another registry
  memory_.base_layer_bytes.clear();
  memory_.session_start_prunes = memory_.prunes;
  layers_measured_.clear();
  registry_.begin_session();
}

void BuildMeasurer::seed(const Sample& sample, const std::string& image_variant) {
  std::string owner = owner_of(sample.scenario, image_variant);
  if (sample.get(kImageCompressedBytes)) layers_measured_.insert({owner, sample.state});
  if (sample.get(kPushSeconds)) registry_.seed(owner);
  const double* cached = sample.get(kStepsCached);
  if (!cached || sample.warmup || sample.status != SampleStatus::kOk ||
      (sample.state != to_string(CacheState::kWarmCode) &&
       sample.state != to_string(CacheState::kWarmDeps))) {
    return;
  }
  auto [fewest, inserted] =
      memory_.cached_steps.try_emplace({owner, sample.state}, static_cast<int>(*cached));
  if (!inserted) fewest->second = std::min(fewest->second, static_cast<int>(*cached));
}

std::map<std::string, double> BuildMeasurer::take_one_off() {
  return std::exchange(one_off_, {});
}

bool BuildMeasurer::layers_due(const std::string& owner, CacheState state,
                               const RunOptions& options) const {
  return options.image_stats && wants_layers(state, options) &&
         !layers_measured_.count({owner, to_string(state)});
}

DockerEngine* BuildMeasurer::pull_engine_for(CacheState state) const {
  // A fresh runner's build goes to an engine of its own when the run has one: on the docker
  // driver the run's engine holds images built on every base, which keep the base's layers.
  if (!pulls_bases(state) || !engine_.builds_in_daemon_store()) return nullptr;
  return registry_.setup().pull_engine;
}

bool BuildMeasurer::built_elsewhere(const Sample& sample) const {
  auto state = parse_cache_state(sample.state);
  return sample.kind == SampleKind::kBuild && state && pull_engine_for(*state) != nullptr;
}

bool BuildMeasurer::registry_due(const std::string& owner) const {
  return !registry_.setup().shaped.empty() && !registry_.measured(owner);
}

template <typename Work>
void BuildMeasurer::timed(const char* kind, Work&& work) {
  auto start = std::chrono::steady_clock::now();
  if (work())
    one_off_[kind] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Sample BuildMeasurer::measure(const BuildJob& job) {
  Sample sample;
  sample.scenario = job.scenario->name;
  sample.kind = SampleKind::kBuild;
  sample.state = to_string(job.state);
  sample.repetition = job.repetition;
  sample.warmup = job.warmup;
  BuildRequest request = request_for(job, progress_);
  DockerEngine* own = pull_engine_for(job.state);
  DockerEngine& builder = own ? *own : engine_;
  ProtocolContext context{builder,
                          progress_,
                          edits_,
                          memory_,
                          registry_.setup().shaped,
                          job,
                          request,
                          sample,
                          registry_.setup().direct,
                          registry_.setup().layer_bytes,
                          own ? &engine_ : nullptr};
  // What the sample left on that engine goes at its end, however it ends: a later pull there
  // (the registry metrics' own, or the next fresh runner's) must find none of its layers.
  struct LeaveOwnEngine {
    ProtocolContext& context;
    RegistryMetrics& registry;
    ~LeaveOwnEngine() {
      if (!context.bases_from) return;
      registry.forget_pull_engine_bases();
      try {
        empty_own_engine(context);
      } catch (...) {  // the next sample's preparation removes them as well
      }
    }
  } leave_own_engine{context, registry_};
  // What a protocol took out of the engine goes back right after the measured build, whatever
  // became of it: no other sample may see the engine without it.
  auto restoring_on_error = [&](auto&& work) {
    try {
      return work();
    } catch (...) {
      restore_bases(context);
      throw;
    }
  };
  if (!restoring_on_error([&] { return protocol_for(job.state)(context); })) {
    restore_bases(context);
    return sample;
  }
  sample.started_at = iso8601_utc(std::chrono::system_clock::now());
  BuildOutcome outcome = restoring_on_error([&] { return builder.build(request); });
  restore_bases(context);
  if (outcome.interrupted) {
    sample.status = SampleStatus::kInterrupted;
    sample.error = outcome.error;
    return sample;
  }
  sample.steps = outcome.steps;
  sample.image_id = outcome.image_id;
  record_metrics(outcome, sample);
  if (!outcome.ok) {
    sample.status = SampleStatus::kFailed;
    sample.error = outcome.error;
    return sample;
  }
  if (auto broken = broken_contract(job, outcome.steps, memory_); !broken.empty()) {
    // Not a measurement of its state: the numbers stay with it for diagnosis only.
    sample.status = SampleStatus::kFailed;
    sample.error = broken;
    return sample;
  }
  timed(kImageLayersWork, [&] { return record_image(builder, job, sample); });
  timed(kRegistryWork, [&] { return registry_.record(job, request.tag, sample); });
  if (!own) context.replace_image(sample.image_id);
  // After the measured build: the daemon's clean-up must not overlap a measurement.
  for (const auto& id : memory_.superseded) engine_.remove_if_unused(id);
  memory_.superseded.clear();
  return sample;
}

void BuildMeasurer::record_metrics(const BuildOutcome& outcome, Sample& sample) const {
  sample.set(kBuildSeconds, outcome.seconds);
  for (const auto& [name, value] : outcome.metrics) sample.set(name, value);
  int cached = 0, total = 0;
  double load = 0;
  bool loaded = false;
  for (const auto& step : outcome.steps) {
    if (step.is_instruction()) {
      ++total;
      cached += step.cached;
    }
    // Builders other than the docker driver hand the image over (--load): reported apart.
    if (step.name.find("sending tarball") != std::string::npos ||
        step.name.rfind("importing to docker", 0) == 0 ||
        step.name.rfind("loading layer", 0) == 0) {
      load += step.seconds();
      loaded = true;
    }
  }
  sample.set(kStepsCached, cached);
  sample.set(kStepsTotal, total);
  if (loaded) sample.set(kLoadSeconds, load);
  if (reports_cache_export(outcome.steps))
    sample.set(kCacheExportSeconds, cache_export_seconds(outcome.steps));
  if (reports_cache_import(outcome.steps))
    sample.set(kCacheImportSeconds, cache_import_seconds(outcome.steps));
}

bool BuildMeasurer::record_image(DockerEngine& engine, const BuildJob& job, Sample& sample) {
  if (!job.options->image_stats || sample.image_id.empty()) return false;
  std::optional<ImageRecord> image = store_.image(sample.image_id);
  // docker save and gzip cost seconds per image and an edit changes a few bytes: layer
  // statistics are taken once per scenario, from its cold image when the run builds one
  // (the page reads sizes there), else once per state; other new images get their size only.
  bool measured = !wants_layers(job.state, *job.options) ||
                  !layers_measured_.insert({owner_of(job), sample.state}).second;
  if (!image && measured) {
    auto info = engine.inspect_image(sample.image_id);
    if (info) sample.set(kImageBytes, static_cast<double>(info->size_bytes));
    return false;
  }
  bool saved = !image;
  if (!image) {
    progress_.detail("measuring image layers (docker save, gzip)");
    ImageRecord record;
    record.image_id = sample.image_id;
    auto info = engine.inspect_image(sample.image_id);
    record.size_bytes = info ? info->size_bytes : 0;
    record.layers = engine.layer_stats(sample.image_id);
    for (const auto& layer : record.layers) {
      record.compressed_bytes += layer.compressed_bytes;
      record.pyc_count += layer.pyc_count;
      record.pyc_bytes += layer.pyc_bytes;
    }
    store_.add_image(record);
    image = record;
  }
  set_image_metrics(*image, sample);
  return saved;
}

void BuildMeasurer::set_image_metrics(const ImageRecord& image, Sample& sample) const {
  sample.set(kImageBytes, static_cast<double>(image.size_bytes));
  sample.set(kImageCompressedBytes, static_cast<double>(image.compressed_bytes));
  sample.set(kPycCount, static_cast<double>(image.pyc_count));
  sample.set(kPycBytes, static_cast<double>(image.pyc_bytes));
}

}  // namespace bb
