#pragma once
// What a sample measured and how it ended, as typed values; their names are the text the
// store keeps ("build", "startup"; "ok", "failed", "interrupted").
#include <optional>
#include <string_view>

namespace bb {

enum class SampleKind { kBuild, kStartup };
std::string_view to_string(SampleKind kind);
std::optional<SampleKind> parse_sample_kind(std::string_view text);

enum class SampleStatus { kOk, kFailed, kInterrupted };
std::string_view to_string(SampleStatus status);
std::optional<SampleStatus> parse_sample_status(std::string_view text);

}  // namespace bb
