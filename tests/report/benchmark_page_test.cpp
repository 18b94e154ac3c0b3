// The benchmark page, from a fixed database through the real command line, and from plain
// report input: build_report and check_claims.
#include "report/benchmark_page.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include "compare/compare.hpp"
#include "model/metrics.hpp"
#include "report/compare_report.hpp"
#include "report/format.hpp"
#include "store/store.hpp"
#include "util/process.hpp"

using namespace bb;
namespace fs = std::filesystem;

namespace {

const std::string kBeta = "beta *bold* <img src=x onerror=alert(1)> | `tick` [link](http://x)";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A database with fixed numbers: two runs (so the page has a history), two scenarios.
fs::path make_fixture_db(const fs::path& dir) {
  fs::path db = dir / "fixture.db";
  Store store(db, Store::Mode::kReadWrite);
  for (int r = 0; r < 2; ++r) {
    RunRecord run;
    run.started_at = r == 0 ? "2026-11-23T02:00:00Z" : "2026-11-24T02:00:00Z";
    run.suite_name = "report-fixture";
    run.suite_path =
        std::string(BUILDBENCH_SOURCE_DIR) + "/tests/fixtures/suites/report/suite.toml";
    run.command = "buildbench run --suite tests/fixtures/suites/report --runs 6";
    run.git_commit = "0123456789abcdef";
    run.labels = {{"branch", "main"}};
    run.fingerprint = {
        {"docker_server", "20.10.24"},
        {"cores", 2},
        {"base_images",
         {{"python:3.11", {{"id", "sha256:abcdef0123456789abcdef"}, {"stand_in", true}}}}}};
    auto id = store.begin_run(run);
    int position = 0;
    for (const std::string& scenario : {std::string("alpha"), kBeta}) {
      store.add_scenario(id, scenario, position, nlohmann::json::object());
      double base = position == 0 ? 20.0 : 12.0;
      for (int i = 0; i < 6; ++i) {
        for (const char* state : {"cold", "warm-nochange", "warm-code", "warm-deps"}) {
          Sample s;
          s.scenario = scenario;
          s.state = state;
          s.repetition = i + 1;
          s.started_at = run.started_at;
          s.image_id = "sha256:" + std::to_string(position);
          double scale = std::string(state) == "cold"            ? 1.0
                         : std::string(state) == "warm-nochange" ? 0.01
                                                                 : 0.3;
          s.set("build_seconds", (base + 0.1 * i + 0.05 * r) * scale);
          s.set("steps_cached", std::string(state) == "cold" ? 0 : 2);
          s.set("steps_total", 3);
          s.set("image_bytes", position == 0 ? 4.6e8 : 4.5e8);
          s.set("image_compressed_bytes", position == 0 ? 1.7e8 : 1.65e8);
          s.set("pyc_bytes", 2.5e7);
          for (int k = 0; k < 3; ++k) {
            BuildStep step;
            step.name =
                "[" + std::to_string(k + 2) + "/4] RUN step " + std::to_string(k) + " | *x*";
            step.started = 100.0 + k;
            step.completed = 100.0 + k + (k + 1) * scale;
            step.cached = std::string(state) != "cold" && k < 2;
            s.steps.push_back(step);
          }
          store.add_sample(id, s);
        }
        for (const char* mode : {"as-built", "no-bytecode"}) {
          Sample s;
          s.scenario = scenario;
          s.kind = SampleKind::kStartup;
          s.state = mode;
          s.repetition = i + 1;
          double ready = (mode[0] == 'a' ? 0.30 : 0.70) - position * 0.05 + 0.001 * i;
          s.set("startup_seconds", ready + 0.15);
          s.set("ready_seconds", ready);
          store.add_sample(id, s);
        }
      }
      ImageRecord image;
      image.image_id = "sha256:" + std::to_string(position);
      image.size_bytes = position == 0 ? 460000000 : 450000000;
      image.compressed_bytes = 170000000;
      image.pyc_count = 1700;
      image.pyc_bytes = 25000000;
      image.layers = {{0, "", 430000000, 158000000, 6, 68000},
                      {1,
                       "RUN |1 PIP_INDEX_URL=http://127.0.0.1:3141/simple /bin/sh -c pip install "
                       "-r requirements.txt # buildkit",
                       30000000, 12000000, 1694, 24932000}};
      store.add_image(image);
      ++position;
    }
    store.finish_run(id, "complete");
  }
  // A failed sample in the latest run, kept and reported.
  Sample failed;
  failed.scenario = "alpha";
  failed.state = "cold";
  failed.repetition = 7;
  failed.status = SampleStatus::kFailed;
  failed.error = "exit code: 3";
  store.add_sample(2, failed);
  return db;
}

struct Dir {
  fs::path path = fs::temp_directory_path() / ("bb-report-" + std::to_string(::getpid()));
  Dir() { fs::create_directories(path); }
  ~Dir() { fs::remove_all(path); }
};

ProcessResult report(const fs::path& db, const fs::path& out) {
  ProcessOptions options;
  options.argv = {BUILDBENCH_BINARY, "report", "--db", db.string(), "--out", out.string()};
  return run_process(options);
}

}  // namespace

