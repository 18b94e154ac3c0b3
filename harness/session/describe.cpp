#include "session/describe.hpp"

#include <fmt/format.h>

#include "lab/run_network.hpp"
#include "measure/registry_metrics.hpp"
#include "scenario/input_digests.hpp"
#include "util/error.hpp"
#include "util/git.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

// No git, or not a repository: the run simply records no commit.
std::string git_output(const fs::path& dir, const std::vector<std::string>& args) {
  auto result = read_git(dir, args);
  return result.ok ? result.out : "";
}

// What a Python base image's own interpreter imports, read off the image rather than assumed
// (a stand-in's pip decides whether the wheel cache serves hash-checked installs). setuptools
// first: its distutils shim asserts when pip has imported distutils before it.
constexpr const char* kToolVersions = R"(import json, sys
def version(name):
    try:
        return getattr(__import__(name), "__version__", None)
    except Exception:
        return None
print(json.dumps(dict(python=sys.version.split()[0], **{n: version(n) for n in ("setuptools", "pip", "wheel")})))
)";

// The last line of a command's output, where docker and python put the reason.
std::string last_line(std::string_view text) {
  text = trim(text);
  auto at = text.rfind('\n');
  return printable(at == std::string_view::npos ? text : text.substr(at + 1));
}

nlohmann::json tool_facts(DockerEngine& engine, const std::string& ref) {
  auto [code, out] = engine.run_once(ref, {"python3", "-c", kToolVersions});
  if (code != 0) return {{"error", fmt::format("python3 -c exited {}: {}", code, last_line(out))}};
  try {
    auto tools = nlohmann::json::parse(out);
    if (tools.is_object()) return tools;
  } catch (const nlohmann::json::exception&) {
  }
  return {{"error", "python3 printed no versions: " + std::string(last_line(out))}};
}

// Stand-ins carry a label; `tools`: also the versions of the Python tools in each image.
nlohmann::json base_image_facts(DockerEngine& engine, const Suite& suite, bool tools = true) {
  nlohmann::json facts = nlohmann::json::object();
  for (const auto& scenario : suite.scenarios) {
    for (const auto& ref : base_images_of(scenario).all) {
      if (facts.contains(ref)) continue;
      auto info = engine.inspect_image(ref);
      nlohmann::json fact;
      fact["present"] = info.has_value();
      if (info) {
        fact["id"] = info->id;
        auto label = info->labels.find("org.buildbench.stand-in");
        fact["stand_in"] = label != info->labels.end() && label->second == "true";
        if (fact["stand_in"]) {
          fact["stand_in_source"] = info->labels["org.buildbench.stand-in.source"];
          fact["stand_in_recipe"] = info->labels["org.buildbench.stand-in.recipe"];
        }
        if (tools) fact["tools"] = tool_facts(engine, ref);
      }
      facts[ref] = fact;
    }
  }
  return facts;
}

// The lab's value of each fidelity check, read off the image this run builds on.
nlohmann::json fidelity_facts(DockerEngine& engine, const Suite& suite) {
  nlohmann::json facts = nlohmann::json::array();
  for (const auto& check : suite.fidelity) {
    if (check.read == "stated") continue;  // the suite's own words, nothing to read
    nlohmann::json fact = {{"property", check.property}, {"image", check.image}};
    if (!engine.inspect_image(check.image)) {
      fact["error"] = "the engine has no such image";
    } else if (check.read == "compressed-size" || check.read == "pyc-count") {
      std::int64_t total = 0;
      for (const auto& layer : engine.layer_stats(check.image))
        total += check.read == "pyc-count" ? layer.pyc_count : layer.compressed_bytes;
      fact["value"] = std::to_string(total);
    } else {
      auto [code, out] = engine.run_once(check.image, check.command);
      if (check.read == "exit")
        fact["value"] = code == 0 ? "yes" : "no";
      else if (code == 0)
        fact["value"] = last_line(out);
      else
        fact["error"] =
            fmt::format("{} exited {}: {}", check.command.front(), code, last_line(out));
    }
    facts.push_back(fact);
  }
  return facts;
}

// The digests of what the builds read from disk, for `compare/what_changed`. The package
// index's digest is absent when the suite names no index.
nlohmann::json input_facts(const Suite& suite) {
  nlohmann::json scenarios = nlohmann::json::object();
  for (const auto& scenario : suite.scenarios) {
    nlohmann::json fact;
    fact["dockerfile"] = file_digest(scenario.dockerfile).value_or("unreadable");
    fact["context"] = context_digest(scenario.context, scenario.dockerfile);
    scenarios[scenario.name] = fact;
  }
  nlohmann::json facts = {{"scenarios", scenarios}};
  if (suite.index) facts["package_index"] = folder_digest(*suite.index);
  return facts;
}

