#include "scenario/init.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include <catch2/catch.hpp>

#include "scenario/manifest.hpp"

using namespace bb;
namespace fs = std::filesystem;

namespace {

fs::path source_dir() {
  return fs::path(BUILDBENCH_SOURCE_DIR);
}

// A scratch folder removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::random_device random;
    path = fs::temp_directory_path() / ("bb-init-test-" + std::to_string(random()));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// A copy of `from` without hand-written manifests, as a user's folder would be.
fs::path copy_without_manifests(const fs::path& from, const TempDir& dir) {
  fs::path to = dir.path / from.filename();
  fs::copy(from, to, fs::copy_options::recursive);
  std::vector<fs::path> manifests;
  for (const auto& entry : fs::recursive_directory_iterator(to)) {
    auto name = entry.path().filename();
    if (name == "scenario.toml" || name == "suite.toml") manifests.push_back(entry.path());
  }
  for (const auto& file : manifests) fs::remove(file);
  return to;
}

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

const InitGuess& find_guess(const std::vector<InitGuess>& guesses, const std::string& name) {
  auto it = std::find_if(guesses.begin(), guesses.end(), [&](auto& g) { return g.name == name; });
  REQUIRE(it != guesses.end());
  return *it;
}

std::vector<std::string> swap_keys(const Scenario& scenario) {
  std::vector<std::string> keys;
  if (scenario.deps_edit) {
    for (const auto& [file, alternative] : scenario.deps_edit->swap) keys.push_back(file);
  }
  return keys;
}

std::vector<std::string> sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

bool contains(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](auto& line) { return line.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("init guesses the hand-written edits of every hermetic step") {
  TempDir dir;
  fs::path copy = copy_without_manifests(source_dir() / "scenarios/hermetic", dir);
  Suite expected = load_suite(source_dir() / "scenarios/hermetic");
  auto guesses = guess_scenarios(copy);
  REQUIRE(guesses.size() == expected.scenarios.size());
  for (const auto& scenario : expected.scenarios) {
    INFO(scenario.name);
    const InitGuess& guess = find_guess(guesses, scenario.name);
    CHECK(guess.dockerfile == "Dockerfile");
    CHECK(guess.code_file == scenario.code_edit->file);
    CHECK(sorted(guess.deps_files) == sorted(swap_keys(scenario)));
    CHECK(guess.deps_kind == DepsEditKind::kSwap);  // buildbench-edits/ holds the alternatives
    CHECK(guess.ready_line_hint == scenario.probe.ready_line);
  }
  const InitGuess& step1 = find_guess(guesses, "step-1-kiss-requirements");
  CHECK(step1.code_reason.find("`COPY . .`") != std::string::npos);
  const InitGuess& step4 = find_guess(guesses, "step-4-nontrivial-improvements");
  CHECK(step4.code_reason.find("after the dependency install") != std::string::npos);
  CHECK(contains(step4.notes, "2 stages"));
}

TEST_CASE("init writes manifests that load and keep the guesses") {
  TempDir dir;
  fs::path copy = copy_without_manifests(source_dir() / "scenarios/hermetic", dir);
  Suite expected = load_suite(source_dir() / "scenarios/hermetic");
  std::vector<std::string> messages;
  auto written = write_init(copy, false, messages);
  CHECK(written.size() == expected.scenarios.size() + 1);
  CHECK(contains(messages,
                 "step-1-kiss-requirements: code edit guessed: "
                 "kiss_requirements/main.py (an entrypoint-like name, copied by `COPY . "
                 ".` (line 5)"));
  CHECK(contains(messages, "change [edit.code] file in step-1-kiss-requirements/scenario.toml"));
  Suite suite = load_suite(copy);
  REQUIRE(suite.scenarios.size() == expected.scenarios.size());
  for (const auto& scenario : expected.scenarios) {
    INFO(scenario.name);
    const Scenario* loaded = suite.find(scenario.name);
    REQUIRE(loaded);
    REQUIRE(loaded->code_edit);
    CHECK(loaded->code_edit->file == scenario.code_edit->file);
    CHECK(loaded->code_edit->append == scenario.code_edit->append);
    CHECK(sorted(swap_keys(*loaded)) == sorted(swap_keys(scenario)));
    CHECK(loaded->probe.ready_line == scenario.probe.ready_line);
    CHECK(loaded->supported_states().size() == 4);
  }

  SECTION("existing manifests are kept unless forced") {
    messages.clear();
    CHECK(write_init(copy, false, messages).empty());
    CHECK(contains(messages, "kept "));
    CHECK(write_init(copy, true, messages).size() == written.size());
  }
}

TEST_CASE("init guesses a C service with a vendored library, in one and two stages") {
  auto guesses = guess_scenarios(source_dir() / "tests/fixtures/init/c-service");
  REQUIRE(guesses.size() == 2);
  const InitGuess& single = guesses[0];
  const InitGuess& multi = guesses[1];
  CHECK(single.name == "c-service");
  CHECK(single.scenario_dir == ".");
  CHECK(multi.name == "c-service-multistage");
  CHECK(multi.dockerfile == "Dockerfile.multistage");
  CHECK(multi.scenario_dir == fs::path("buildbench-scenarios/c-service-multistage"));
  for (const auto* g : {&single, &multi}) {
    INFO(g->name);
    CHECK(g->code_file == "src/main.c");
    CHECK(g->deps_files == std::vector<std::string>{"vendor/tiny/tiny.c"});
    CHECK(g->deps_kind == DepsEditKind::kAppend);
    CHECK(g->ready_line_hint.empty());
  }
  CHECK(render_scenario_toml(single).find("append = \"\\n// buildbench code edit {n}\\n\"") !=
        std::string::npos);

  TempDir dir;
  fs::path copy = copy_without_manifests(source_dir() / "tests/fixtures/init/c-service", dir);
  std::vector<std::string> messages;
  CHECK(write_init(copy, false, messages).size() == 3);
  Suite suite = load_suite(copy);
  REQUIRE(suite.scenarios.size() == 2);
  const Scenario& loaded = suite.scenarios[1];
  CHECK(loaded.name == "c-service-multistage");
  CHECK(fs::equivalent(loaded.context, copy));
  CHECK(loaded.dockerfile == copy / "Dockerfile.multistage");
  CHECK(loaded.code_edit->file == "src/main.c");
  CHECK(loaded.deps_edit->file == "vendor/tiny/tiny.c");
  CHECK(loaded.deps_edit->append == "\n// buildbench dependency edit {n}\n");
  CHECK_FALSE(loaded.probe.defined());
}

TEST_CASE("init leaves the dependency edit commented out without an alternative") {
  TempDir dir;
  fs::path app = dir.path / "web";
  write(app / "Dockerfile",
        "FROM node:20\nWORKDIR /app\n"
        "COPY --chown=node:node [\"package.json\", \"package-lock.json\", \"./\"]\n"
        "RUN npm ci\nCOPY . .\nCMD [\"node\", \"src/index.js\"]\n");
  write(app / "package.json", "{}\n");
  write(app / "package-lock.json", "{}\n");
  write(app / "src/index.js", "console.log('up');\n");
  write(app / "src/util.js", "\n");
  write(app / "test/index.test.js", "\n");
  write(app / ".dockerignore", "test\n");
  auto guesses = guess_scenarios(dir.path);
  REQUIRE(guesses.size() == 1);
  const InitGuess& g = guesses[0];
  CHECK(g.name == "web");
  CHECK(g.code_file == "src/index.js");
  CHECK(g.deps_files == std::vector<std::string>{"package-lock.json", "package.json"});
  CHECK(g.deps_kind == DepsEditKind::kTemplate);
  std::string toml = render_scenario_toml(g);
  CHECK(toml.find("# [edit.deps]") != std::string::npos);
  CHECK(toml.find("# file = \".buildbench-edit\"") != std::string::npos);  // JSON takes no comment

  std::vector<std::string> messages;
  write_init(dir.path, false, messages);
  CHECK(contains(messages, "web: dependency files guessed: package-lock.json, package.json"));
  Suite suite = load_suite(dir.path);
  REQUIRE(suite.scenarios.size() == 1);
  CHECK(suite.scenarios[0].code_edit->append == "\n// buildbench code edit {n}\n");
  CHECK_FALSE(suite.scenarios[0].deps_edit.has_value());
}

TEST_CASE("init picks the lock file the install uses and reads .dockerignore negations") {
  TempDir dir;
  write(dir.path / "Dockerfile",
        "# escape=`\nFROM python:3.12\nCOPY requirements.txt poetry.lock pyproject.toml ./\n"
        "RUN pip install `\n    -r requirements.txt\nCOPY . /app\n"
        "CMD [\"uvicorn\", \"app.server:app\"]\n");
  for (auto f : {"requirements.txt", "poetry.lock", "pyproject.toml", "old/main.py",
                 "app/server.py", "app/helpers.py"}) {
    write(dir.path / f, "x\n");
  }
  write(dir.path / ".dockerignore", "*\n!app\n!*.txt\n!*.lock\n!*.toml\n");
  auto guesses = guess_scenarios(dir.path);
  REQUIRE(guesses.size() == 1);
  CHECK(guesses[0].deps_files == std::vector<std::string>{"requirements.txt"});
  CHECK(guesses[0].code_file == "app/server.py");  // old/ is ignored
  CHECK(guesses[0].ready_line_hint == "Application startup complete");
}

TEST_CASE("init finds no Dockerfile and writes nothing") {
  TempDir dir;
  write(dir.path / "node_modules/x/Dockerfile", "FROM scratch\n");
  write(dir.path / ".hidden/Dockerfile", "FROM scratch\n");
  write(dir.path / "a/b/c/d/Dockerfile", "FROM scratch\n");
  CHECK(guess_scenarios(dir.path).empty());
  std::vector<std::string> messages;
  CHECK(write_init(dir.path, false, messages).empty());
  CHECK(contains(messages, "no Dockerfile"));
}

TEST_CASE("init falls back to a shell script and to # comments") {
  TempDir dir;
  write(dir.path / "Dockerfile", "FROM alpine\nCOPY run.sh /run.sh\nCMD [\"/run.sh\"]\n");
  write(dir.path / "run.sh", "#!/bin/sh\n");
  auto guesses = guess_scenarios(dir.path);
  REQUIRE(guesses.size() == 1);
  CHECK(guesses[0].code_file == "run.sh");
  CHECK(guesses[0].deps_kind == DepsEditKind::kNone);
  CHECK(render_scenario_toml(guesses[0]).find("append = \"\\n# buildbench code edit {n}\\n\"") !=
        std::string::npos);
}