TEST_CASE("report: the markdown for a fixed database matches the golden file") {
  Dir dir;
  auto db = make_fixture_db(dir.path);
  auto result = report(db, dir.path / "out");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto markdown = read(dir.path / "out/benchmark.md");
  fs::path golden = fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/golden/benchmark.md";
  if (std::getenv("BUILDBENCH_UPDATE_GOLDEN")) std::ofstream(golden, std::ios::binary) << markdown;
  CHECK(markdown == read(golden));
  for (auto name : {"benchmark.html", "build-time.svg", "startup.svg", "image-size.svg",
                    "trend-build.svg", "trend-startup.svg", "data.json", "data.csv"}) {
    INFO(name);
    CHECK(fs::file_size(dir.path / "out" / name) > 100);
  }
}

TEST_CASE("report: the same database gives byte-identical files") {
  Dir dir;
  auto db = make_fixture_db(dir.path);
  REQUIRE(report(db, dir.path / "one").exit_code == 0);
  REQUIRE(report(db, dir.path / "two").exit_code == 0);
  for (const auto& entry : fs::directory_iterator(dir.path / "one")) {
    INFO(entry.path().filename());
    CHECK(read(entry.path()) == read(dir.path / "two" / entry.path().filename()));
  }
}

TEST_CASE("report: names from manifests cannot break the markdown or inject HTML") {
  Dir dir;
  auto db = make_fixture_db(dir.path);
  REQUIRE(report(db, dir.path / "out").exit_code == 0);
  auto markdown = read(dir.path / "out/benchmark.md");
  auto html = read(dir.path / "out/benchmark.html");
  for (const auto& text : {markdown, html}) {
    CHECK(text.find("<img src=x") == std::string::npos);
    CHECK(text.find("<script>") == std::string::npos);
  }
  CHECK(markdown.find("beta \\*bold\\* &lt;img src=x onerror=alert(1)&gt; \\| \\`tick\\` "
                      "\\[link\\](http://x)") != std::string::npos);
  // Every row of every table has as many cells as its header: no name breaks a table.
  std::istringstream lines(markdown);
  std::size_t header_cells = 0;
  bool in_table = false;
  int rows = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("|", 0) != 0) {
      in_table = false;
      continue;
    }
    std::size_t cells = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++cells;
    }
    if (!in_table) {
      header_cells = cells;
      in_table = true;
    }
    INFO(line);
    CHECK(cells == header_cells);
    ++rows;
  }
  CHECK(rows > 20);
  for (auto name : {"build-time.svg", "startup.svg", "image-size.svg"}) {
    auto svg = read(dir.path / "out" / name);
    CHECK(svg.find("<img") == std::string::npos);
  }
}

TEST_CASE("report: claims get verdicts, never confirmed on too little data") {
  Dir dir;
  auto db = make_fixture_db(dir.path);
  REQUIRE(report(db, dir.path / "out").exit_code == 0);
  auto data = nlohmann::json::parse(read(dir.path / "out/data.json"));
  CHECK(data["schema_version"] == 1);
  REQUIRE(data["claims"].size() == 3);
  CHECK(data["claims"][0]["verdict"] == "confirmed");  // 12 s vs 20 s, 6 vs 6 samples
  CHECK(data["claims"][1]["verdict"] == "confirmed");  // deterministic size
  CHECK(data["claims"][2]["verdict"] == "confirmed");

  ReportInput input;
  input.scenario_order = {"a", "b"};
  input.claims = {Claim{"c", "b faster", "b", "a", "build_seconds", "cold", "less"}};
  for (auto [scenario, value] : {std::pair{"a", 20.0}, std::pair{"b", 10.0}}) {
    for (int i = 0; i < 3; ++i) {  // 3 vs 3 can never reach p < 0.05
      StoredSample s;
      s.sample.scenario = scenario;
      s.sample.state = "cold";
      s.sample.set("build_seconds", value + i * 0.1);
      input.samples.push_back(s);
    }
  }
  auto claims = check_claims(input);
  REQUIRE(claims.size() == 1);
  CHECK(claims[0].verdict == ClaimVerdict::kInconclusive);
}

namespace {

// Cold samples of scenario "s" in run `run_id`, one a value of context_bytes in order.
std::vector<StoredSample> context_samples(std::int64_t run_id, const std::vector<double>& bytes) {
  std::vector<StoredSample> out;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    StoredSample stored;
    stored.run_id = run_id;
    stored.sample.scenario = "s";
    stored.sample.state = "cold";
    stored.sample.repetition = static_cast<int>(i) + 1;
    stored.sample.set(kBuildSeconds, 11.0 + static_cast<double>(i));
    stored.sample.set(kContextBytes, bytes[i]);
    out.push_back(stored);
  }
  return out;
}

// Runs 1 and 2 on one host.
std::pair<RunRecord, RunRecord> two_runs() {
  RunRecord base, cand;
  base.id = 1;
  cand.id = 2;
  base.fingerprint = cand.fingerprint = {{"hostname", "a"}};
  return {base, cand};
}

}  // namespace

