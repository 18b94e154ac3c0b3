#include "measure/state_contract.hpp"

#include <catch2/catch.hpp>

#include "build_steps.hpp"

#include "scenario/edit_format.hpp"

using namespace bb;
using bb::testing::step;

namespace {

// final's Dockerfile as BuildKit reports it.
std::vector<BuildStep> final_steps(bool deps_cached, bool code_cached) {
  return {
      step("[internal] load build context", false),
      step("[1/8] FROM docker.io/library/python:3.11", true),
      step("[2/8] WORKDIR /app", true),
      step("[3/8] COPY requirements.txt ./", deps_cached),
      step("[4/8] RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt",
           deps_cached),
      step("[5/8] COPY . .", code_cached),
      step("[6/8] RUN python -m compileall src -r 10", code_cached)};
}

}  // namespace

TEST_CASE("COPY and ADD steps: sources parsed from the vertex name, flags and stages skipped") {
  auto copy = parse_copy_step("[builder 3/6] COPY --chown=app:app pyproject.toml poetry.lock ./");
  REQUIRE(copy);
  CHECK(copy->instruction == "COPY --chown=app:app pyproject.toml poetry.lock ./");
  CHECK(copy->sources == std::vector<std::string>{"pyproject.toml", "poetry.lock"});
  auto json = parse_copy_step("[2/4] COPY [\"src/app.py\", \"./\"]");
  REQUIRE(json);
  CHECK(json->sources == std::vector<std::string>{"src/app.py"});
  // BuildKit 0.13 prints the JSON form as a Go slice: no quotes, ", " between items.
  auto go = parse_copy_step("[2/3] COPY [weird $(name).py, /app/]");
  REQUIRE(go);
  CHECK(go->sources == std::vector<std::string>{"weird $(name).py"});
  CHECK_FALSE(parse_copy_step("[stage-1 4/5] COPY --from=builder /wheels /wheels"));
  CHECK_FALSE(parse_copy_step("[3/5] RUN cp a b"));
  CHECK_FALSE(parse_copy_step("[2/3] ADD https://example.invalid/x.tar.gz /x"));
  CHECK(parse_copy_step("[2/3] ADD ./vendor/ /v")->sources == std::vector<std::string>{"vendor"});
}

TEST_CASE("a copy reads a file named, under a folder, under '.', or matched by a glob") {
  auto reads = [](const char* name, const char* file) {
    return copy_reads(*parse_copy_step(name), file);
  };
  CHECK(reads("[1/2] COPY . .", "src/final/main.py"));
  CHECK(reads("[1/2] COPY ./ /app", "requirements.txt"));
  CHECK(reads("[1/2] COPY src/ ./src", "src/final/main.py"));
  CHECK(reads("[1/2] COPY src/final ./src", "src/final/main.py"));
  CHECK(reads("[1/2] COPY *.txt ./", "requirements.txt"));
  CHECK(reads("[1/2] COPY s* ./", "src/final/main.py"));
  CHECK_FALSE(reads("[1/2] COPY *.txt ./", "src/requirements.txt"));
  CHECK_FALSE(reads("[1/2] COPY requirements.txt ./", "requirements-dev.txt"));
  CHECK_FALSE(reads("[1/2] COPY srcx ./", "src/main.py"));
}

TEST_CASE("the contract of each cache state, with the reason a sample breaks it") {
  std::vector<std::string> deps = {"requirements.txt"}, code = {"src/final/main.py"};
  CHECK(contract_violation(CacheState::kWarmDeps, deps, final_steps(false, false)).empty());
  CHECK(contract_violation(CacheState::kWarmDeps, deps, final_steps(true, true)) ==
        "dependency edit did not invalidate `COPY requirements.txt ./`: served from cache");
  CHECK(contract_violation(CacheState::kWarmCode, code, final_steps(true, false)).empty());
  CHECK(contract_violation(CacheState::kWarmCode, code, final_steps(true, true)) ==
        "code edit did not invalidate `COPY . .`: served from cache");
  // The dependency file is read by COPY . . too: every step that reads it must have run.
  CHECK(contract_violation(CacheState::kWarmDeps, deps, final_steps(false, true)) ==
        "dependency edit did not invalidate `COPY . .`: served from cache");
  auto nowhere = contract_violation(CacheState::kWarmCode, {"notes.txt"},
                                    {step("[1/2] COPY app.py ./", true)});
  CHECK(nowhere.find("code edit of `notes.txt` reached no step") == 0);

  CHECK(contract_violation(CacheState::kWarmNoChange, {}, final_steps(true, true)).empty());
  CHECK(contract_violation(CacheState::kWarmNoChange, {}, final_steps(true, false))
            .find("warm-nochange rebuilt `COPY . .`") == 0);
  auto cold = final_steps(false, false);
  cold[2].cached = false;
  CHECK(contract_violation(CacheState::kCold, {}, cold).empty());
  CHECK(contract_violation(CacheState::kCold, {}, final_steps(false, false))
            .find("cold build served `WORKDIR /app` from cache") == 0);
}

