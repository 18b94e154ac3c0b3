#include "model/sample_kind.hpp"

#include "model/names.hpp"

namespace bb {

namespace {

constexpr NameTable<SampleKind, 2> kKindNames = {{
    {SampleKind::kBuild, "build"},
    {SampleKind::kStartup, "startup"},
}};

constexpr NameTable<SampleStatus, 3> kStatusNames = {{
    {SampleStatus::kOk, "ok"},
    {SampleStatus::kFailed, "failed"},
    {SampleStatus::kInterrupted, "interrupted"},
}};

}  // namespace

std::string_view to_string(SampleKind kind) {
  return name_in(kKindNames, kind);
}

std::optional<SampleKind> parse_sample_kind(std::string_view text) {
  return value_in(kKindNames, text);
}

std::string_view to_string(SampleStatus status) {
  return name_in(kStatusNames, status);
}

std::optional<SampleStatus> parse_sample_status(std::string_view text) {
  return value_in(kStatusNames, text);
}

}  // namespace bb
