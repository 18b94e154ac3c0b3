#pragma once
// What the session tests share: the basic suite, and a database of their own on the fake engine.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "fake_engine.hpp"
#include "progress/progress.hpp"
#include "scenario/manifest.hpp"
#include "store/store.hpp"

namespace bb::testing {

inline Suite basic_suite() {
  return load_suite(std::filesystem::path(BUILDBENCH_SOURCE_DIR) / "tests/fixtures/suites/basic");
}

// The basic suite without its claim: its scenarios' cold builds are not measured as pairs.
inline Suite unclaimed_suite() {
  Suite suite = basic_suite();
  suite.claims.clear();
  return suite;
}

// A scratch database, the fake engine, a quiet progress line, and a driver (Runner, AbRunner,
// Session) over them.
template <typename Driver>
struct SessionHarness {
  std::filesystem::path db =
      std::filesystem::temp_directory_path() /
      ("bb-session-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()) + ".db");
  Store store{db, Store::Mode::kReadWrite};
  FakeDockerEngine engine;
  Progress progress{stderr, false, true};
  Driver runner{engine, store, progress};
  ~SessionHarness() {
    for (auto suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  }
};

}  // namespace bb::testing
