// `buildbench export`: every stored sample of the selected runs, in one format.
#include <iostream>
#include <memory>

#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "report/export.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace bb {

namespace {

struct ExportFlags {
  std::string run_selector = "latest";
  std::string format = "json";
  std::string db_path = default_db();
};

int export_samples(const ExportFlags& flags) {
  Store store(flags.db_path, Store::Mode::kReadOnly);
  std::vector<std::int64_t> ids;
  if (flags.run_selector == "all") {
    for (const auto& r : store.runs()) ids.push_back(r.id);
  } else {
    ids = store.select_runs(flags.run_selector);
  }
  std::vector<RunRecord> runs_found;
  for (auto id : ids) runs_found.push_back(*store.run(id));
  auto samples = store.samples(ids);
  if (flags.format == "csv") {
    export_csv(std::cout, samples);
  } else if (flags.format == "gbench") {
    export_gbench(std::cout, runs_found, samples);
  } else if (flags.format == "hyperfine") {
    export_hyperfine(std::cout, samples);
  } else {
    export_json(std::cout, runs_found, samples);
  }
  return kExitOk;
}

}  // namespace

Subcommand add_export_command(CLI::App& parent) {
  auto* exp = parent.add_subcommand("export", "Print every stored sample as JSON or CSV");
  auto flags = std::make_shared<ExportFlags>();
  exp->add_option("--run", flags->run_selector, "Run id, 'latest', 'all' or a label KEY=VALUE")
      ->capture_default_str();
  exp->add_option("--format", flags->format,
                  "json, csv, gbench (Google Benchmark JSON, for its compare.py and Bencher) or "
                  "hyperfine (hyperfine's --export-json shape)")
      ->capture_default_str()
      ->check(CLI::IsMember({"json", "csv", "gbench", "hyperfine"}));
  add_db_option(exp, flags->db_path);
  exp->footer(R"(
Examples:
  buildbench export --format csv > samples.csv
  buildbench export --run branch=main | jq '.samples[] | select(.status != "ok")')");
  return {exp, [flags] { return export_samples(*flags); }};
}

}  // namespace bb
