#pragma once
#include <cstdint>
// String helpers that know nothing of docker or benchmarks.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bb {

// A file's whole content, bytes as they are; nullopt when it cannot be opened.
std::optional<std::string> read_text_file(const std::filesystem::path& file);
std::string_view trim(std::string_view text);
std::vector<std::string> split(std::string_view text, char separator);
// Single-quoted, for showing a command to a person; never passed to a shell.
std::string quote_for_display(std::string_view text);
std::size_t edit_distance(std::string_view a, std::string_view b);
// The candidate nearest to word, when near enough to be a likely typo.
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates);
// ", did you mean 'x'?" or "" — appended to error messages.
std::string did_you_mean_suffix(std::string_view word, const std::vector<std::string>& candidates);
std::string iso8601_utc(std::chrono::system_clock::time_point when);
// `digits` random hex digits from std::random_device: ids that runs on many hosts never share.
std::string random_hex(int digits);

// RFC 3339 with nanoseconds ("2026-11-25T12:51:38.018961542Z") to unix seconds.
std::optional<double> parse_rfc3339(std::string_view text);
// "90", "90s", "1500ms", "5m", "1h", "1h30m"; nullopt when malformed.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::string format_seconds(double seconds);  // "1.23 s", "45.6 ms", "2 min 3 s"
std::string format_bytes(double bytes);      // "12.3 MB" (SI, as docker prints)
// Lowercase [a-z0-9._-] form usable in an image tag; empty input gives "x".
std::string tag_safe(std::string_view text);
// ASCII lower case.
std::string lower(std::string_view text);
// FNV-1a, 64 bits: a hash that is the same on every platform and standard library.
std::uint64_t fnv1a64(std::string_view text);
// Printable single line: control characters shown as \n, \t, \xNN.
std::string printable(std::string_view text);

}  // namespace bb
