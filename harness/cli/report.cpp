// `buildbench report`: the benchmark page (markdown, HTML, SVG charts, JSON, CSV).
#include <filesystem>
#include <fstream>
#include <memory>

#include <fmt/format.h>

#include "cli/gather.hpp"
#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "report/benchmark_page.hpp"
#include "store/store.hpp"
#include "util/error.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

struct ReportFlags {
  std::string run = "latest-complete", out_dir = "reports";
  std::string suite;
  std::string source;
  std::string db_path = default_db();
  double alpha = 0.05;
};

int write_report(const ReportFlags& flags) {
  ManifestVars vars = manifest_vars(flags.source);
  Store store(flags.db_path, Store::Mode::kReadOnly);
  ReportInput input = gather_report_input(store, flags.run, flags.suite, vars);
  input.alpha = flags.alpha;
  std::vector<std::int64_t> ids;
  for (const auto& r : input.runs) ids.push_back(r.id);
  auto files = build_report(input);
  fs::create_directories(flags.out_dir);
  for (const auto& [name, content] : files) {
    std::ofstream out(fs::path(flags.out_dir) / name, std::ios::binary);
    out << content;
    if (!out)
      throw EnvironmentError(
          fmt::format("cannot write '{}'", (fs::path(flags.out_dir) / name).string()));
  }
  fmt::print(stderr, "buildbench: report for run {} written to {}/benchmark.md ({} files)\n",
             fmt::join(ids, ", "), flags.out_dir, files.size());
  return kExitOk;
}

}  // namespace

Subcommand add_report_command(CLI::App& parent) {
  auto* rep = parent.add_subcommand(
      "report", "Write the benchmark page (markdown, HTML, SVG charts, JSON, CSV)");
  auto flags = std::make_shared<ReportFlags>();
  rep->add_option("--run", flags->run,
                  "Run id, 'latest', 'latest-complete' or a label KEY=VALUE (runs pool)")
      ->capture_default_str();
  rep->add_option("--suite", flags->suite,
                  "Suite manifest for scenario order and claims (default: the run's own)");
  rep->add_option("--source", flags->source, "Checkout that a published suite describes");
  rep->add_option("--out", flags->out_dir, "Folder to write into")->capture_default_str();
  rep->add_option("--alpha", flags->alpha,
                  "Significance level for claims, step-to-step marks and drift (as compare's)")
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 0.5));
  add_db_option(rep, flags->db_path);
  rep->footer(R"(
Writes benchmark.md (and benchmark.html, the same page for a browser), build-time.svg,
startup.svg, image-size.svg, trend-*.svg when the database holds earlier runs of the suite,
and data.json / data.csv. The same database gives byte-identical files.

Examples:
  buildbench report                              # latest complete run -> reports/
  buildbench report --run nightly=2026-11-24 --out docs/benchmarks)");
  return {rep, [flags] { return write_report(*flags); }};
}

}  // namespace bb
