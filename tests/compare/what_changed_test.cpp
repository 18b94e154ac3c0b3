// What changed between two runs' recorded inputs, on hand-made run records: each kind of input,
// runs older than the facts ("not recorded", never a change), and the commit's file list from
// a real git repository made here (two commits; a commit the clone lacks).
#include "compare/what_changed.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "util/process.hpp"
#include "util/text.hpp"

using namespace bb;
namespace fs = std::filesystem;

namespace {

const std::string kDigestA = "sha256:" + std::string(64, 'a');
const std::string kDigestB = "sha256:" + std::string(64, 'b');

RunRecord recorded_run() {
  RunRecord run;
  run.git_commit = "1a2b3c4d5e6f7a8b9c0d1a2b3c4d5e6f7a8b9c0d";
  run.fingerprint = {
      {"docker_server", "26.1.5"},
      {"buildkit", "v0.13.2"},
      {"containerd", "1.7.18"},
      {"runc", "1.1.13"},
      {"kernel", "Linux 6.8.0-45-generic"},
      {"cpu_model", "AMD EPYC 7763 64-Core Processor"},
      {"hostname", "runner-1"},
      {"base_images", {{"python:3.11", {{"present", true}, {"id", kDigestA}}}}},
      {"inputs",
       {{"scenarios", {{"step-6", {{"dockerfile", kDigestA}, {"context", kDigestA}}}}},
        {"package_index", kDigestA}}}};
  return run;
}

const InputChange* find(const std::vector<InputChange>& changes, const std::string& input) {
  for (const auto& change : changes)
    if (change.input == input) return &change;
  return nullptr;
}

}  // namespace

TEST_CASE("what changed: nothing between two runs of the same inputs", "[what_changed]") {
  auto run = recorded_run();
  auto other = recorded_run();
  other.fingerprint["hostname"] = "runner-2";  // not an input of the numbers' causes list
  CHECK(what_changed(run, other, {}).empty());
  CHECK(describe_changes({}).empty());
}

TEST_CASE("what changed: a base image rebuilt under the same tag", "[what_changed]") {
  auto before = recorded_run();
  auto after = recorded_run();
  after.fingerprint["base_images"]["python:3.11"]["id"] = kDigestB;
  auto changes = what_changed(before, after, {});
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].input == "base image python:3.11");
  CHECK(changes[0].before == "sha256:aaaaaaaaaaaa");
  CHECK(changes[0].after == "sha256:bbbbbbbbbbbb");
  CHECK(changes[0].files.empty());
  CHECK_FALSE(is_unknown(changes[0]));
  CHECK(describe_changes(changes) ==
        "base image python:3.11: sha256:aaaaaaaaaaaa → sha256:bbbbbbbbbbbb");
}

TEST_CASE("what changed: a base image newly used, or missing on the host", "[what_changed]") {
  auto before = recorded_run();
  auto after = recorded_run();
  after.fingerprint["base_images"]["debian:12"] = {{"present", false}};
  auto changes = what_changed(before, after, {});
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].input == "base image debian:12");
  CHECK(changes[0].before == "not used");
  CHECK(changes[0].after == "absent");
}

TEST_CASE("what changed: a scenario's Dockerfile and context", "[what_changed]") {
  auto before = recorded_run();
  auto after = recorded_run();
  after.fingerprint["inputs"]["scenarios"]["step-6"]["dockerfile"] = kDigestB;
  after.fingerprint["inputs"]["scenarios"]["step-6"]["context"] = kDigestB;
  // A scenario only the later run has is no change of an input.
  after.fingerprint["inputs"]["scenarios"]["step-7"] = {{"dockerfile", kDigestA},
                                                        {"context", kDigestA}};
  auto changes = what_changed(before, after, {});
  REQUIRE(changes.size() == 2);
  CHECK(changes[0].input == "dockerfile step-6");
  CHECK(changes[1].input == "context step-6");
  CHECK(changes[1].after == "sha256:bbbbbbbbbbbb");
}

TEST_CASE("what changed: the package index, and a suite without one", "[what_changed]") {
  auto before = recorded_run();
  auto after = recorded_run();
  after.fingerprint["inputs"]["package_index"] = kDigestB;
  auto changes = what_changed(before, after, {});
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].input == "package index");
  CHECK(changes[0].after == "sha256:bbbbbbbbbbbb");

  after.fingerprint["inputs"].erase("package_index");
  changes = what_changed(before, after, {});
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].after == "none");
}

TEST_CASE("what changed: engine, BuildKit, containerd, runc, kernel and CPU", "[what_changed]") {
  auto before = recorded_run();
  auto after = recorded_run();
  after.fingerprint["docker_server"] = "27.0.3";
  after.fingerprint["buildkit"] = "v0.14.1";
  after.fingerprint["containerd"] = "1.7.19";
  after.fingerprint["runc"] = "1.1.14";
  after.fingerprint["kernel"] = "Linux 6.8.0-47-generic";
  after.fingerprint["cpu_model"] = "Intel(R) Xeon(R) Platinum 8370C";
  auto changes = what_changed(before, after, {});
  REQUIRE(changes.size() == 6);
  std::vector<std::string> inputs;
  for (const auto& change : changes) inputs.push_back(change.input);
  CHECK(inputs ==
        std::vector<std::string>{"engine", "buildkit", "containerd", "runc", "kernel", "cpu"});
  CHECK(find(changes, "engine")->before == "26.1.5");
  CHECK(find(changes, "engine")->after == "27.0.3");
  CHECK(find(changes, "cpu")->after == "Intel(R) Xeon(R) Platinum 8370C");
}

