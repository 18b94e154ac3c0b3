#include "model/testbed.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "util/text.hpp"

namespace bb {

namespace {

std::int64_t number_fact(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || !object[key].is_number()) return 0;
  return object[key].get<std::int64_t>();
}

// The words of a CPU model that tell one apart: "Intel(R) Xeon(R) CPU @ 2.20GHz" -> "xeon",
// "AMD Ryzen 9 5950X 16-Core Processor" -> "ryzen-9-5950x".
std::string cpu_slug(const std::string& model) {
  static const std::vector<std::string> noise = {"intel", "amd",    "cpu",      "processor", "core",
                                                 "with",  "radeon", "graphics", "genuine"};
  std::string text = lower(model);
  for (const char* mark : {"(r)", "(tm)"}) {
    for (auto at = text.find(mark); at != std::string::npos; at = text.find(mark))
      text.erase(at, std::string_view(mark).size());
  }
  text = text.substr(0, text.find('@'));  // the clock speed
  std::istringstream words(text);
  std::vector<std::string> kept;
  for (std::string word; words >> word && kept.size() < 3;) {
    bool counted_cores = word.size() > 5 && word.ends_with("-core");
    if (std::find(noise.begin(), noise.end(), word) == noise.end() && !counted_cores)
      kept.push_back(word);
  }
  if (kept.empty()) return "";
  return tag_safe(fmt::format("{}", fmt::join(kept, "-")));
}

}  // namespace

TestbedFacts testbed_facts(const RunRecord& run) {
  const auto& fp = run.fingerprint;
  TestbedFacts facts;
  facts.cpu_model = stored_string(fp, "cpu_model");
  facts.cores = static_cast<int>(number_fact(fp, "cores"));
  facts.memory_gib = std::llround(number_fact(fp, "memory_bytes") / double(1LL << 30));
  facts.engine = stored_string(fp, "docker_server");
  facts.buildkit = stored_string(fp, "buildkit");
  facts.network_profile = network_profile_of(run);
  if (fp.is_object() && fp.contains("base_images") && fp["base_images"].is_object()) {
    for (const auto& [ref, fact] : fp["base_images"].items())
      facts.stand_ins |= fact.is_object() && fact.value("stand_in", false);
  }
  return facts;
}

std::string derived_testbed(const TestbedFacts& facts) {
  std::vector<std::string> parts;
  std::string cpu = cpu_slug(facts.cpu_model);
  parts.push_back(cpu.empty() ? "unknown-cpu" : cpu);
  if (facts.cores > 0) parts.push_back(fmt::format("{}c", facts.cores));
  if (facts.memory_gib > 0) parts.push_back(fmt::format("{}g", facts.memory_gib));
  parts.push_back(facts.engine.empty() ? "no-engine" : tag_safe("docker" + facts.engine));
  if (!facts.network_profile.empty()) parts.push_back(tag_safe(facts.network_profile));
  if (facts.stand_ins) parts.push_back("stand-ins");
  // Every fact, in a fixed order, so that a fact the slug leaves out still tells two apart.
  std::string all =
      fmt::format("{}\n{}\n{}\n{}\n{}\n{}\n{}", facts.cpu_model, facts.cores, facts.memory_gib,
                  facts.engine, facts.buildkit, facts.network_profile, facts.stand_ins);
  parts.push_back(fmt::format("{:08x}", fnv1a64(all) & 0xffffffffu));
  return fmt::format("{}", fmt::join(parts, "-"));
}

std::string testbed_of(const RunRecord& run) {
  std::string named = stored_string(run.options, "testbed");
  return named.empty() ? derived_testbed(testbed_facts(run)) : named;
}

std::vector<std::string> testbeds_of(const std::vector<RunRecord>& runs) {
  std::vector<std::string> names;
  for (const auto& run : runs) {
    std::string name = testbed_of(run);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

std::string describe_testbeds(const std::vector<RunRecord>& runs) {
  std::map<std::string, std::vector<std::int64_t>> ids;
  for (const auto& run : runs) ids[testbed_of(run)].push_back(run.id);
  std::vector<std::string> parts;
  for (const auto& name : testbeds_of(runs)) {
    const auto& of = ids[name];
    parts.push_back(
        fmt::format("{} (run{} {})", name, of.size() == 1 ? "" : "s", fmt::join(of, ", ")));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::optional<std::string> testbed_name_problem(std::string_view name) {
  if (name.empty() || name.size() > 64) return "it must be 1 to 64 characters";
  if (!std::isalnum(static_cast<unsigned char>(name.front())))
    return "it must start with a letter or digit";
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-')
      return fmt::format("'{}' is not one of A-Z a-z 0-9 . _ -", printable(std::string(1, c)));
  }
  return std::nullopt;
}

}  // namespace bb
