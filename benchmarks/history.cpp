#include "history.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <random>

#include <fmt/format.h>

#include "store/store.hpp"

namespace bb::bench {
namespace fs = std::filesystem;

Sample build_sample(const std::string& scenario, const std::string& state, int repetition,
                    double seconds, const std::string& image_id, double extra_bytes) {
  Sample sample;
  sample.scenario = scenario;
  sample.state = state;
  sample.repetition = repetition;
  sample.image_id = image_id;
  sample.set("build_seconds", seconds);
  sample.set("steps_cached", 3);
  sample.set("steps_total", 7);
  sample.set("image_bytes", 4.5e8 + extra_bytes);
  sample.set("image_compressed_bytes", 1.7e8 + extra_bytes);
  for (int k = 0; k < 7; ++k) {
    BuildStep step;
    step.name = fmt::format("[{}/7] RUN step {}", k + 1, k);
    step.started = 1.0 * k;
    step.completed = 1.0 * k + 0.5;
    step.cached = k < 3;
    sample.steps.push_back(step);
  }
  return sample;
}

fs::path history_db(const HistoryShape& shape) {
  fs::path path =
      fs::temp_directory_path() / fmt::format("buildbench-history-{}x{}x{}.db", shape.runs,
                                              shape.scenarios, shape.samples_per_state);
  if (fs::exists(path)) return path;
  fs::path partial = path.string() + ".partial";
  fs::remove(partial);
  {
    Store store(partial, Store::Mode::kReadWrite);
    std::mt19937 rng(1);
    std::lognormal_distribution<double> noise(0.0, 0.05);
    const char* states[] = {"cold", "warm-nochange", "warm-code", "warm-deps"};
    store.database().exec("PRAGMA synchronous=OFF");  // a throwaway file: speed over durability
    std::vector<std::int64_t> ids;
    for (int r = 0; r < shape.runs; ++r) {
      RunRecord run;
      run.started_at = fmt::format("2026-{:02}-{:02}T02:00:00Z", 1 + r / 31 % 12, 1 + r % 28);
      run.status = "complete";
      run.suite_name = "history";
      run.labels = {{"nightly", fmt::format("n{}", r)}, {"branch", "main"}};
      run.fingerprint = {{"hostname", "bench"}, {"docker_server", "20.10.24"}};
      store.begin_run(run);
      for (int s = 0; s < shape.scenarios; ++s) {
        std::string scenario = fmt::format("scenario-{}", s);
        store.add_scenario(run.id, scenario, s, nlohmann::json::object());
        for (const char* state : states) {
          for (int i = 0; i < shape.samples_per_state; ++i) {
            Sample sample = build_sample(scenario, state, i + 1, (5 + s) * noise(rng),
                                         fmt::format("sha256:{}-{}-{}", r, s, i), s * 1e6);
            sample.started_at = run.started_at;
            sample.set("pyc_bytes", 2.5e7);
            store.add_sample(run.id, sample);
          }
        }
        for (const char* mode : {"bytecode", "none"}) {
          for (int i = 0; i < shape.startup_samples; ++i) {
            Sample sample;
            sample.scenario = scenario;
            sample.kind = SampleKind::kStartup;
            sample.state = mode;
            sample.repetition = i + 1;
            sample.set("startup_seconds", (mode[0] == 'b' ? 0.3 : 0.7) * noise(rng));
            sample.set("startup_net_seconds", (mode[0] == 'b' ? 0.15 : 0.55) * noise(rng));
            store.add_sample(run.id, sample);
          }
        }
      }
    }
  }
  fs::rename(partial, path);
  return path;
}

}  // namespace bb::bench