TEST_CASE("dependency formats: a comment where the format takes one, none where it does not") {
  CHECK(*nonce_comment("requirements.txt", "7-ab") == "\n# buildbench dependency edit 7-ab\n");
  CHECK(nonce_comment("poetry.lock", "t"));
  CHECK(nonce_comment("pyproject.toml", "t"));
  CHECK(nonce_comment("Cargo.lock", "t"));
  CHECK(*nonce_comment("go.mod", "t") == "\n// buildbench dependency edit t\n");
  CHECK(*nonce_comment("pom.xml", "t") == "\n<!-- buildbench dependency edit t -->\n");
  CHECK_FALSE(nonce_comment("package-lock.json", "t"));
  CHECK_FALSE(nonce_comment("go.sum", "t"));
  CHECK_FALSE(nonce_comment("Pipfile.lock", "t"));
}

TEST_CASE("a copy's --parents, --exclude and cleaned paths, read as BuildKit reads them") {
  auto reads = [](const char* name, const char* file) {
    auto copy = parse_copy_step(name);
    REQUIRE(copy);
    return copy_reads(*copy, file);
  };
  // `**` crosses folders with --parents (patternmatcher); fnmatch never let it.
  CHECK(reads("[2/3] COPY --parents src/**/*.py /app/", "src/pkg/sub/main.py"));
  CHECK(
      reads("[2/3] COPY --parents ./packages/./*/package.json /app/", "packages/web/package.json"));
  // Without --parents it is `*` (filepath.Match): one folder deep, no more.
  CHECK(reads("[2/3] COPY src/**/*.py /app/", "src/pkg/main.py"));
  CHECK_FALSE(reads("[2/3] COPY src/**/*.py /app/", "src/pkg/sub/main.py"));
  // An excluded file is not read: the COPY may rightly stay cached when it changes.
  CHECK_FALSE(reads("[2/3] COPY --exclude=*.md . /app", "README.md"));
  CHECK(reads("[2/3] COPY --exclude=*.md . /app", "app.py"));
  CHECK(reads("[2/3] COPY ./src/./final/ /app", "src/final/main.py"));
  CHECK(contract_violation(CacheState::kWarmCode, {"README.md"},
                           {step("[1/2] COPY --exclude=*.md . /app", true)})
            .find("reached no step") != std::string::npos);
  CHECK_FALSE(parse_copy_step("[2/3] COPY <<EOF /app/notes.txt"));  // an inline file
}

namespace {
BuildStep from_step(const std::string& name, double pulled_bytes) {
  BuildStep s = step(name, false);
  s.pulled_bytes = pulled_bytes;
  return s;
}
}  // namespace

TEST_CASE("cold-pull: every registry copy a FROM names was pulled, and nothing came from cache") {
  std::vector<std::string> images = {"127.0.0.1:5001/buildbench-base/python:3.11-slim",
                                     "127.0.0.1:5001/buildbench-base/python:3.11"};
  std::vector<BuildStep> steps = {
      from_step("[export 1/2] FROM 127.0.0.1:5001/buildbench-base/python:3.11-slim@sha256:a", 10),
      from_step("[server 1/3] FROM 127.0.0.1:5001/buildbench-base/python:3.11@sha256:b", 20),
      step("[server 2/3] RUN pip install -r requirements.txt", false),
      step("[server 3/3] COPY . .", false)};
  CHECK(contract_violation(CacheState::kColdPull, {}, steps).empty());
  std::vector<double> layers = {18, 40};  // the registry's compressed layer bytes
  CHECK(pull_violation(images, {}, steps).empty());
  CHECK(pull_violation(images, layers, steps).empty());
  // A base served from the engine's own store: its FROM downloaded nothing.
  auto local = steps;
  local[1].pulled_bytes = 0;
  CHECK_THAT(pull_violation(images, layers, local), Catch::Contains("python:3.11`") &&
                                                        Catch::Contains("downloaded no layer") &&
                                                        Catch::Contains("engine's own store"));
  // Its config alone (2026-12-04: 1684 bytes of python:3.11's layers): an image built on the
  // base held the layers, so the pull was no fresh runner's.
  auto config_only = steps;
  config_only[1].pulled_bytes = 19;
  CHECK_THAT(pull_violation(images, layers, config_only),
             Catch::Contains("`FROM 127.0.0.1:5001/buildbench-base/python:3.11` downloaded 19 "
                             "bytes of its layers' 40") &&
                 Catch::Contains("not a fresh runner's pull"));
  CHECK(pull_violation(images, {}, config_only).empty());  // sizes unknown: any download
  // -slim's FROM is no prefix match for the full image's: each is found by its own name.
  auto one = std::vector<BuildStep>{steps[0], steps[2]};
  CHECK_THAT(pull_violation(images, layers, one),
             Catch::Contains("no FROM step for 127.0.0.1:5001/buildbench-base/python:3.11: "));
  // A cached step: cold's contract fails the sample with the step named.
  auto cached = steps;
  cached[2].cached = true;
  CHECK_THAT(contract_violation(CacheState::kColdPull, {}, cached),
             Catch::Contains("served `RUN pip install -r requirements.txt` from cache"));
}
