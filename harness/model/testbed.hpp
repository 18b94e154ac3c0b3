#pragma once
// Which testbed a run belongs to: the name it was given (--testbed, kept in its stored
// options), or one derived from the facts its fingerprint recorded. Derived at read time, so a
// run stored before testbeds existed has one too and no stored run is rewritten.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/run.hpp"

namespace bb {

// What makes two runs' numbers comparable: the machine, the engine and the lab conditions.
struct TestbedFacts {
  std::string cpu_model;  // "" when unrecorded
  int cores = 0;
  std::int64_t memory_gib = 0;  // rounded: MemTotal moves by a few KiB between kernels
  std::string engine;           // docker_server
  std::string buildkit;
  std::string network_profile;  // "" when unrecorded
  bool stand_ins = false;       // any base image a stand-in
  bool operator==(const TestbedFacts&) const = default;
};

TestbedFacts testbed_facts(const RunRecord& run);
// "xeon-2c-8g-docker26.1.5-loopback-stand-ins-1a2b3c4d": a slug of the facts and a hash of all
// of them (the BuildKit version and the whole CPU model are only in the hash).
std::string derived_testbed(const TestbedFacts& facts);
// The run's --testbed name, else its derived one.
std::string testbed_of(const RunRecord& run);
// The distinct testbeds of `runs`, in the order they first appear.
std::vector<std::string> testbeds_of(const std::vector<RunRecord>& runs);
// "A (runs 1, 2), B (run 3)": each testbed with its runs.
std::string describe_testbeds(const std::vector<RunRecord>& runs);
// Why `name` cannot be a --testbed name (nullopt when it can): 1 to 64 of [A-Za-z0-9._-],
// starting with a letter or digit, so it reads as a word in a table, a label and a file name.
std::optional<std::string> testbed_name_problem(std::string_view name);

}  // namespace bb
