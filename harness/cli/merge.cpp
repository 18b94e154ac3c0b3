// `buildbench merge`: import runs from other buildbench databases (one per machine).
#include <memory>

#include <fmt/format.h>

#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "store/merge.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace bb {

namespace {

struct MergeFlags {
  std::vector<std::string> from;
  std::string db_path = default_db();
};

int merge_databases(const MergeFlags& flags) {
  Store store(flags.db_path, Store::Mode::kReadWrite);
  for (const auto& from : flags.from) {
    auto result = merge_database(store, from);
    fmt::print("merged {}: {} run(s) imported ({} samples), {} already present\n",
               printable_location(from), result.imported, result.samples, result.skipped);
  }
  return kExitOk;
}

}  // namespace

Subcommand add_merge_command(CLI::App& parent) {
  auto* mrg = parent.add_subcommand(
      "merge", "Import runs from other buildbench databases (one per machine)");
  auto flags = std::make_shared<MergeFlags>();
  mrg->add_option("--from", flags->from,
                  "Database to import from (repeatable): a file or a postgresql:// URL")
      ->required();
  add_db_option(mrg, flags->db_path,
                "Database to import into: a file or a postgresql://USER@HOST:PORT/DATABASE URL");
  mrg->footer(
      "\nRuns keep their fingerprints; runs already present are skipped, so merging twice "
      "changes nothing.\nExample: buildbench merge --from ci-amd64.db --from ci-arm64.db --db "
      "all.db\n         buildbench merge --from ci-amd64.db --db "
      "postgresql://bench@db.example:5432/buildbench (the password from PGPASSWORD or ~/.pgpass)"
      "\n         buildbench merge --from postgresql://bench@db.example:5432/buildbench --db "
      "copy.db (a shared store's runs into one file)");
  return {mrg, [flags] { return merge_databases(*flags); }};
}

}  // namespace bb