TEST_CASE("the catalog is the only list: context_bytes reaches compare, the page and nightly") {
  // Each edit appends 40 bytes to the scratch copy.
  auto samples = [](std::int64_t run_id, double bytes) {
    return context_samples(run_id, {bytes + 40, bytes + 80, bytes + 120, bytes + 160, bytes + 200});
  };
  auto [base, cand] = two_runs();
  auto c = compare({base}, samples(1, 20000), {cand}, samples(2, 30000), {});
  auto row = std::find_if(c.rows.begin(), c.rows.end(),
                          [](const ComparisonRow& r) { return r.metric == kContextBytes; });
  REQUIRE(row != c.rows.end());
  CHECK(row->unit == "bytes");
  CHECK_FALSE(row->deterministic);  // it moves with the edits a repetition carries
  CHECK(row->threshold_percent == 1);
  CHECK(row->verdict == Verdict::kRegression);  // half as much again sent, 5 of 5: U test
  std::ostringstream json;
  render_compare_json(json, c);
  CHECK(json.str().find("\"context_bytes\"") != std::string::npos);

  ReportInput input;
  input.suite_name = "s";
  input.scenario_order = {"s"};
  input.runs = {cand};
  input.samples = samples(2, 30000);
  auto data = nlohmann::json::parse(build_report(input).at("data.json"));
  const auto& groups = data.at("groups");
  auto group = std::find_if(groups.begin(), groups.end(), [](const nlohmann::json& g) {
    return g.at("metric") == "context_bytes";
  });
  REQUIRE(group != groups.end());
  CHECK(group->at("unit") == "bytes");
  CHECK(group->at("median") == 30120);

  auto tracked = tracked_metric_names();  // nightly's lasting shifts and the page's history
  CHECK(std::find(tracked.begin(), tracked.end(), kContextBytes) != tracked.end());
}

TEST_CASE("context_bytes: two runs that stopped a group at 5 and 6 repetitions are no change") {
  // The A/A of 2026-11-26 (runs 1 and 2 of one clone): step-6's cold context alternated with
  // its swap edit, identical per repetition in both runs; compared exactly, the medians of 5
  // and 6 values (27.7 kB, 28.1 kB) read as a 1.3% regression of identical code.
  const std::vector<double> by_repetition = {27397, 28410, 27569, 28582, 27701, 28674};
  auto [base, cand] = two_runs();
  auto c = compare({base}, context_samples(1, {by_repetition.begin(), by_repetition.end() - 1}),
                   {cand}, context_samples(2, by_repetition), {});
  auto rows = std::count_if(c.rows.begin(), c.rows.end(),
                            [](const ComparisonRow& r) { return r.metric == kContextBytes; });
  REQUIRE(rows == 1);
  auto row = std::find_if(c.rows.begin(), c.rows.end(),
                          [](const ComparisonRow& r) { return r.metric == kContextBytes; });
  // The medians do differ by more than the 1% threshold.
  CHECK(row->candidate.median / row->baseline.median > 1.01);
  CHECK(row->verdict != Verdict::kRegression);
}

namespace {

// Recomputed here, apart from stats/: the middle of the sorted values.
double sorted_median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Successful, measured cold build times of a scenario, straight from the database.
std::vector<double> stored_cold_builds(const fs::path& db, std::int64_t run_id,
                                       const std::string& scenario) {
  Store store(db, Store::Mode::kReadOnly);
  std::vector<double> values;
  for (const auto& stored : store.samples({run_id})) {
    const Sample& s = stored.sample;
    if (s.scenario != scenario || s.kind != SampleKind::kBuild || s.state != "cold" ||
        s.status != SampleStatus::kOk || s.warmup)
      continue;
    if (const double* v = s.get("build_seconds")) values.push_back(*v);
  }
  return values;
}

// The line of the markdown that starts with `prefix`, or "".
std::string line_starting(const std::string& markdown, const std::string& prefix) {
  std::istringstream lines(markdown);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) == 0) return line;
  }
  return "";
}

}  // namespace

