#include "store/columns.hpp"

#include <optional>

#include <fmt/format.h>

#include "util/error.hpp"
#include "util/text.hpp"

namespace bb {

namespace {

template <typename Enum>
Enum known(std::optional<Enum> value, std::string_view text, std::int64_t run_id,
           std::string_view column, std::string_view what) {
  if (value) return *value;
  throw UsageError(
      fmt::format("run {} stores '{}' in {}, which this buildbench does not know as a {}; read the "
                  "database with the buildbench that wrote it",
                  run_id, printable(text), column, what));
}

}  // namespace

SampleKind stored_sample_kind(std::string_view text, std::int64_t run_id, std::string_view column) {
  return known(parse_sample_kind(text), text, run_id, column, "sample kind");
}

SampleStatus stored_sample_status(std::string_view text, std::int64_t run_id) {
  return known(parse_sample_status(text), text, run_id, "samples.status", "sample status");
}

}  // namespace bb
