// `buildbench doctor`: checks what a run needs and says how to fix what is missing.
#include <filesystem>
#include <memory>

#include <fmt/format.h>

#include "cli/options.hpp"
#include "cli/subcommand.hpp"
#include "docker/cli_engine.hpp"
#include "scenario/manifest.hpp"
#include "store/store.hpp"
#include "util/error.hpp"
#include "util/process.hpp"
#include "util/text.hpp"

namespace bb {
namespace fs = std::filesystem;

namespace {

struct Check {
  bool ok;
  std::string what;
  std::string fix;
};

Check run_check(const std::string& what, const std::vector<std::string>& argv,
                const std::string& fix) {
  ProcessOptions options;
  options.argv = argv;
  options.timeout = std::chrono::seconds(30);
  try {
    auto result = run_process(options);
    if (result.ok()) {
      auto first = split(std::string(trim(result.out)), '\n').front();
      return {true, fmt::format("{}: {}", what, first), ""};
    }
    return {false, fmt::format("{}: {}", what, trim(result.err)), fix};
  } catch (const EnvironmentError& error) {
    return {false, fmt::format("{}: {}", what, error.what()), fix};
  }
}

struct DoctorFlags {
  std::string suite_path = default_suite();
  std::string db_path = default_db();
};

// Exit 0, or 3 when a check fails.
int run_doctor(const std::string& suite_path, const std::string& db_path) {
  std::vector<Check> checks;
  checks.push_back(run_check("docker client",
                             {"docker", "version", "--format", "{{.Client.Version}}"},
                             "install the docker CLI (scripts/lab-install)"));
  checks.push_back(run_check("docker engine",
                             {"docker", "version", "--format", "{{.Server.Version}}"},
                             "start the daemon: scripts/lab-dockerd"));
  checks.push_back(run_check("buildx", {"docker", "buildx", "version"},
                             "install docker-buildx (scripts/lab-install)"));
  checks.push_back(run_check("builder", {"docker", "buildx", "inspect"},
                             "check 'docker buildx ls'; the default builder needs the engine"));
  try {
    Suite suite = load_suite(suite_path);
    checks.push_back(
        {true, fmt::format("suite: {} ({} scenarios)", suite.name, suite.scenarios.size()), ""});
    if (suite.index) {
      bool ok = fs::is_directory(*suite.index / "simple");
      checks.push_back({ok, fmt::format("package index: {}", suite.index->string()),
                        "build it: scripts/make-index"});
    }
  } catch (const UsageError& error) {
    checks.push_back({false, fmt::format("suite: {}", error.what()), "fix the manifest"});
  }
  for (const char* image : {"python:3.11", "python:3.11-slim"}) {
    auto check =
        run_check(fmt::format("base image {}", image),
                  {"docker", "image", "inspect", "--format",
                   "{{.Id}} stand-in={{index .Config.Labels \"org.buildbench.stand-in\"}}", image},
                  "create stand-ins: scripts/lab-images");
    checks.push_back(check);
  }
  try {
    if (!store_exists(db_path)) {
      checks.push_back({true,
                        fmt::format("database: {} does not exist yet; 'buildbench run' "
                                    "creates it",
                                    printable_location(db_path)),
                        ""});
    } else {
      Store store(db_path, Store::Mode::kReadOnly);
      checks.push_back(
          {true, fmt::format("database: {} ({} runs)", store.location(), store.runs().size()), ""});
    }
  } catch (const std::exception& error) {
    checks.push_back({false, fmt::format("database: {}", error.what()),
                      "pass another --db FILE or postgresql:// URL"});
  }
  bool all_ok = true;
  for (const auto& check : checks) {
    fmt::print("{} {}\n", check.ok ? "ok  " : "FAIL", check.what);
    if (!check.ok) {
      fmt::print("     fix: {}\n", check.fix);
      all_ok = false;
    }
  }
  return all_ok ? 0 : kExitEnvironment;
}

}  // namespace

Subcommand add_doctor_command(CLI::App& parent) {
  auto* doctor =
      parent.add_subcommand("doctor", "Check the engine, buildx, base images and database");
  auto flags = std::make_shared<DoctorFlags>();
  doctor->add_option("--suite", flags->suite_path, "Suite whose base images to check")
      ->capture_default_str();
  add_db_option(doctor, flags->db_path);
  return {doctor, [flags] { return run_doctor(flags->suite_path, flags->db_path); }};
}

}  // namespace bb