TEST_CASE("report: the page's medians and a claim's numbers match the stored samples") {
  Dir dir;
  auto db = make_fixture_db(dir.path);
  REQUIRE(report(db, dir.path / "out").exit_code == 0);
  auto markdown = read(dir.path / "out/benchmark.md");
  auto alpha = stored_cold_builds(db, 2, "alpha");
  auto beta = stored_cold_builds(db, 2, kBeta);
  REQUIRE(alpha.size() == 6);
  REQUIRE(beta.size() == 6);

  // Headline: the first column after the scenario is the cold build, "median ±MAD".
  for (const auto& [scenario, values] :
       {std::pair{std::string("alpha"), alpha}, std::pair{kBeta, beta}}) {
    std::string row = line_starting(markdown, "| " + markdown_escape(scenario) + " | ");
    REQUIRE(!row.empty());
    std::string cold = row.substr(markdown_escape(scenario).size() + 5);
    INFO(row);
    CHECK(cold.rfind(format_value(sorted_median(values), "s") + " ±", 0) == 0);
  }

  // The claim "beta builds faster than alpha": both medians with their counts, the change as
  // the median of all pairwise log ratios, and p. Every beta value lies below every alpha
  // value, so the exact two-sided Mann-Whitney p is 2 / C(12, 6).
  std::string row = line_starting(markdown, "| beta builds faster than alpha | ");
  REQUIRE(!row.empty());
  INFO(row);
  CHECK(row.find(fmt::format("{}: {} (n=6)", markdown_escape(kBeta),
                             format_value(sorted_median(beta), "s"))) != std::string::npos);
  CHECK(row.find(fmt::format("alpha: {} (n=6)", format_value(sorted_median(alpha), "s"))) !=
        std::string::npos);
  std::vector<double> log_ratios;
  for (double b : beta) {
    for (double a : alpha) log_ratios.push_back(std::log(b / a));
  }
  double change = (std::exp(sorted_median(log_ratios)) - 1) * 100;
  CHECK(row.find("| " + format_percent(change) + " \\[") != std::string::npos);
  REQUIRE(*std::max_element(beta.begin(), beta.end()) <
          *std::min_element(alpha.begin(), alpha.end()));
  CHECK(row.find(fmt::format("| {:.3f} |", 2.0 / 924)) != std::string::npos);

  auto data = nlohmann::json::parse(read(dir.path / "out/data.json"));
  CHECK(data["claims"][0]["subject_median"].get<double>() == Approx(sorted_median(beta)));
  CHECK(data["claims"][0]["baseline_median"].get<double>() == Approx(sorted_median(alpha)));
  CHECK(data["claims"][0]["change_percent"].get<double>() == Approx(change));
}

TEST_CASE("report: the configured alpha decides the page's claims and says so") {
  // 4 against 4, fully apart: p = 2 / C(8, 4) = 0.029, significant at 0.05, not at 0.01.
  ReportInput input;
  input.scenario_order = {"a", "b"};
  input.claims = {Claim{"c", "b faster", "b", "a", "build_seconds", "cold", "less"}};
  for (auto [scenario, value] : {std::pair{"a", 20.0}, std::pair{"b", 10.0}}) {
    for (int i = 0; i < 4; ++i) {
      StoredSample s;
      s.sample.scenario = scenario;
      s.sample.state = "cold";
      s.sample.set("build_seconds", value + i * 0.1);
      input.samples.push_back(s);
    }
  }
  auto page = build_report(input).at("benchmark.md");
  CHECK(page.find("✅ confirmed") != std::string::npos);
  CHECK(page.find("significant (p &lt; 0.05)") != std::string::npos);
  input.alpha = 0.01;
  page = build_report(input).at("benchmark.md");
  CHECK(page.find("❔ inconclusive") != std::string::npos);
  CHECK(page.find("significant (p &lt; 0.01)") != std::string::npos);
  CHECK(page.find("p &lt; 0.05") == std::string::npos);
  CHECK(check_claims(input)[0].verdict == ClaimVerdict::kInconclusive);
}

TEST_CASE("report: the page renders in headless Chromium") {
  const char* chromium = "/usr/bin/chromium";
  if (!fs::exists(chromium))
    FAIL("chromium is needed for this test (scripts/lab-install installs it)");
  Dir dir;
  auto db = make_fixture_db(dir.path);
  REQUIRE(report(db, dir.path / "out").exit_code == 0);
  auto shot = dir.path / "shot.png";
  ProcessOptions options;
  options.argv = {chromium,
                  "--headless",
                  "--no-sandbox",
                  "--disable-gpu",
                  "--disable-quic",
                  "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update",
                  "--disable-sync",
                  "--user-data-dir=" + (dir.path / "profile").string(),
                  "--window-size=1200,3000",
                  "--screenshot=" + shot.string(),
                  "file://" + (dir.path / "out/benchmark.html").string()};
  options.timeout = std::chrono::seconds(120);
  auto result = run_process(options);
  INFO(result.err);
  REQUIRE(fs::exists(shot));
  // A page with its tables and three charts is far from a blank screenshot (a few kB).
  CHECK(fs::file_size(shot) > 60000);
  if (const char* keep = std::getenv("BUILDBENCH_KEEP_SCREENSHOT"))
    fs::copy_file(shot, keep, fs::copy_options::overwrite_existing);
}

