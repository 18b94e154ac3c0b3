// `buildbench list`: a suite's scenarios and the cache states each supports (with --shard,
// the split that `run --shard` computes from the database), or (--runs) the stored runs
// with their testbeds.
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "model/testbed.hpp"
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
  bool runs = false;
  bool db_given = false;
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

// A run's labels as KEY=VALUE words.
std::string labels_text(const RunRecord& run) {
  std::vector<std::string> words;
  for (const auto& [key, value] : run.labels) words.push_back(printable(key + "=" + value));
  return fmt::format("{}", fmt::join(words, " "));
}

// One line a run, oldest first: what compare, report and nightly select and keep apart.
int list_runs(const ListFlags& flags) {
  if (!store_exists(flags.db_path)) {
    throw UsageError(
        fmt::format("--db '{}' holds no buildbench database; 'buildbench run' "
                    "creates one, or pass --db to name yours",
                    printable_location(flags.db_path)));
  }
  Store store(flags.db_path, Store::Mode::kReadOnly);
  fmt::print("{:>5}  {:<20}  {:<11}  {:<16}  {:<40}  {}\n", "run", "started (UTC)", "status",
             "suite", "testbed", "labels");
  for (const auto& run : store.runs()) {
    fmt::print("{:>5}  {:<20}  {:<11}  {:<16}  {:<40}  {}\n", run.id, run.started_at.substr(0, 19),
               run.status, printable(run.suite_name), printable(testbed_of(run)), labels_text(run));
  }
  return kExitOk;
}

int list_suite(const ListFlags& flags) {
  if (flags.runs) return list_runs(flags);
  // The suite's listing reads no database: a --db there would be silently ignored.
  if (flags.db_given && flags.shard.empty())
    throw UsageError("list: --db is read only with --runs or --shard; drop it to list the suite");
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
  auto* list = parent.add_subcommand(
      "list",
      "List a suite's scenarios and the cache states each supports, or the stored runs (--runs)");
  auto flags = std::make_shared<ListFlags>();
  auto* suite = list->add_option("--suite", flags->suite_path, "Suite manifest or its folder")
                    ->capture_default_str();
  auto* source =
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
  auto* runs = list->add_flag("--runs", flags->runs,
                              "List the database's runs instead: id, start, status, suite, "
                              "testbed (--testbed's name, or derived from the fingerprint), "
                              "labels");
  runs->excludes(source)->excludes(suite)->excludes(shard);
  add_db_option(list, flags->db_path);
  list->footer(R"(
Examples:
  buildbench list --suite ~/src/my-service     # checks every path and field
  buildbench list --shard 2/4 --label nightly=2026-12-03 --db postgresql://bench@db:5432/bb
  buildbench list --runs --db nightly.db       # each run with its testbed and labels)");
  auto* db = list->get_option("--db");
  return {list, [db, flags] {
            flags->db_given = db->count() > 0;
            return list_suite(*flags);
          }};
}

}  // namespace bb
