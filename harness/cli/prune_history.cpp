// `buildbench prune-history`: thin old raw samples, keeping per-group summaries.
#include <memory>

#include <fmt/format.h>

#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "store/prune.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace bb {

namespace {

struct PruneFlags {
  int keep = 30;
  std::string db_path = default_db();
};

int prune_history(const PruneFlags& flags) {
  Store store(flags.db_path, Store::Mode::kReadWrite);
  std::size_t pruned = 0, removed = 0;
  for (auto run_id : runs_to_prune(store.runs(), static_cast<std::size_t>(flags.keep))) {
    removed += store.prune_run(run_id, prune_summaries(run_id, store.samples({run_id}, false)));
    ++pruned;
  }
  store.vacuum();
  fmt::print(
      "pruned {} run(s): {} raw samples replaced by summaries; the newest {} runs are "
      "untouched\n",
      pruned, removed, flags.keep);
  return kExitOk;
}

}  // namespace

Subcommand add_prune_history_command(CLI::App& parent) {
  auto* prune =
      parent.add_subcommand("prune-history", "Thin old raw samples, keeping per-group summaries");
  auto flags = std::make_shared<PruneFlags>();
  prune->add_option("--keep", flags->keep, "Keep the raw samples of this many newest runs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  add_db_option(prune, flags->db_path);
  prune->footer(
      "\nOlder runs keep, per scenario, state and metric: count, failures, median and "
      "its CI, mean, stddev, MAD, min, max;\ntrends and nightly change-point "
      "detection read them. A paired nightly stores two runs a night (tonight's and last\nnight's "
      "side, kind=nightly-baseline): --keep 60 keeps a month of nights. Example: buildbench "
      "prune-history --keep 60");
  return {prune, [flags] { return prune_history(*flags); }};
}

}  // namespace bb
