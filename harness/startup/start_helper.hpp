#pragma once
// The start stamp program (startup/start/buildbench-start.c), embedded in the binary.
#include <filesystem>
#include <optional>
#include <string_view>

namespace bb {

std::string_view start_helper_binary();

// Writes the program, executable by any user, as `dir`/buildbench-start.
void write_start_helper(const std::filesystem::path& dir);

inline constexpr std::string_view kStartMarker = "buildbench-start:";
// "buildbench-start: <ns since the epoch>" -> the nanoseconds.
std::optional<long long> parse_start_line(std::string_view line);

}  // namespace bb
