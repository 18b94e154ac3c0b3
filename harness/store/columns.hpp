#pragma once
// Stored names read back as typed values: the one place the store's text becomes an enum
// (writing is to_string). A name this buildbench does not know is an error that names the run
// and the column, never a default that would count a sample as something it was not.
#include <cstdint>
#include <string_view>

#include "model/sample_kind.hpp"

namespace bb {

// column: where the text was read, e.g. "samples.kind" or "summaries.kind".
SampleKind stored_sample_kind(std::string_view text, std::int64_t run_id, std::string_view column);
SampleStatus stored_sample_status(std::string_view text, std::int64_t run_id);

}  // namespace bb
