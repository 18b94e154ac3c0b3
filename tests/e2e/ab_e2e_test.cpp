// `buildbench ab` against the real Docker engine: two folders, and two revisions of a
// repository, measured side by side; the pairs read back from the database.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "e2e/helpers.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;
namespace fs = std::filesystem;

namespace {

std::pair<std::int64_t, std::int64_t> run_ids(const std::string& out) {
  std::istringstream in(out);
  std::int64_t baseline = 0, candidate = 0;
  in >> baseline >> candidate;
  return {baseline, candidate};
}

// Every pair joins a baseline sample of one run to the candidate sample taken next to it.
void check_pairs(Store& store, std::int64_t base, std::int64_t cand, std::size_t expected) {
  auto pairs = store.pairs({base}, {cand});
  REQUIRE(pairs.size() == expected);
  auto samples = store.samples({base, cand}, false);
  std::map<std::int64_t, const StoredSample*> by_id;
  for (const auto& s : samples) by_id[s.id] = &s;
  for (const auto& pair : pairs) {
    const auto& b = *by_id.at(pair.baseline_sample_id);
    const auto& c = *by_id.at(pair.candidate_sample_id);
    CHECK(b.run_id == base);
    CHECK(c.run_id == cand);
    CHECK(b.sample.state == c.sample.state);
    CHECK(b.sample.status == SampleStatus::kOk);
    CHECK(c.sample.status == SampleStatus::kOk);
    auto first = pair.first == "baseline" ? b.id : c.id;
    CHECK((pair.first == "baseline" ? c.id : b.id) == first + 1);  // back to back
  }
}

struct GitRepo {
  fs::path path = fs::temp_directory_path() / ("bb-ab-repo-" + std::to_string(::getpid()));
  GitRepo() {
    fs::remove_all(path);
    fs::create_directories(path / "suite");
    fs::copy(source_dir() / "tests/fixtures/suites/e2e/small", path / "suite/small",
             fs::copy_options::recursive);
    std::ofstream(path / "suite/suite.toml") << "name = \"ab-e2e\"\n[[scenario]]\nname = "
                                                "\"small\"\ncontext = \"small\"\n";
    git({"init", "-q"});
    commit("baseline");
    std::ofstream(path / "suite/small/Dockerfile", std::ios::app) << "RUN true\n";
    commit("candidate: one more step");
  }
  ~GitRepo() { fs::remove_all(path); }
  std::string git(std::vector<std::string> args) {
    std::vector<std::string> argv = {
        "git", "-C", path.string(), "-c", "user.name=bb", "-c", "user.email=bb@localhost"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_checked(argv);
  }
  void commit(const std::string& message) {
    git({"add", "-A"});
    git({"commit", "-q", "-m", message});
  }
};

}  // namespace

TEST_CASE("ab: two folders side by side, builds and start-ups paired, compared pair by pair") {
  TempDb db;
  auto suite = (source_dir() / "tests/fixtures/suites/e2e").string();
  auto result = buildbench({"ab", "--baseline", suite, "--candidate", suite, "--scenario", "small",
                            "--state", "cold", "--pairs", "2", "--startup-runs", "1", "--seed", "5",
                            "--db", db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto [base, cand] = run_ids(result.out);
  {
    Store store(db.path, Store::Mode::kReadOnly);
    CHECK(store.run(base)->labels.at("side") == "baseline");
    CHECK(store.run(cand)->labels.at("ab") == store.run(base)->labels.at("ab"));
    CHECK(store.run(cand)->options["ab"]["seed"] == 5);
    // 2 cold builds, 1 start-up in each mode: as-built, and no-bytecode, which the probe's
    // Python detection adds for a scenario that names no modes, as in `run`.
    check_pairs(store, base, cand, 2 + 2);
  }
  auto compared = buildbench({"compare", "--baseline", std::to_string(base), "--candidate",
                              std::to_string(cand), "--format", "json", "--db", db.path.string()});
  INFO(compared.err);
  CHECK(compared.exit_code != 2);
  auto json = nlohmann::json::parse(compared.out);
  CHECK(json["paired"] == true);
  CHECK(json["pairing"]["most_pairs"] == 2);
  // Two runs that were not measured side by side have no pairs to require.
  auto unpaired = buildbench({"compare", "--baseline", std::to_string(base), "--candidate",
                              std::to_string(base), "--paired", "--db", db.path.string()});
  CHECK(unpaired.exit_code == 2);
  CHECK(unpaired.err.find("buildbench ab") != std::string::npos);
}

namespace {

// Seconds of the build step that installs from the package index (hermetic step 1).
double pip_install_seconds(const StoredSample& stored) {
  for (const auto& step : stored.sample.steps)
    if (step.name.find("RUN pip install") != std::string::npos) return step.seconds();
  FAIL("no pip install step in sample " << stored.id);
  return 0;
}

// Each side's pip install step times of an ab session of hermetic step 1 under a profile.
std::vector<double> index_seconds(const std::string& profile, const TempDb& db) {
  auto suite = (source_dir() / "scenarios/hermetic").string();
  auto result = buildbench({"ab",
                            "--baseline",
                            suite,
                            "--candidate",
                            suite,
                            "--scenario",
                            "step-1-kiss-requirements",
                            "--state",
                            "cold",
                            "--pairs",
                            "1",
                            "--startup-runs",
                            "0",
                            "--no-image-stats",
                            "--network-profile",
                            profile,
                            "--seed",
                            "3",
                            "--db",
                            db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto [base, cand] = run_ids(result.out);
  Store store(db.path, Store::Mode::kReadOnly);
  std::vector<double> seconds;
  for (auto id : {base, cand}) {
    auto run = store.run(id);
    CHECK(run->options["network_profile"] == profile);
    CHECK(run->fingerprint["network"]["profile"] == profile);
    for (const auto& s : store.samples({id}, true)) {
      CHECK(s.sample.status == SampleStatus::kOk);
      seconds.push_back(pip_install_seconds(s));
    }
  }
  REQUIRE(seconds.size() == 2);
  return seconds;
}

}  // namespace

TEST_CASE("ab: a network profile is paid by both sides, not only recorded") {
  // Before one session loop, ab stored "ci" and served the index unshaped.
  TempDb db;
  auto loopback = index_seconds("loopback", db);
  auto ci = index_seconds("ci", db);
  // 100 Mbit/s and 20 ms a round trip over the index's ~100 requests: seconds, not noise.
  UNSCOPED_INFO("pip install on loopback " << loopback[0] << ", " << loopback[1] << " s; on ci "
                                           << ci[0] << ", " << ci[1] << " s");
  CHECK(std::min(ci[0], ci[1]) > std::max(loopback[0], loopback[1]) + 1.0);
}

TEST_CASE("ab: an option the session cannot honour is refused before anything is stored") {
  TempDb db;
  auto suite = (source_dir() / "tests/fixtures/suites/e2e").string();
  auto no_registry =
      buildbench({"ab", "--baseline", suite, "--candidate", suite, "--scenario", "small", "--state",
                  "ci-registry", "--pairs", "1", "--db", db.path.string()});
  CHECK(no_registry.exit_code == 2);
  CHECK(no_registry.err.find("needs a registry") != std::string::npos);
  auto bad_profile =
      buildbench({"ab", "--baseline", suite, "--candidate", suite, "--scenario", "small",
                  "--network-profile", "dial-up", "--pairs", "1", "--db", db.path.string()});
  CHECK(bad_profile.exit_code == 2);
  CHECK(bad_profile.err.find("--network-profile 'dial-up'") != std::string::npos);
  if (fs::exists(db.path)) {
    Store store(db.path, Store::Mode::kReadOnly);
    CHECK(store.runs().empty());
  }
}

TEST_CASE("ab: two revisions checked out apart, the user's checkout untouched, and ci-compare") {
  GitRepo repo;
  TempDb db;
  auto head = repo.git({"rev-parse", "HEAD"});
  auto parent = repo.git({"rev-parse", "HEAD~1"});
  auto result = buildbench({"ab", "--suite", (repo.path / "suite").string(), "--baseline-rev",
                            "HEAD~1", "--candidate-rev", "HEAD", "--state", "cold", "--pairs", "1",
                            "--startup-runs", "0", "--no-image-stats", "--db", db.path.string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto [base, cand] = run_ids(result.out);
  Store store(db.path, Store::Mode::kReadOnly);
  CHECK(store.run(base)->labels.at("rev") == parent);
  CHECK(store.run(cand)->labels.at("rev") == head);
  CHECK(store.run(cand)->git_commit == head);
  check_pairs(store, base, cand, 1);
  auto samples = store.samples({base, cand}, false);
  for (const auto& s : samples) {
    // The candidate's Dockerfile has one step more.
    CHECK(*s.sample.get("steps_total") == (s.run_id == cand ? 6 : 5));
  }
  CHECK(repo.git({"status", "--porcelain"}).empty());
  CHECK(repo.git({"worktree", "list", "--porcelain"}).find("buildbench-") == std::string::npos);

  // scripts/ci-compare: the base revision against the checkout, paired, with a summary.
  TempDb ci_db;
  fs::path summary = repo.path / "summary.md";
  ProcessOptions ci;
  ci.argv = {(source_dir() / "scripts/ci-compare").string(),
             "--base",
             "HEAD~1",
             "--suite",
             (repo.path / "suite").string(),
             "--state",
             "cold",
             "--pairs",
             "1",
             "--startup-runs",
             "0",
             "--no-image-stats"};
  ci.env = {{"BUILDBENCH_BIN", BUILDBENCH_BINARY},
            {"BUILDBENCH_DB", ci_db.path.string()},
            {"BUILDBENCH_SUMMARY", summary.string()}};
  ci.timeout = std::chrono::minutes(10);
  auto compared = run_process(ci);
  INFO(compared.err);
  CHECK((compared.exit_code == 0 || compared.exit_code == 1));
  std::ifstream in(summary);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  CHECK(text.find("paired, 1 pair, order randomized (abba)") != std::string::npos);
}
