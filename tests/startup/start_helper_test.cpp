// The start stamp program embedded in the binary, and the line it prints.
#include "startup/start_helper.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

using namespace bb;
namespace fs = std::filesystem;

TEST_CASE("start helper: a stamp line gives its nanoseconds, anything else nothing") {
  CHECK(parse_start_line("buildbench-start: 12") == 12);
  CHECK(parse_start_line("buildbench-start: 1700000000247000000") == 1700000000247000000LL);
  CHECK(parse_start_line("buildbench-start:   42  ") == 42);  // blanks around the number
  CHECK_FALSE(parse_start_line("buildbench-start: -12"));
  CHECK_FALSE(parse_start_line("buildbench-start: 0"));
  CHECK_FALSE(parse_start_line("buildbench-start: 17000000x"));
  CHECK_FALSE(parse_start_line("buildbench-start: "));
  CHECK_FALSE(parse_start_line("buildbench-inside: 12"));
  CHECK_FALSE(parse_start_line("say buildbench-start: 12"));  // the marker opens the line
}

TEST_CASE("start helper: the embedded program is a static ELF executable") {
  auto bytes = start_helper_binary();
  REQUIRE(bytes.size() > 4);
  CHECK(bytes.substr(0, 4) == std::string_view("\x7f"
                                               "ELF",
                                               4));
}

TEST_CASE("start helper: written byte for byte, executable by anyone, writable by no one") {
  fs::path dir = fs::temp_directory_path() / ("bb-start-helper-" + std::to_string(::getpid()));
  write_start_helper(dir / "nested");  // the folder is created
  fs::path file = dir / "nested/buildbench-start";
  std::ifstream in(file, std::ios::binary);
  std::string written(std::istreambuf_iterator<char>(in), {});
  CHECK(written == start_helper_binary());
  auto perms = fs::status(file).permissions();
  CHECK((perms & fs::perms::others_exec) != fs::perms::none);
  CHECK((perms & fs::perms::others_read) != fs::perms::none);
  CHECK((perms & fs::perms::owner_write) == fs::perms::none);
  fs::remove_all(dir);
}
