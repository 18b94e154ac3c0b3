// The paired nightly on real builds: four nights of a small suite in a scratch git repository.
// Night 3's commit adds a step costing about 10 % of the build; night 4 changes only the base
// image, rebuilt under the same tag. Each night measures last night's revision beside
// tonight's in one session.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "e2e/helpers.hpp"
#include "stats/summary.hpp"
#include "store/store.hpp"

using namespace bb;
using namespace bb::e2e;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The line of `out` that starts with `start`, or "".
std::string line_starting(const std::string& out, const std::string& start) {
  auto at = out.find(start);
  if (at == std::string::npos) return "";
  return out.substr(at, out.find('\n', at) - at);
}

// A base image of the test's own under one tag; rebuilt, the tag names another image.
struct ScratchBaseImage {
  std::string tag = fmt::format("bb-nightly-e2e-base-{}:night", ::getpid());
  fs::path dir = fs::temp_directory_path() / fmt::format("bb-nightly-e2e-base-{}", ::getpid());
  void build(int version) {
    fs::create_directories(dir);
    std::ofstream(dir / "Dockerfile")
        << "FROM python:3.11-slim\nLABEL org.buildbench.e2e.base-version=" << version << "\n";
    run_checked({"docker", "build", "-q", "-t", tag, dir.string()}, std::chrono::minutes(5));
  }
  ~ScratchBaseImage() {
    ProcessOptions options;
    options.argv = {"docker", "image", "rm", "-f", tag};
    run_process(options);
    fs::remove_all(dir);
  }
};

struct SuiteRepo {
  fs::path path = fs::temp_directory_path() / fmt::format("bb-nightly-e2e-repo-{}", ::getpid());
  explicit SuiteRepo(const std::string& base) {
    fs::remove_all(path);
    fs::create_directories(path / "suite/tiny");
    std::ofstream(path / "suite/suite.toml")
        << "name = \"nightly-e2e\"\n[[scenario]]\nname = \"tiny\"\ncontext = \"tiny\"\n";
    // A steady step that dominates the build, so 10 % of it is a step of known cost.
    std::ofstream(dockerfile()) << "FROM " << base << "\nRUN sleep 2\n";
    git({"init", "-q"});
    commit("night 1");
  }
  ~SuiteRepo() { fs::remove_all(path); }
  fs::path dockerfile() const { return path / "suite/tiny/Dockerfile"; }
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
  std::string head() { return git({"rev-parse", "--short=7", "HEAD"}).substr(0, 7); }
};

// Median cold build of run `id`.
double cold_median(Store& store, std::int64_t id) {
  std::vector<double> seconds;
  for (const auto& s : store.samples({id}, false)) {
    if (s.sample.state == "cold" && s.sample.status == SampleStatus::kOk && !s.sample.warmup)
      seconds.push_back(*s.sample.get("build_seconds"));
  }
  REQUIRE(!seconds.empty());
  return stats::median(seconds);
}

}  // namespace

TEST_CASE(
    "nightly: paired nights flag a committed step with its commit and file, and a rebuilt "
    "base image is named with no commit") {
  TempDb db;
  ScratchBaseImage base;
  base.build(1);
  SuiteRepo repo(base.tag);
  auto out = fs::temp_directory_path() / fmt::format("bb-nightly-e2e-out-{}", ::getpid());
  auto night = [&](int n) {
    // 8 pairs: the signed-rank test reaches p < 0.05 even with one pair reversed.
    return buildbench({"nightly", "--suite", (repo.path / "suite").string(), "--runs", "8",
                       "--startup-runs", "0", "--date", fmt::format("2026-01-0{}", n), "--out",
                       out.string(), "--db", db.path.string()});
  };

  auto first = night(1);
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(first.out.find("first nightly") != std::string::npos);

  auto second = night(2);  // the same commit: pairs of one revision
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(read_file(out / "nightly-summary.md").find("Tonight's commit is last night's") !=
        std::string::npos);

  // Night 3: one more step, sleeping a tenth of last night's cold build (its own container
  // start adds to that: at least 10 %).
  std::string night2_commit = repo.head();
  double tenth = 0;
  {
    Store store(db.path, Store::Mode::kReadOnly);
    auto nightly = store.select_runs("nightly=2026-01-02");
    for (auto id : nightly) {
      if (store.run(id)->labels.at("kind") == "nightly") tenth = cold_median(store, id) / 10;
    }
  }
  REQUIRE(tenth > 0);
  std::ofstream(repo.dockerfile(), std::ios::app) << fmt::format("RUN sleep {:.2f}\n", tenth);
  repo.commit("night 3: one more step");
  auto third = night(3);
  INFO(third.out << third.err);
  CHECK(third.exit_code == 1);
  CHECK(third.err.find("REGRESSION against last night's revision " + night2_commit +
                       " (paired): tiny cold build_seconds") != std::string::npos);
  auto caused_by = line_starting(third.out, "buildbench: caused by: ");
  CHECK(caused_by.find("commit ") != std::string::npos);
  CHECK(caused_by.find("tiny/Dockerfile") != std::string::npos);
  CHECK(read_file(out / "nightly-summary.md").find("**Caused by**") != std::string::npos);

  // Night 4: no commit, the base image rebuilt under the same tag.
  base.build(2);
  auto fourth = night(4);
  INFO(fourth.out << fourth.err);
  auto changed = line_starting(fourth.out, "buildbench: changed since last night: ");
  CHECK(changed.find("base image " + base.tag + ": ") != std::string::npos);
  CHECK(changed.find("(no commit)") != std::string::npos);
  CHECK(changed.find("commit ") == std::string::npos);
  CHECK(fourth.exit_code == 0);  // one revision on both sides, one base image under them
  auto summary = read_file(out / "nightly-summary.md");
  CHECK(summary.find("## What changed since last night") != std::string::npos);
  CHECK(summary.find("- no commit: the suite's commit is last night's") != std::string::npos);

  // One nightly run a night in the history; last night's side of each session kept apart.
  Store store(db.path, Store::Mode::kReadOnly);
  CHECK(store.select_runs("kind=nightly").size() == 4);
  CHECK(store.select_runs("kind=nightly-baseline").size() == 3);
  fs::remove_all(out);
}
