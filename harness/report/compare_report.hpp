#pragma once
// Renderers of a Comparison: one per format, the stream passed in.
#include <ostream>

#include "compare/compare.hpp"

namespace bb {

inline constexpr int kCompareSchemaVersion = 1;

void render_compare_console(std::ostream& out, const Comparison& comparison, bool color);
void render_compare_markdown(std::ostream& out, const Comparison& comparison);
void render_compare_json(std::ostream& out, const Comparison& comparison);

}  // namespace bb
