#include "startup/start_helper.hpp"

#include <charconv>
#include <fstream>

#include "util/error.hpp"
#include "util/text.hpp"

// The static program, built by CMake before this file (see harness/CMakeLists.txt).
asm(".pushsection .rodata\n"
    ".balign 16\n"
    "bb_start_helper_begin:\n"
    ".incbin \"" BUILDBENCH_START_HELPER
    "\"\n"
    "bb_start_helper_end:\n"
    ".popsection\n");
extern "C" const char bb_start_helper_begin[];
extern "C" const char bb_start_helper_end[];

namespace bb {
namespace fs = std::filesystem;

std::string_view start_helper_binary() {
  return {bb_start_helper_begin,
          static_cast<std::size_t>(bb_start_helper_end - bb_start_helper_begin)};
}

void write_start_helper(const fs::path& dir) {
  fs::create_directories(dir);
  fs::path file = dir / "buildbench-start";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    auto bytes = start_helper_binary();
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw EnvironmentError("cannot write the start stamp program into " + dir.string());
  }
  // The container's user may be anyone: readable and executable by all, writable by none.
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                            fs::perms::group_exec | fs::perms::others_read |
                            fs::perms::others_exec);
}

std::optional<long long> parse_start_line(std::string_view line) {
  if (line.rfind(kStartMarker, 0) != 0) return std::nullopt;
  auto digits = trim(line.substr(kStartMarker.size()));
  long long value = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || value <= 0) return std::nullopt;
  return value;
}

}  // namespace bb
