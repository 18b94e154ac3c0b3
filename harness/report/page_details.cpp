#include "report/page.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "model/metrics.hpp"
#include "stats/summary.hpp"
#include "util/text.hpp"

namespace bb::bench_page {

namespace {

// Median time of each instruction of a scenario per cache state; nothing when it has none.
std::optional<doc::Table> step_table(const std::vector<StoredSample>& samples,
                                     const std::string& scenario,
                                     const std::vector<std::string>& states) {
  std::vector<std::string> order;
  std::map<std::string, std::map<std::string, std::vector<double>>> times;  // step -> state -> s
  std::map<std::string, std::map<std::string, int>> cached, seen;
  for (const auto& stored : samples) {
    const Sample& s = stored.sample;
    if (s.scenario != scenario || s.kind != SampleKind::kBuild || s.status != SampleStatus::kOk ||
        s.warmup)
      continue;
    for (const auto& step : s.steps) {
      if (!step.is_instruction()) continue;
      if (std::find(order.begin(), order.end(), step.name) == order.end())
        order.push_back(step.name);
      times[step.name][s.state].push_back(step.seconds());
      cached[step.name][s.state] += step.cached;
      seen[step.name][s.state] += 1;
    }
  }
  if (order.empty()) return std::nullopt;
  doc::Table t;
  t.header = {"Instruction"};
  t.align = {doc::Align::kLeft};
  for (const auto& st : states) {
    t.header.push_back(st);
    t.align.push_back(doc::Align::kRight);
  }
  for (const auto& name : order) {
    std::vector<std::string> row = {step_label(name)};
    for (const auto& st : states) {
      auto it = times[name].find(st);
      bool mostly_cached = cached[name][st] * 2 > seen[name][st];
      row.push_back(it == times[name].end() ? "–"
                    : mostly_cached         ? "cached"
                                            : format_seconds(stats::median(it->second)));
    }
    t.rows.push_back(row);
  }
  return t;
}

doc::Table size_table(const ReportInput& input, bool show_pyc) {
  doc::Table sizes;
  sizes.header = {"Scenario", "Image", "Compressed"};
  if (show_pyc)
    sizes.header.insert(sizes.header.end(), {".pyc files", ".pyc bytes", "Share of image"});
  sizes.align = {doc::Align::kLeft};
  while (sizes.align.size() < sizes.header.size()) sizes.align.push_back(doc::Align::kRight);
  for (const auto& scenario : input.scenario_order) {
    auto it = input.images.find(scenario);
    if (it == input.images.end()) continue;
    const auto& img = it->second;
    std::vector<std::string> row = {scenario, format_bytes(img.size_bytes),
                                    format_bytes(img.compressed_bytes)};
    if (show_pyc) {
      row.insert(
          row.end(),
          {std::to_string(img.pyc_count), format_bytes(img.pyc_bytes),
           img.size_bytes ? fmt::format("{:.1f}%", 100.0 * img.pyc_bytes / img.size_bytes) : "–"});
    }
    sizes.rows.push_back(row);
  }
  return sizes;
}

doc::Table layer_table(const ImageRecord& image, bool show_pyc) {
  doc::Table t;
  t.header = {"#", "Instruction", "Size", "Compressed"};
  if (show_pyc) t.header.insert(t.header.end(), {".pyc files", ".pyc bytes"});
  t.align = {doc::Align::kRight, doc::Align::kLeft};
  while (t.align.size() < t.header.size()) t.align.push_back(doc::Align::kRight);
  for (const auto& layer : image.layers) {
    std::vector<std::string> row = {
        std::to_string(layer.index), clean_instruction(layer.created_by),
        format_bytes(layer.size_bytes), format_bytes(layer.compressed_bytes)};
    if (show_pyc) {
      row.insert(row.end(), {std::to_string(layer.pyc_count), format_bytes(layer.pyc_bytes)});
    }
    t.rows.push_back(row);
  }
  return t;
}

// A registry metric's column and what the sentence under the table says of it.
struct RegistryColumn {
  std::string_view metric, title, meaning;
};

const std::vector<RegistryColumn> kRegistryColumns = {
    {kPushSeconds, "Push", "push: docker push of the image to the run's local registry"},
    {kPullSeconds, "Pull into an empty engine",
     "pull: docker pull of the pushed image into a second engine that holds nothing of it, base "
     "images included (a fresh host)"},
    {kPullOntoBaseSeconds, "Pull onto its base",
     "pull onto its base: docker pull of the pushed image into a second engine that holds its "
     "base image (the last stage's FROM) but not it: the layers the scenario adds, what a new "
     "release costs a host that has the base"},
    {kRegistryBytes, "Stored in the registry",
     "stored: the layer and config sizes the registry's manifest lists"},
    {kRegistryVsGzipPercent, "Stored vs gzip estimate",
     "stored vs gzip estimate: how much that differs from the Compressed column "
     "(image_compressed_bytes), in percent"},
};

// " (wan)" when the run stored its network profile; nothing is guessed.
std::string profile_note(const RunRecord* run) {
  std::string profile = run ? network_profile_of(*run) : "";
  return profile.empty() ? "" : fmt::format(" ({})", profile);
}

// What each CI cache state measures (measure/ci_cache.hpp, the README's table of states).
const std::map<CacheState, std::string_view> kCiStateMeanings = {
    {CacheState::kCiRegistry,
     "an emptied builder (a fresh CI runner) imports the previous build's cache from the "
     "registry (type=registry, mode=max), after a code edit"},
    {CacheState::kCiLocal,
     "an emptied builder imports the previous build's cache from a local folder (type=local, "
     "mode=max), after a code edit"},
    {CacheState::kCiInline,
     "an emptied builder imports the cache inline in the previous build's pushed image "
     "(type=inline), after a code edit"},
    {CacheState::kCiRegistryDeps,
     "an emptied builder imports the previous build's cache from the registry (type=registry, "
     "mode=max), after a dependency edit: what CI pays when the lock file changes"},
    {CacheState::kExportMin, "warm-code's build exporting its cache to the registry with mode=min"},
    {CacheState::kExportMax, "warm-code's build exporting its cache to the registry with mode=max"},
    {CacheState::kExportLocal,
     "warm-code's build exporting its cache to a local folder with mode=max"},
    {CacheState::kExportInline,
     "warm-code's build with its cache inline in the image (type=inline)"},
    {CacheState::kColdPull,
     "a fresh runner's cold build: cold, on an engine holding none of the scenario's base "
     "images (the pull engine, when the run has one: the run's engine keeps a base's layers "
     "while images built on it exist), so they are pulled from the registry through the "
     "run's network profile (\"base pull\": the layer bytes the build downloaded)"},
};

// The reference builds first (cold, warm-code), then each CI state's build time with its
// cache import and export where BuildKit reported them.
std::vector<ScenarioColumn> ci_columns(const Page& page) {
  std::vector<ScenarioColumn> columns;
  std::string build(kBuildSeconds);
  for (std::string state : names_of({CacheState::kCold, CacheState::kWarmCode})) {
    if (measured(page.groups, state, kBuildSeconds))
      columns.push_back({state_title(state), state, build});
  }
  for (const auto& state : page.ci_states) {
    columns.push_back({state, state, build});
    for (auto [metric, what] :
         {std::pair{kCacheImportSeconds, "cache import"},
          std::pair{kCacheExportSeconds, "cache export"}, std::pair{kBasePullBytes, "base pull"}}) {
      if (measured(page.groups, state, metric))
        columns.push_back({fmt::format("{}, {}", state, what), state, std::string(metric)});
    }
  }
  return columns;
}

}  // namespace

std::string clean_instruction(std::string text) {
  // "RUN |1 PIP_INDEX_URL=... /bin/sh -c pip install ... # buildkit" -> "RUN pip install ..."
  static const std::regex args(R"(^RUN \|\d+( \S+=\S*)* )");
  text = std::regex_replace(text, args, "RUN ");
  static const std::regex shell(R"(/bin/sh -c )");
  text = std::regex_replace(text, shell, "");
  static const std::regex buildkit(R"( # buildkit$)");
  text = std::regex_replace(text, buildkit, "");
  if (text.empty()) text = "(base image)";
  if (text.size() > 110) text = text.substr(0, 107) + "...";
  return text;
}

std::string step_label(const std::string& name) {
  // "[server 3/9] RUN pip install" -> "server 3/9: RUN pip install"
  static const std::regex prefix(R"(^\[([^\]]*)\] )");
  std::smatch m;
  if (std::regex_search(name, m, prefix)) return m[1].str() + ": " + name.substr(m[0].length());
  return name;
}

void add_step_times(doc::Document& d, const Page& page) {
  d.heading(2, "Where the time goes");
  d.paragraph(
      "Median time of each Dockerfile instruction, per cache state; \"cached\" when most "
      "samples served it from the build cache.");
  // The CI states too: what an imported cache served is what they are about.
  auto states = kStates;
  states.insert(states.end(), page.ci_states.begin(), page.ci_states.end());
  for (const auto& scenario : page.input.scenario_order) {
    auto table = step_table(page.input.samples, scenario, states);
    if (!table) continue;
    d.heading(3, scenario);
    d.table(*table);
  }
}

void add_image_sizes(doc::Document& d, const Page& page) {
  const ReportInput& input = page.input;
  d.heading(2, "Image size");
  // Bytecode columns only where bytecode is a subject: the suite names a Python mode or one ran
  // (base images may hold .pyc of their own tools; that alone says nothing about the suite).
  bool show_pyc = input.python_suite || std::any_of(page.modes.begin(), page.modes.end(),
                                                    [](const auto& m) { return m.python; });
  d.table(size_table(input, show_pyc));
  // gather keeps the last build whose layers were read: the scenario's first cold image when
  // the run built one (an edit's image differs by the edit alone).
  d.paragraph(show_pyc ? "The bytes that bytecode adds are the .pyc files; per layer below (the "
                         "scenario's image whose layers the run read: its first cold build's)."
                       : "Per layer below (the scenario's image whose layers the run read: its "
                         "first cold build's).");
  for (const auto& scenario : input.scenario_order) {
    auto it = input.images.find(scenario);
    if (it == input.images.end()) continue;
    d.details_begin(fmt::format("{}: layers", scenario));
    d.table(layer_table(it->second, show_pyc));
    d.details_end();
  }
}

// The registry metrics (--registry): on each scenario's first good cold build of a run.
void add_registry(doc::Document& d, const Page& page) {
  std::vector<ScenarioColumn> columns;
  std::vector<std::string> meanings;
  std::string cold = to_string(CacheState::kCold);
  for (const auto& c : kRegistryColumns) {
    if (!measured(page.groups, cold, c.metric)) continue;
    columns.push_back({std::string(c.title), cold, std::string(c.metric)});
    meanings.emplace_back(c.meaning);
  }
  if (columns.empty()) return;
  d.heading(2, "Shipping the image");
  bool marked = false;  // none of these is a figure a run stops on: never marked
  d.table(scenario_table(page, columns, marked));
  d.paragraph(fmt::format(
      "Once per scenario and run, the image of its first good cold build; pushes and pulls go "
      "through the run's network profile{}. {}; ▲/▼ as under Results.",
      profile_note(page.run), fmt::join(meanings, "; ")));
}

doc::List ci_state_list(const std::vector<std::string>& states) {
  doc::List list;
  for (const auto& state : states) {
    auto parsed = parse_cache_state(state);
    auto it = parsed ? kCiStateMeanings.find(*parsed) : kCiStateMeanings.end();
    if (it == kCiStateMeanings.end()) continue;
    list.items.push_back({{state, false, true}, {": " + std::string(it->second) + "."}});
  }
  return list;
}

void add_ci_states(doc::Document& d, const Page& page) {
  if (page.ci_states.empty()) return;
  d.heading(2, "CI cache states");
  bool marked = false;
  d.table(scenario_table(page, ci_columns(page), marked));
  d.paragraph(
      "Build time medians, with the scenario's cold build and rebuild after a code edit for "
      "reference: what importing a cache saves is a ci- column against the cold build, what "
      "exporting one costs an export- column against the rebuild after a code edit, what a fresh "
      "runner's pulls of the base images cost cold-pull against cold (on the pull engine, a "
      "second daemon of the same version on this machine, when the run has one). Cache "
      "import and export are BuildKit's own steps, part of the build time; ▲/▼ as under "
      "Results." +
      (marked ? " " + short_of_target_note(page) : std::string()));
  d.list(ci_state_list(page.ci_states));
}

}  // namespace bb::bench_page
