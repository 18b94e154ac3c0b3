#include "measure/ci_cache.hpp"

#include <catch2/catch.hpp>

#include "build_steps.hpp"

#include "measure/state_contract.hpp"
#include "util/error.hpp"

using namespace bb;
using bb::testing::step;

namespace {

const CacheLocations kWhere{"127.0.0.1:5000", "buildbench/small-0000abcd", "/tmp/run/cache-0"};

// small's Dockerfile as BuildKit reports it after an edit of app.py.
std::vector<BuildStep> small_steps(bool deps_cached, bool import_step, bool export_step) {
  std::vector<BuildStep> steps;
  if (import_step) steps.push_back(step("importing cache manifest from 127.0.0.1:5000/x", false));
  for (auto s :
       {step("[1/6] FROM docker.io/library/python:3.11-slim", false),
        step("[2/6] WORKDIR /app", deps_cached),
        step("[3/6] COPY requirements.txt ./", deps_cached),
        step("[4/6] RUN python -m compileall -q /usr/lib/python3.11", deps_cached),
        step("[5/6] COPY app.py ./", false), step("[6/6] RUN python -m py_compile app.py", false)})
    steps.push_back(s);
  if (export_step) steps.push_back(step("exporting cache to registry", false));
  return steps;
}

const std::vector<std::string> kEdited = {"app.py"};

}  // namespace

TEST_CASE("ci-registry: the previous build exports mode=max, the emptied builder imports it") {
  auto plan = ci_cache_plan(CacheState::kCiRegistry, kWhere);
  CHECK(plan.prime_cache_to ==
        std::vector<std::string>{"type=registry,ref=127.0.0.1:5000/buildbench/"
                                 "small-0000abcd:cache-ci-registry,mode=max"});
  CHECK(plan.cache_from == std::vector<std::string>{"type=registry,ref=127.0.0.1:5000/buildbench/"
                                                    "small-0000abcd:cache-ci-registry"});
  CHECK(plan.empty_builder);
  CHECK(plan.cache_to.empty());
}

TEST_CASE("ci-registry-deps: ci-registry's runner and cache of its own, after the deps edit") {
  auto plan = ci_cache_plan(CacheState::kCiRegistryDeps, kWhere);
  CHECK(plan.prime_cache_to ==
        std::vector<std::string>{"type=registry,ref=127.0.0.1:5000/buildbench/"
                                 "small-0000abcd:cache-ci-registry-deps,mode=max"});
  CHECK(plan.empty_builder);
  CHECK(imports_cache(CacheState::kCiRegistryDeps));
  CHECK(needs_registry(CacheState::kCiRegistryDeps));
  CHECK(edits_dependencies(CacheState::kCiRegistryDeps));
  CHECK_FALSE(edits_dependencies(CacheState::kCiRegistry));
}

TEST_CASE("ci-local and ci-inline import from a folder and from the pushed previous image") {
  auto local = ci_cache_plan(CacheState::kCiLocal, kWhere);
  CHECK(local.prime_cache_to[0] == "type=local,dest=/tmp/run/cache-0/ci-local,mode=max");
  CHECK(local.cache_from[0] == "type=local,src=/tmp/run/cache-0/ci-local");
  auto inline_ = ci_cache_plan(CacheState::kCiInline, kWhere);
  CHECK(inline_.prime_cache_to[0] == "type=inline");
  CHECK(inline_.push_primed_as == "127.0.0.1:5000/buildbench/small-0000abcd:cache-ci-inline");
  CHECK(inline_.cache_from[0] == "type=registry," + std::string("ref=") + inline_.push_primed_as);
}

TEST_CASE("export states: warm-code's build with one --cache-to, the builder kept") {
  auto min = ci_cache_plan(CacheState::kExportMin, kWhere);
  CHECK(min.cache_to[0] ==
        "type=registry,ref=127.0.0.1:5000/buildbench/small-0000abcd:cache-export-min,mode=min");
  CHECK_FALSE(min.empty_builder);
  CHECK(min.prime_cache_to.empty());
  CHECK(ci_cache_plan(CacheState::kExportMax, kWhere).cache_to[0].find(",mode=max") !=
        std::string::npos);
  CHECK(ci_cache_plan(CacheState::kExportLocal, kWhere).cache_to[0] ==
        "type=local,dest=/tmp/run/cache-0/export-local,mode=max");
  CHECK(ci_cache_plan(CacheState::kExportInline, kWhere).cache_to[0] == "type=inline");
}

TEST_CASE("the docker driver without the containerd store refuses exporting states with the fix") {
  nlohmann::json classic = {{"builder_driver", "docker"}, {"containerd_image_store", false}};
  CHECK_THROWS_AS(require_cache_support(classic, {CacheState::kCold, CacheState::kCiRegistry}),
                  EnvironmentError);
  CHECK_THROWS_WITH(require_cache_support(classic, {CacheState::kExportMax}),
                    Catch::Contains("scripts/lab-dockerd --engine containerd-store") &&
                        Catch::Contains("DOCKER_HOST=unix:///var/run/buildbench-cstore.sock") &&
                        Catch::Contains("--state export-max"));
  CHECK_NOTHROW(require_cache_support(classic, {CacheState::kCiInline, CacheState::kExportInline}));
  nlohmann::json cstore = {{"builder_driver", "docker"}, {"containerd_image_store", true}};
  CHECK_NOTHROW(require_cache_support(cstore, {CacheState::kCiRegistry, CacheState::kExportLocal}));
  nlohmann::json container = {{"builder_driver", "docker-container"}};
  CHECK_NOTHROW(require_cache_support(container, {CacheState::kCiLocal}));
}