namespace {
// A suite that is not Python: one mode (as built), images without .pyc.
ReportInput service_input(bool stand_in) {
  ReportInput input;
  input.suite_name = "service";
  input.scenario_order = {"one-stage", "two-stage"};
  input.modes = builtin_startup_modes();
  input.claims = {
      Claim{"c", "two-stage is smaller", "two-stage", "one-stage", "image_bytes", "", "less"}};
  RunRecord run;
  run.started_at = "2026-11-25T02:00:00Z";
  if (stand_in) {
    run.fingerprint["base_images"] = {{"gcc:12", {{"id", "sha256:1"}, {"stand_in", true}}},
                                      {"debian:12", {{"id", "sha256:2"}, {"stand_in", false}}}};
  }
  input.runs = {run};
  for (const auto& scenario : input.scenario_order) {
    double size = scenario == "one-stage" ? 4e8 : 1e8;
    for (int i = 0; i < 5; ++i) {
      StoredSample build, start;
      build.sample.scenario = start.sample.scenario = scenario;
      build.sample.state = "cold";
      build.sample.set("build_seconds", 10 + i * 0.1);
      build.sample.set("image_bytes", size);
      start.sample.kind = SampleKind::kStartup;
      start.sample.state = "as-built";
      start.sample.set("ready_seconds", 0.004 + i * 0.0001);
      start.sample.set("startup_seconds", 0.09 + i * 0.001);
      input.samples.push_back(build);
      input.samples.push_back(start);
    }
    ImageRecord image;
    image.size_bytes = static_cast<std::int64_t>(size);
    image.pyc_count = 12;  // the base image's own tools: not the suite's subject
    image.pyc_bytes = 9000;
    image.layers = {{0, "COPY /out/service /usr/local/bin/service # buildkit", 1000, 500, 0, 0}};
    input.images[scenario] = image;
  }
  return input;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}
}  // namespace

TEST_CASE("report: a suite that is not Python reads in its own words") {
  auto page = build_report(service_input(false)).at("benchmark.md");
  INFO(page);
  for (const char* word : {"python", "pyc", "bytecode", "tutorial", "stand-in"}) {
    CHECK(lower(page).find(word) == std::string::npos);
  }
  CHECK(page.find("| Start-up |") != std::string::npos);  // one mode: one column
  CHECK(page.find("## Claims") != std::string::npos);
  CHECK(page.find("4.2 ms") != std::string::npos);
}

TEST_CASE("report: the stand-in note names the stand-in images actually used") {
  auto page = build_report(service_input(true)).at("benchmark.md");
  CHECK(page.find("stand-in base images (gcc:12)") != std::string::npos);
  CHECK(page.find("debian:12 (stand-in)") == std::string::npos);
}

TEST_CASE("report: a base image's tool versions as read off it, none where unread") {
  auto input = service_input(true);
  auto& bases = input.runs[0].fingerprint["base_images"];
  bases["gcc:12"]["tools"] = {
      {"python", "3.11.2"}, {"pip", "25.1.1"}, {"setuptools", "66.1.1"}, {"wheel", nullptr}};
  bases["debian:12"]["tools"] = {{"error", "python3 -c exited 127: not found"}};
  // A suite that is not Python never shows them (gcc:12 holds a python3 of its own).
  CHECK(build_report(input).at("benchmark.md").find("Python 3.11.2") == std::string::npos);
  input.python_suite = true;
  auto page = build_report(input).at("benchmark.md");
  INFO(page);
  CHECK(page.find("(stand-in); Python 3.11.2, pip 25.1.1, setuptools 66.1.1, no wheel |") !=
        std::string::npos);
  CHECK(page.find("exited 127") == std::string::npos);
}

TEST_CASE("report: the suite's own title for its claims and a column per measured mode") {
  auto input = service_input(false);
  input.claims_title = "What the guide says";
  input.modes.push_back({"no-jit", "JIT off", "\"JIT off\" sets JIT=0", {}, {}, false});
  StoredSample s;
  s.sample.scenario = "one-stage";
  s.sample.kind = SampleKind::kStartup;
  s.sample.state = "no-jit";
  s.sample.set("ready_seconds", 0.02);
  input.samples.push_back(s);
  auto page = build_report(input).at("benchmark.md");
  CHECK(page.find("## What the guide says") != std::string::npos);
  CHECK(page.find("| Start-up, as built | Start-up, JIT off |") != std::string::npos);
  CHECK(page.find("\"JIT off\" sets JIT=0.") != std::string::npos);
}

namespace {

// A claim that `subject`'s cold build is faster than `baseline`'s.
Claim faster_cold_build(const std::string& subject, const std::string& baseline) {
  Claim claim;
  claim.id = subject + "-faster";
  claim.text = subject + " builds faster than " + baseline;
  claim.subject = subject;
  claim.baseline = baseline;
  claim.metric = std::string(kBuildSeconds);
  claim.state = "cold";
  claim.relation = "less";
  return claim;
}

}  // namespace