nlohmann::json network_facts(const RunOptions& options) {
  const auto& profile = network_profile_named(options.network_profile);
  nlohmann::json facts = {{"profile", profile.name},
                          {"bits_per_second", profile.bits_per_second},
                          {"round_trip_ms", profile.round_trip.count() / 1000.0},
                          {"source", profile.source},
                          {"shaped", "package index; registry pushes, pulls, cache import/export"}};
  if (!options.registry.empty()) facts["registry"] = options.registry;
  facts["pull_engine"] =
      options.pull_engine.empty() ? "none (no pull_seconds)" : options.pull_engine;
  facts["cold_pull_builds_on"] =
      options.pull_engine.empty()
          ? "the run's engine, the bases removed and put back"
          : "the pull engine when the run builds on the docker driver; a builder with a store "
            "of its own builds it itself";
  if (!options.pull_engine.empty()) {
    facts["pull_onto"] = options.pull_onto == "base"
                             ? "base: the engine holds the image's base images"
                             : "empty: the engine holds nothing of the image";
  }
  return facts;
}

}  // namespace

RunRecord describe_run(DockerEngine& engine, Progress& progress, const Suite& suite,
                       const RunOptions& options, const nlohmann::json* host) {
  RunRecord record;
  record.suite_name = suite.name;
  record.suite_path = fs::absolute(suite.manifest).string();
  record.command = options.command;
  record.labels = options.labels;
  fs::path suite_dir = fs::absolute(suite.manifest).parent_path();
  record.git_commit = git_output(suite_dir, {"rev-parse", "HEAD"});
  record.git_dirty = !git_output(suite_dir, {"status", "--porcelain", "--", "."}).empty();
  if (host) {
    record.fingerprint = *host;
  } else {
    progress.message("buildbench: collecting the host and tool fingerprint");
    record.fingerprint = engine.fingerprint();
  }
  record.fingerprint["base_images"] = base_image_facts(engine, suite);
  if (!suite.fidelity.empty()) record.fingerprint["fidelity"] = fidelity_facts(engine, suite);
  record.fingerprint["network"] = network_facts(options);
  record.fingerprint["inputs"] = input_facts(suite);
  record.options = stored_form(options);
  return record;
}

RunRecord testbed_record(DockerEngine& engine, const Suite& suite, const RunOptions& options) {
  RunRecord record;
  record.suite_name = suite.name;
  record.fingerprint = engine.fingerprint();
  record.fingerprint["base_images"] = base_image_facts(engine, suite, false);
  record.fingerprint["network"] = network_facts(options);
  record.options = stored_form(options);
  return record;
}

nlohmann::json describe_scenario(const Scenario& scenario) {
  nlohmann::json json;
  json["name"] = scenario.name;
  json["description"] = scenario.description;
  json["differs"] = scenario.differs;
  json["manifest"] = scenario.manifest.string();
  json["context"] = scenario.context.string();
  json["dockerfile"] = scenario.dockerfile.string();
  json["target"] = scenario.target;
  json["network"] = scenario.network;
  // Build-arg names only: values may be secrets.
  nlohmann::json args = nlohmann::json::array();
  for (const auto& [key, value] : scenario.build_args) args.push_back(key);
  json["build_arg_names"] = args;
  return json;
}

std::map<std::string, std::string> build_args_for(const Scenario& scenario,
                                                  const PackageIndexServer* index) {
  const std::string token = "{index_url}";
  std::map<std::string, std::string> args;
  for (auto [key, value] : scenario.build_args) {
    if (value.find(token) != std::string::npos && !index) {
      throw UsageError(
          fmt::format("{}: build arg '{}' uses {{index_url}} but the suite names no "
                      "index; add index = \"DIR\" to the suite",
                      scenario.manifest.string(), key));
    }
    for (auto pos = value.find(token); pos != std::string::npos; pos = value.find(token, pos)) {
      value.replace(pos, token.size(), index->url());
      pos += index->url().size();
    }
    args[key] = value;
  }
  return args;
}

Sample unmeasured(const std::string& scenario, SampleKind kind, const std::string& state,
                  int repetition, bool warmup, SampleStatus status, const std::string& error) {
  Sample sample;
  sample.scenario = scenario;
  sample.kind = kind;
  sample.state = state;
  sample.repetition = repetition;
  sample.warmup = warmup;
  sample.status = status;
  sample.error = error;
  sample.started_at = iso8601_utc(std::chrono::system_clock::now());
  return sample;
}

}  // namespace bb
