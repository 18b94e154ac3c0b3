// Every input kept under tests/fuzz/ (seed corpus and crashes found and fixed) replays cleanly.
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "fuzz/targets.hpp"

namespace fs = std::filesystem;

TEST_CASE("fuzz regressions and seed corpus replay without crashing") {
  std::size_t replayed = 0;
  for (const auto& target : bb::fuzz::targets()) {
    for (const char* kind : {"regressions", "corpus"}) {
      fs::path dir = fs::path(BUILDBENCH_SOURCE_DIR) / "tests/fuzz" / kind / target.name;
      if (!fs::is_directory(dir)) continue;
      for (const auto& entry : fs::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), {});
        INFO(entry.path());
        target.run(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
        ++replayed;
      }
    }
  }
  CHECK(replayed > 5);
}