TEST_CASE("report: a median an adaptive run left short of its target precision is marked") {
  auto builds = [](const std::string& scenario, std::vector<double> seconds) {
    std::vector<StoredSample> out;
    for (std::size_t i = 0; i < seconds.size(); ++i) {
      StoredSample stored;
      stored.run_id = 1;
      stored.sample.scenario = scenario;
      stored.sample.kind = SampleKind::kBuild;
      stored.sample.state = "cold";
      stored.sample.repetition = static_cast<int>(i) + 1;
      stored.sample.set(kBuildSeconds, seconds[i]);
      out.push_back(stored);
    }
    return out;
  };
  RunRecord run;
  run.id = 1;
  run.options = {{"build_precision", 0.03}, {"startup_precision", 0.05}};
  ReportInput input;
  input.suite_name = "s";
  input.scenario_order = {"tight", "wide"};
  input.runs = {run};
  input.samples = builds("tight", {10.0, 10.1, 9.9, 10.0, 10.05, 9.95});
  auto wide = builds("wide", {8, 12, 9, 11, 8.5, 11.5});  // +-20%: short of +-3% at six
  input.samples.insert(input.samples.end(), wide.begin(), wide.end());
  auto page = build_report(input).at("benchmark.md");
  auto line_of = [&](const std::string& scenario) {
    auto at = page.find("| " + scenario + " |");
    REQUIRE(at != std::string::npos);
    return page.substr(at, page.find('\n', at) - at);
  };
  CHECK(line_of("wide").find("†") != std::string::npos);
  CHECK(line_of("tight").find("†") == std::string::npos);
  CHECK(page.find("within the run's target (±3% for builds, ±5% for start-ups)") !=
        std::string::npos);

  input.runs[0].options = nlohmann::json::object();  // a fixed design aims at no precision
  page = build_report(input).at("benchmark.md");
  CHECK(line_of("wide").find("†") == std::string::npos);

  // A run that aimed its claims' groups tighter judges each group by its own target: ±6%
  // spread is within ±25% for the headline's others, short of ±3% for a claim's.
  input.runs[0].options = {
      {"build_precision", 0.25}, {"build_precision_floor", 0.02}, {"claim_precision", 0.03}};
  input.samples = builds("tight", {10.0, 10.6, 9.4, 10.0, 10.5, 9.5});
  wide = builds("wide", {10.0, 10.6, 9.4, 10.0, 10.5, 9.5});
  input.samples.insert(input.samples.end(), wide.begin(), wide.end());
  input.claims = {faster_cold_build("wide", "wide")};
  page = build_report(input).at("benchmark.md");
  CHECK(line_of("wide").find("†") != std::string::npos);
  CHECK(line_of("tight").find("†") == std::string::npos);
  CHECK(page.find("(±25% for builds (±20 ms when that is wider), ±3% for the builds a claim "
                  "compares)") != std::string::npos);
}