TEST_CASE("ci-registry contract: steps before the edited COPY from the imported cache") {
  CHECK(contract_violation(CacheState::kCiRegistry, kEdited, small_steps(true, true, false)) == "");
  auto ran = contract_violation(CacheState::kCiRegistry, kEdited, small_steps(false, true, false));
  CHECK(ran.find("ci-registry ran `[2/6] WORKDIR /app`, which comes before the edited COPY") == 0);
  auto no_import =
      contract_violation(CacheState::kCiLocal, kEdited, small_steps(true, false, false));
  CHECK(no_import.find("ci-local reported no cache import step") == 0);
  // The edit must reach the build, as in warm-code.
  auto steps = small_steps(true, true, false);
  steps[5].cached = true;
  CHECK(contract_violation(CacheState::kCiInline, kEdited, steps)
            .find("code edit did not "
                  "invalidate") == 0);
}

TEST_CASE("ci contract: a stage without the edited COPY is not held to the import") {
  std::vector<BuildStep> steps = {
      step("importing cache manifest from 127.0.0.1:5000/x", false),
      step("[builder 2/3] RUN make wheels", false),  // another stage: may rerun
      step("[stage-1 2/4] RUN apt-get install", true), step("[stage-1 3/4] COPY app.py ./", false)};
  CHECK(contract_violation(CacheState::kCiRegistry, kEdited, steps) == "");
  steps[2].cached = false;
  CHECK(contract_violation(CacheState::kCiRegistry, kEdited, steps) != "");
}

TEST_CASE("ci-registry-deps contract: a COPY --from of an edited stage may rerun what follows") {
  // Step 6 after a poetry.lock edit (2026-12-04: all 12 samples refused): the export stage's
  // requirements.txt changed, so the server stage reruns from its COPY --from, before the
  // `COPY . .` that reads the edited pyproject.toml too.
  std::vector<std::string> edited = {"poetry.lock", "pyproject.toml"};
  std::vector<BuildStep> steps = {
      step("importing cache manifest from 127.0.0.1:5000/x", false),
      step("[poetry-export 2/5] RUN pip install poetry==1.3.2", true),
      step("[poetry-export 3/5] WORKDIR /app", true),
      step("[poetry-export 4/5] COPY poetry.lock pyproject.toml ./", false),
      step("[poetry-export 5/5] RUN poetry export --output requirements.txt", false),
      step("[server 2/6] WORKDIR /app", true),
      step("[server 3/6] COPY --from=poetry-export /app/requirements.txt ./", false),
      step("[server 4/6] RUN pip install --require-hashes -r requirements.txt", false),
      step("[server 5/6] COPY . .", false),
      step("[server 6/6] RUN pip install . --no-deps", false)};
  CHECK(contract_violation(CacheState::kCiRegistryDeps, edited, steps) == "");
  // What comes before the first step the edit reaches in each stage still must be imported.
  steps[5].cached = false;
  CHECK(contract_violation(CacheState::kCiRegistryDeps, edited, steps)
            .find("ci-registry-deps ran `[server 2/6] WORKDIR /app`") == 0);
  steps[5].cached = true;
  steps[1].cached = false;
  CHECK(contract_violation(CacheState::kCiRegistryDeps, edited, steps)
            .find("ci-registry-deps ran `[poetry-export 2/5] RUN pip install poetry") == 0);
}

TEST_CASE("export contract: the edit ran and the cache export step was reported") {
  CHECK(contract_violation(CacheState::kExportMax, kEdited, small_steps(true, false, true)) == "");
  CHECK(contract_violation(CacheState::kExportMin, kEdited, small_steps(true, false, false))
            .find("export-min reported no cache export step") == 0);
  // Inline metadata travels in the image: no step of its own to check.
  CHECK(contract_violation(CacheState::kExportInline, kEdited, small_steps(true, false, false)) ==
        "");
}

TEST_CASE("cache export and import seconds come from their own steps") {
  auto steps = small_steps(true, true, true);
  steps.front().started = 10.0;
  steps.front().completed = 10.5;
  steps.back().started = 20.0;
  steps.back().completed = 21.25;
  CHECK(cache_import_seconds(steps) == Approx(0.5));
  CHECK(cache_export_seconds(steps) == Approx(1.25));
}

TEST_CASE("cold-pull: needs the registry, empties the builder, neither imports nor exports") {
  CHECK(needs_registry(CacheState::kColdPull));
  CHECK(pulls_bases(CacheState::kColdPull));
  CHECK(empties_builder(CacheState::kColdPull));
  CHECK(empties_builder(CacheState::kCold));
  CHECK_FALSE(empties_builder(CacheState::kWarmDeps));
  CHECK_FALSE(pulls_bases(CacheState::kCold));
  CHECK_FALSE(imports_cache(CacheState::kColdPull));
  CHECK_FALSE(needs_cache_export(CacheState::kColdPull));
  auto plan = ci_cache_plan(CacheState::kColdPull, kWhere);
  CHECK(plan.cache_from.empty());
  CHECK(plan.cache_to.empty());
  // Opt-in: named with --state, never in the default four.
  const auto& defaults = all_cache_states();
  CHECK(std::find(defaults.begin(), defaults.end(), CacheState::kColdPull) == defaults.end());
  CHECK(parse_cache_state("cold-pull") == CacheState::kColdPull);
}
