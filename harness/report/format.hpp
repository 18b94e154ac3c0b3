#pragma once
// Shared value formatting and escaping for the renderers.
#include <string>
#include <string_view>

namespace bb {

// A value in its metric's unit, for people: "1.23 s", "12.3 MB", "42".
std::string format_value(double value, std::string_view unit);
std::string format_percent(double percent);  // "+1.2%", "-0.4%"
// Text safe inside a markdown table cell: escapes | * _ ` [ ] < > & and line breaks, so
// names from manifests can neither break the table nor inject HTML.
std::string markdown_escape(std::string_view text);
std::string html_escape(std::string_view text);

}  // namespace bb
