// `buildbench list`: a suite's scenarios and the cache states each supports; with --shard,
// the split that `run --shard` computes from the database.
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "scenario/manifest.hpp"
#include "scenario/scenario.hpp"
#include "session/shard.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

struct ListFlags {
  std::string suite_path = default_suite();
  std::string source;
  std::string db_path = default_db();
  std::string shard, shard_by;
  std::vector<std::string> labels;
};

// Every shard's scenarios, the one `run --shard K/N` measures marked.
void list_shards(const ListFlags& flags, const Suite& suite) {
  auto spec = parse_shard(flags.shard);
  RunOptions options;
  options.labels = parse_labels(flags.labels);
  std::optional<Store> store;
  if (store_exists(flags.db_path)) store.emplace(flags.db_path, Store::Mode::kReadOnly);
  auto partition =
      plan_partition(store ? &*store : nullptr, suite, options, spec.count, flags.shard_by);
  if (partition.balanced_by == "cost") {
    fmt::print("shards of {}, balanced on the seconds of run {} in {}:\n", spec.count,
               fmt::join(partition.basis_runs, ", "), printable_location(flags.db_path));
  } else {
    fmt::print("shards of {}, by count (no basis run with samples of the suite in {}):\n",
               spec.count, printable_location(flags.db_path));
  }
  for (int k = 1; k <= spec.count; ++k) {
    const auto& names = partition.shards[k - 1];
    std::string load =
        partition.balanced_by == "cost" ? fmt::format(" ~{:.0f} s", partition.load[k - 1]) : "";
    fmt::print("{} {}/{}{}: {}\n", k == spec.index ? "*" : " ", k, spec.count, load,
               names.empty() ? "(none)" : fmt::format("{}", fmt::join(names, ", ")));
  }
  shard_of(partition, spec);  // an empty shard is refused as run would refuse it
}

int list_suite(const ListFlags& flags) {
  Suite suite = load_suite(flags.suite_path, manifest_vars(flags.source));
  fmt::print("suite {} ({})\n", suite.name, suite.manifest.string());
  for (const auto& scenario : suite.scenarios) {
    std::vector<std::string> names;
    for (auto state : scenario.supported_states()) names.push_back(to_string(state));
    fmt::print("  {:<34} {}\n", printable(scenario.name), fmt::join(names, " "));
  }
  if (!flags.shard.empty()) list_shards(flags, suite);
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
  auto* shard = list->add_option(
      "--shard", flags->shard,
      "K/N: also show how 'run --shard K/N' splits the suite (from --db), K marked with *");
  list->add_option("--label", flags->labels,
                   "With --shard: the fleet's labels, as its runs give them (repeatable)")
      ->needs(shard);
  list->add_option("--shard-by", flags->shard_by,
                   "With --shard: the runs the split is balanced on, as 'run --shard-by'")
      ->needs(shard);
  add_db_option(list, flags->db_path);
  list->footer(R"(
Examples:
  buildbench list --suite scenarios/hermetic
  buildbench list --shard 2/4 --label nightly=2026-12-03 --db postgresql://bench@db:5432/bb)");
  return {list, [flags] { return list_suite(*flags); }};
}

}  // namespace bb