TEST_CASE("what changed: a run older than the facts says not recorded", "[what_changed]") {
  RunRecord old;  // recorded before runs kept their inputs
  old.git_commit = recorded_run().git_commit;
  old.fingerprint = {{"docker_server", "26.1.5"}, {"buildkit", "v0.13.2"}};
  auto after = recorded_run();
  auto changes = what_changed(old, after, {});
  for (const auto& change : changes) {
    INFO(change.input);
    CHECK(change.before == "not recorded");
    CHECK(is_unknown(change));
  }
  CHECK(find(changes, "dockerfiles and contexts") != nullptr);
  CHECK(find(changes, "base image python:3.11") != nullptr);
  CHECK(find(changes, "package index") != nullptr);
  CHECK(find(changes, "engine") == nullptr);  // both recorded it, the same
  CHECK(find(changes, "dockerfile step-6") == nullptr);

  // Two old runs: nothing known to differ, nothing said.
  CHECK(what_changed(old, old, {}).empty());
}

TEST_CASE("what changed: a commit without a checkout names no files", "[what_changed]") {
  auto before = recorded_run();
  auto after = recorded_run();
  after.git_commit = "5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e";
  auto changes = what_changed(before, after, {});
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].input == "commit");
  CHECK(changes[0].before == "1a2b3c4");
  CHECK(changes[0].after == "5d6e7f8");
  CHECK(changes[0].files.empty());

  after.git_commit = before.git_commit;
  after.git_dirty = true;
  changes = what_changed(before, after, {});
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].after == "1a2b3c4 (dirty)");
}

namespace {

struct Repo {
  fs::path root = fs::temp_directory_path() / ("bb-what-changed-" + std::to_string(::getpid()));
  Repo() {
    fs::remove_all(root);
    fs::create_directories(root / "bench/step-6");
    git({"init", "-q"});
    write("README.md", "outside the suite\n");
    write("bench/suite.toml", "name = \"s\"\n");
    write("bench/step-6/Dockerfile", "FROM python:3.11\n");
    commit("first");
    write("README.md", "outside the suite, edited\n");
    write("bench/step-6/Dockerfile", "FROM python:3.11\nRUN pip install numpy\n");
    write("bench/step-6/poetry.lock", "numpy\n");
    commit("second");
  }
  ~Repo() { fs::remove_all(root); }
  std::string git(std::vector<std::string> args) {
    ProcessOptions options;
    options.argv = {"git", "-C", root.string(), "-c", "user.name=t", "-c", "user.email=t@t"};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    auto result = run_process(options);
    REQUIRE(result.ok());
    return std::string(trim(result.out));
  }
  void write(const std::string& path, const std::string& text) {
    std::ofstream(root / path) << text;
  }
  void commit(const std::string& message) {
    git({"add", "-A"});
    git({"commit", "-q", "-m", message});
  }
};

}  // namespace

TEST_CASE("what changed: a commit lists the suite files it changed", "[what_changed]") {
  Repo repo;
  auto before = recorded_run();
  auto after = recorded_run();
  before.git_commit = repo.git({"rev-parse", "HEAD~1"});
  after.git_commit = repo.git({"rev-parse", "HEAD"});
  before.suite_path = after.suite_path = (repo.root / "bench/suite.toml").string();
  auto changes = what_changed(before, after, repo.root);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].before == before.git_commit.substr(0, 7));
  // Relative to the suite's folder; README.md lies outside the suite.
  CHECK(changes[0].files == std::vector<std::string>{"step-6/Dockerfile", "step-6/poetry.lock"});
  CHECK(describe_changes(changes) == "commit " + before.git_commit.substr(0, 7) + " → " +
                                         after.git_commit.substr(0, 7) +
                                         " changed step-6/Dockerfile, step-6/poetry.lock");
}

TEST_CASE("what changed: a commit the clone lacks is said so, not thrown", "[what_changed]") {
  Repo repo;
  auto before = recorded_run();  // its commit was never in this repository
  auto after = recorded_run();
  after.git_commit = repo.git({"rev-parse", "HEAD"});
  after.suite_path = (repo.root / "bench/suite.toml").string();
  auto changes = what_changed(before, after, repo.root);
  REQUIRE(changes.size() == 1);
  REQUIRE(changes[0].files.size() == 1);
  CHECK(changes[0].files[0] == "1a2b3c4 not in this clone (shallow?)");
  CHECK(describe_changes(changes) == "commit 1a2b3c4 → " + after.git_commit.substr(0, 7) +
                                         " (1a2b3c4 not in this clone (shallow?))");
}

TEST_CASE("what changed: a suite outside the checkout lists files relative to it",
          "[what_changed]") {
  Repo repo;
  auto before = recorded_run();
  auto after = recorded_run();
  before.git_commit = repo.git({"rev-parse", "HEAD~1"});
  after.git_commit = repo.git({"rev-parse", "HEAD"});
  before.suite_path = after.suite_path = "/nowhere/suite.toml";  // a removed scratch worktree
  auto changes = what_changed(before, after, repo.root / "bench");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].files == std::vector<std::string>{"step-6/Dockerfile", "step-6/poetry.lock"});
}

TEST_CASE("what changed: more than five files are counted, not all shown", "[what_changed]") {
  InputChange change{"commit", "1a2b3c4", "5d6e7f8", {"a", "b", "c", "d", "e", "f", "g"}};
  CHECK(describe_change(change) == "commit 1a2b3c4 → 5d6e7f8 changed a, b, c, d, e and 2 more");
}
