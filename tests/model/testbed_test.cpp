// A run's testbed: its --testbed name, or a readable, stable name derived from its fingerprint.
#include "model/testbed.hpp"

#include <catch2/catch.hpp>

using namespace bb;

namespace {

// A run as describe_run records one on a small CI machine.
RunRecord ci_run() {
  RunRecord run;
  run.id = 7;
  run.fingerprint = {
      {"cpu_model", "Intel(R) Xeon(R) Platinum 8370C CPU @ 2.80GHz"},
      {"cores", 4},
      {"memory_bytes", 16'765'636'608LL},  // MemTotal: a little under 16 GiB
      {"docker_server", "26.1.5+dfsg1"},
      {"buildkit", "v0.13.x"},
      {"hostname", "runner-1"},
      {"kernel", "Linux 6.1.0-27-amd64"},
      {"network", {{"profile", "ci"}}},
      {"base_images",
       {{"python:3.12-slim", {{"present", true}, {"id", "sha256:1"}, {"stand_in", true}}}}}};
  run.options = {{"network_profile", "ci"}};
  return run;
}

}  // namespace

TEST_CASE("testbed: the same facts give the same readable name") {
  RunRecord run = ci_run();
  std::string name = testbed_of(run);
  CHECK(name.rfind("xeon-platinum-8370c-4c-16g-docker26.1.5-dfsg1-ci-stand-ins-", 0) == 0);
  CHECK(name.size() ==
        std::string("xeon-platinum-8370c-4c-16g-docker26.1.5-dfsg1-ci-stand-ins-").size() +
            8);  // and a hash of all the facts
  // What is no testbed fact leaves the name be: another host name, kernel, image id, date.
  RunRecord other = ci_run();
  other.id = 8;
  other.fingerprint["hostname"] = "runner-2";
  other.fingerprint["kernel"] = "Linux 6.1.0-28-amd64";
  other.fingerprint["base_images"]["python:3.12-slim"]["id"] = "sha256:2";
  other.fingerprint["memory_bytes"] = 16'765'632'512LL;  // a few KiB less after a kernel update
  other.started_at = "2026-12-01T02:00:00Z";
  CHECK(testbed_of(other) == name);
  CHECK(testbed_facts(other) == testbed_facts(run));
}

TEST_CASE("testbed: a changed engine, BuildKit, CPU, network profile or stand-ins is another") {
  std::string name = testbed_of(ci_run());
  auto changed = [](auto edit) {
    RunRecord run = ci_run();
    edit(run.fingerprint);
    return testbed_of(run);
  };
  CHECK(changed([](auto& fp) { fp["docker_server"] = "27.3.1"; }) != name);
  // Only in the hash: the BuildKit version is not in the slug, yet tells the two apart.
  std::string buildkit = changed([](auto& fp) { fp["buildkit"] = "v0.16.0"; });
  CHECK(buildkit != name);
  CHECK(buildkit.substr(0, buildkit.size() - 8) == name.substr(0, name.size() - 8));
  CHECK(changed([](auto& fp) {
          fp["cpu_model"] = "AMD EPYC 7763 64-Core Processor";
        }).rfind("epyc-7763-4c-", 0) == 0);
  CHECK(changed([](auto& fp) { fp["cores"] = 8; }) != name);
  CHECK(changed([](auto& fp) { fp["memory_bytes"] = 33'000'000'000LL; }) != name);
  std::string home = changed([](auto& fp) { fp["network"]["profile"] = "home"; });
  CHECK(home.find("-home-") != std::string::npos);
  std::string official =
      changed([](auto& fp) { fp["base_images"]["python:3.12-slim"]["stand_in"] = false; });
  CHECK(official != name);
  CHECK(official.find("stand-ins") == std::string::npos);
}

TEST_CASE("testbed: a --testbed name wins, and a run recorded before testbeds has a derived one") {
  RunRecord named = ci_run();
  named.options["testbed"] = "rack-3";
  CHECK(testbed_of(named) == "rack-3");

  // Before network facts were recorded: the profile from the options, or none.
  RunRecord old;
  old.fingerprint = {{"hostname", "old"}, {"docker_server", "20.10.24"}};
  CHECK(testbed_of(old).rfind("unknown-cpu-docker20.10.24-", 0) == 0);
  old.options = {{"network_profile", "loopback"}};
  CHECK(testbed_of(old).rfind("unknown-cpu-docker20.10.24-loopback-", 0) == 0);
  RunRecord empty;
  CHECK(testbed_of(empty).rfind("unknown-cpu-no-engine-", 0) == 0);
}

TEST_CASE("testbed: the runs of each testbed, in the order they first appear") {
  RunRecord a1 = ci_run(), b = ci_run(), a2 = ci_run();
  a1.id = 1;
  b.id = 2;
  a2.id = 3;
  a1.options["testbed"] = a2.options["testbed"] = "a";
  b.options["testbed"] = "b";
  CHECK(testbeds_of({a1, b, a2}) == std::vector<std::string>{"a", "b"});
  CHECK(describe_testbeds({a1, b, a2}) == "a (runs 1, 3), b (run 2)");
  CHECK(testbeds_of({}).empty());
}

TEST_CASE("testbed: a name is a word of letters, digits, dots, dashes and underscores") {
  CHECK_FALSE(testbed_name_problem("ci-large_2.x"));
  CHECK(testbed_name_problem("") == "it must be 1 to 64 characters");
  CHECK(testbed_name_problem(std::string(65, 'a')) == "it must be 1 to 64 characters");
  CHECK(testbed_name_problem("-x") == "it must start with a letter or digit");
  CHECK(testbed_name_problem("a b") == "' ' is not one of A-Z a-z 0-9 . _ -");
  CHECK(testbed_name_problem("a/b").has_value());
}
