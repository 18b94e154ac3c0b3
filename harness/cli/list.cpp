// `buildbench list`: a suite's scenarios and the cache states each supports.
#include <memory>

#include <fmt/format.h>

#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "scenario/manifest.hpp"
#include "scenario/scenario.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

struct ListFlags {
  std::string suite_path = default_suite();
  std::string source;
};

int list_suite(const ListFlags& flags) {
  Suite suite = load_suite(flags.suite_path, manifest_vars(flags.source));
  fmt::print("suite {} ({})\n", suite.name, suite.manifest.string());
  for (const auto& scenario : suite.scenarios) {
    std::vector<std::string> names;
    for (auto state : scenario.supported_states()) names.push_back(to_string(state));
    fmt::print("  {:<34} {}\n", printable(scenario.name), fmt::join(names, " "));
  }
  return kExitOk;
}

}  // namespace

Subcommand add_list_command(CLI::App& parent) {
  auto* list =
      parent.add_subcommand("list", "List a suite's scenarios and the cache states each supports");
  auto flags = std::make_shared<ListFlags>();
  list->add_option("--suite", flags->suite_path, "Suite manifest or its folder")
      ->capture_default_str();
  list->add_option("--source", flags->source, "Checkout that a published suite describes");
  return {list, [flags] { return list_suite(*flags); }};
}

}  // namespace bb