namespace {

// A good build sample with the given metrics.
StoredSample build_sample(const std::string& scenario, const std::string& state,
                          const std::vector<std::pair<std::string_view, double>>& metrics) {
  StoredSample stored;
  stored.run_id = 1;
  stored.sample.scenario = scenario;
  stored.sample.kind = SampleKind::kBuild;
  stored.sample.state = state;
  for (const auto& [name, value] : metrics) stored.sample.set(name, value);
  BuildStep step;
  step.name = "[2/2] RUN make";
  step.started = 100;
  step.completed = 100 + metrics.front().second;
  stored.sample.steps.push_back(step);
  return stored;
}

// The page's "## heading" section up to the next one; "" when the page has none.
std::string section(const std::string& page, const std::string& heading) {
  auto at = page.find("\n## " + heading + "\n");
  if (at == std::string::npos) return "";
  auto end = page.find("\n## ", at + 1);
  return page.substr(at, end == std::string::npos ? std::string::npos : end - at);
}

// The cells of the table row that starts with `first` ("| a | 1 s |" -> {"a", "1 s"}).
std::vector<std::string> row_cells(const std::string& text, const std::string& first) {
  std::string row = line_starting(text, "| " + first + " |");
  std::vector<std::string> cells;
  if (row.size() < 4) return cells;
  row = row.substr(2, row.size() - 4);
  for (std::size_t at = 0;;) {
    auto bar = row.find(" | ", at);
    cells.push_back(row.substr(at, bar == std::string::npos ? std::string::npos : bar - at));
    if (bar == std::string::npos) return cells;
    at = bar + 3;
  }
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// Two scenarios built cold four times; a pushed twice (two runs), b once, with --registry.
ReportInput registry_input() {
  RunRecord run;
  run.id = 1;
  run.options = {{"build_precision", 0.03}};  // adaptive: a push, one value a run, is not marked
  run.fingerprint["network"] = {{"profile", "dsl"}};
  ReportInput input;
  input.suite_name = "s";
  input.scenario_order = {"a", "b"};
  input.runs = {run};
  using M = std::vector<std::pair<std::string_view, double>>;
  std::map<std::string, std::vector<M>> pushes = {{"a",
                                                   {{{kPushSeconds, 4.0},
                                                     {kPushUploadedBytes, 3e7},
                                                     {kPullSeconds, 2.0},
                                                     {kRegistryBytes, 1.1e8},
                                                     {kRegistryVsGzipPercent, 3.5}},
                                                    {{kPushSeconds, 6.0},
                                                     {kPushUploadedBytes, 3e7},
                                                     {kPullSeconds, 3.0},
                                                     {kRegistryBytes, 1.1e8},
                                                     {kRegistryVsGzipPercent, 3.5}}}},
                                                  {"b",
                                                   {{{kPushSeconds, 1.5},
                                                     {kPushUploadedBytes, 1e7},
                                                     {kPullSeconds, 0.8},
                                                     {kRegistryBytes, 4e7},
                                                     {kRegistryVsGzipPercent, -2.0}}}}};
  for (const auto& scenario : input.scenario_order) {
    for (std::size_t i = 0; i < 4; ++i) {
      M metrics = {{kBuildSeconds, 10 + i * 0.1}, {kImageCompressedBytes, 1e8}};
      if (i < pushes[scenario].size())
        metrics.insert(metrics.end(), pushes[scenario][i].begin(), pushes[scenario][i].end());
      input.samples.push_back(build_sample(scenario, "cold", metrics));
    }
  }
  return input;
}

}  // namespace

TEST_CASE("report: a run with registry metrics shows how its images ship") {
  auto input = registry_input();
  auto shipping = section(build_report(input).at("benchmark.md"), "Shipping the image");
  INFO(shipping);
  REQUIRE(!shipping.empty());
  // push_uploaded_bytes, stored by old runs as 0 whatever was sent, is not shown.
  CHECK(shipping.find("| Scenario | Push | Pull into an empty engine | Stored in the "
                      "registry | Stored vs gzip estimate |") != std::string::npos);
  auto a = row_cells(shipping, "a");
  REQUIRE(a.size() == 5);
  CHECK(starts_with(a[1], format_value(5.0, "s") + " ±"));  // the median of 4 s and 6 s
  CHECK(starts_with(a[2], format_value(2.5, "s") + " ±"));
  CHECK(a[3] == format_value(1.1e8, "bytes"));
  CHECK(a[4] == "3.5%");
  auto b = row_cells(shipping, "b");
  REQUIRE(b.size() == 5);
  CHECK(starts_with(b[1], format_value(1.5, "s")));
  CHECK(starts_with(b[2], format_value(0.8, "s")));
  CHECK(starts_with(b[3], format_value(4e7, "bytes")));
  CHECK(starts_with(b[4], "-2.0%"));
  CHECK(shipping.find("†") == std::string::npos);
  CHECK(shipping.find("network profile (dsl)") != std::string::npos);

  input.runs[0].fingerprint = nlohmann::json::object();  // a run that stored no profile
  shipping = section(build_report(input).at("benchmark.md"), "Shipping the image");
  CHECK(shipping.find("network profile. ") != std::string::npos);
  input.runs[0].options["network_profile"] = "wan";  // ... or stored it in its options
  shipping = section(build_report(input).at("benchmark.md"), "Shipping the image");
  CHECK(shipping.find("network profile (wan)") != std::string::npos);
}

TEST_CASE("report: a run without registry metrics or CI states shows neither section") {
  auto page = build_report(service_input(false)).at("benchmark.md");
  CHECK(section(page, "Shipping the image").empty());
  CHECK(section(page, "CI cache states").empty());
  CHECK(page.find("ci-registry") == std::string::npos);
}

namespace {

// Cold, warm-code and two CI states for a; b's ci-registry too wide for the run's ±3%.
ReportInput ci_input() {
  RunRecord run;
  run.id = 1;
  run.options = {{"build_precision", 0.03}};
  ReportInput input;
  input.suite_name = "s";
  input.scenario_order = {"a", "b"};
  input.runs = {run};
  auto add = [&](const std::string& scenario, const std::string& state, std::vector<double> seconds,
                 std::string_view cache_metric = {}, double cache_seconds = 0) {
    for (std::size_t i = 0; i < seconds.size(); ++i) {
      std::vector<std::pair<std::string_view, double>> metrics = {{kBuildSeconds, seconds[i]}};
      if (!cache_metric.empty()) metrics.push_back({cache_metric, cache_seconds + i * 0.02});
      input.samples.push_back(build_sample(scenario, state, metrics));
    }
  };
  add("a", "cold", {20, 20.1, 19.9, 20, 20.05, 19.95});
  add("a", "warm-code", {5, 5.01, 4.99, 5, 5.005, 4.995});
  add("a", "ci-registry", {8, 8.01, 7.99, 8, 8.005, 7.995}, kCacheImportSeconds, 1.0);
  add("a", "export-max", {7, 7.01, 6.99, 7, 7.005, 6.995}, kCacheExportSeconds, 2.0);
  add("b", "cold", {12, 12.01, 11.99, 12, 12.005, 11.995});
  add("b", "ci-registry", {6, 9, 6.5, 8.5, 7, 8});  // ±20%: short of ±3% at six
  return input;
}

}  // namespace

TEST_CASE("report: a run that measured CI cache states shows them against cold and warm-code") {
  auto input = ci_input();
  auto page = build_report(input).at("benchmark.md");
  auto ci = section(page, "CI cache states");
  INFO(ci);
  REQUIRE(!ci.empty());
  CHECK(ci.find("| Scenario | Cold build | Rebuild after code edit | ci-registry | ci-registry, "
                "cache import | export-max | export-max, cache export |") != std::string::npos);
  auto a = row_cells(ci, "a");
  REQUIRE(a.size() == 7);
  CHECK(starts_with(a[1], format_value(20, "s")));
  CHECK(starts_with(a[2], format_value(5, "s")));
  CHECK(starts_with(a[3], format_value(8, "s")));
  CHECK(starts_with(a[4], format_value(1.05, "s")));  // 1.00 to 1.10 s: the median
  CHECK(starts_with(a[5], format_value(7, "s")));
  CHECK(starts_with(a[6], format_value(2.05, "s")));
  CHECK(a[3].find("†") == std::string::npos);
  auto b = row_cells(ci, "b");
  REQUIRE(b.size() == 7);
  CHECK(b[2] == "–");  // b has no warm-code build
  CHECK(starts_with(b[3], format_value(7.5, "s")));
  CHECK(b[3].find("†") != std::string::npos);
  CHECK(b[4] == "–");
  CHECK(ci.find("†: the group reached its most repetitions") != std::string::npos);
  CHECK(ci.find("`ci-registry`: an emptied builder") != std::string::npos);
  CHECK(ci.find("`export-max`: warm-code's build exporting its cache to the registry with "
                "mode=max.") != std::string::npos);
  CHECK(ci.find("`export-min`") == std::string::npos);
  // The headline still shows the four local states only, none of them marked.
  CHECK(section(page, "Results").find("†") == std::string::npos);
  // Where the time goes keeps the CI states' instruction times.
  CHECK(section(page, "Where the time goes")
            .find("| Instruction | cold | warm-nochange | warm-code | warm-deps | ci-registry | "
                  "export-max |") != std::string::npos);
}

TEST_CASE("report: noisy groups are one warning, a claim's first, then by spread") {
  ReportInput input;
  input.suite_name = "s";
  input.scenario_order = {"a", "b", "c"};
  auto add = [&](const std::string& scenario, std::vector<double> seconds) {
    for (double v : seconds) {
      StoredSample stored;
      stored.run_id = 1;
      stored.sample.scenario = scenario;
      stored.sample.kind = SampleKind::kBuild;
      stored.sample.state = "cold";
      stored.sample.set(kBuildSeconds, v);
      input.samples.push_back(stored);
    }
  };
  add("a", {10, 14, 7, 12});    // CV 28%
  add("b", {10, 12, 8.5, 11});  // CV 14%, compared by a claim
  add("c", {10, 10.1, 9.9});    // quiet
  input.claims = {faster_cold_build("b", "c")};
  auto warnings = section(build_report(input).at("benchmark.md"), "Warnings");
  auto at = warnings.find("2 group(s) noisy (CV &gt; 10%): 1 compared by a claim (b cold 14%)");
  CHECK(at != std::string::npos);
  CHECK(warnings.find("1 other(s) (a cold 28%)") > at);
  CHECK(warnings.find("c cold") == std::string::npos);
}

TEST_CASE("benchmark page data.json: a claim of several states, a row per setting") {
  ReportInput input;
  input.suite_name = "s";
  input.scenario_order = {"s"};
  input.runs = {two_runs().second};
  input.samples = context_samples(2, {30000, 30040, 30080});
  Claim deps{"fast", "s rebuilds faster", "s", "s", "build_seconds", "warm-deps", "less"};
  deps.setting = "on the developer's machine";
  deps.why = "the cache mount survives";
  Claim pull = deps;
  pull.state = "cold-pull";
  pull.setting = "on a fresh runner";
  pull.why = "nothing is cached";
  input.claims = {deps, pull, Claim{"one", "t", "s", "s", "image_bytes", "", "less"}};
  auto data = nlohmann::json::parse(build_report(input).at("data.json"));
  const auto& claims = data.at("claims");
  REQUIRE(claims.size() == 3);
  CHECK(claims[0].at("id") == "fast");
  CHECK(claims[0].at("state") == "warm-deps");
  CHECK(claims[0].at("setting") == "on the developer's machine");
  CHECK(claims[1].at("state") == "cold-pull");
  CHECK(claims[1].at("why") == "nothing is cached");
  CHECK_FALSE(claims[2].contains("setting"));  // a one-state claim: as before
}

TEST_CASE("report: cold-pull sits with the CI states, its base pull bytes beside its time") {
  auto input = ci_input();
  for (double seconds : {30.0, 30.2, 29.8, 30.1, 29.9, 30.0}) {
    input.samples.push_back(
        build_sample("a", "cold-pull", {{kBuildSeconds, seconds}, {kBasePullBytes, 150e6}}));
  }
  auto page = build_report(input).at("benchmark.md");
  auto ci = section(page, "CI cache states");
  INFO(ci);
  CHECK(ci.find("| cold-pull | cold-pull, base pull |") != std::string::npos);
  auto a = row_cells(ci, "a");
  REQUIRE(a.size() == 9);
  CHECK(starts_with(a[3], format_value(30, "s")));  // right after the reference columns
  CHECK(starts_with(a[4], format_value(150e6, "bytes")));
  CHECK(row_cells(ci, "b")[3] == "–");  // b was not measured in it
  CHECK(ci.find("`cold-pull`: a fresh runner's cold build") != std::string::npos);
}
