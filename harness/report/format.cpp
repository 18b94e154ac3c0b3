#include "report/format.hpp"

#include <cmath>

#include <fmt/format.h>

#include "util/text.hpp"

namespace bb {

std::string format_value(double value, std::string_view unit) {
  if (!std::isfinite(value)) return "n/a";
  if (unit == "s") return format_seconds(value);
  if (unit == "bytes") return format_bytes(value);
  if (unit == "%") return fmt::format("{:.1f}%", value);
  if (value == std::floor(value)) return fmt::format("{:.0f}", value);
  return fmt::format("{:.1f}", value);
}

std::string format_percent(double percent) {
  if (!std::isfinite(percent)) return percent > 0 ? "+inf%" : "-inf%";
  return fmt::format("{:+.1f}%", percent);
}

namespace {
// What markdown (rendered as HTML) and HTML both must escape.
bool append_entity(char c, std::string& out) {
  switch (c) {
    case '<':
      out += "&lt;";
      return true;
    case '>':
      out += "&gt;";
      return true;
    case '&':
      out += "&amp;";
      return true;
    default:
      return false;
  }
}
}  // namespace

std::string markdown_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (append_entity(c, out)) continue;
    switch (c) {
      case '|':
        out += "\\|";
        break;
      case '*':
        out += "\\*";
        break;
      case '_':
        out += "\\_";
        break;
      case '`':
        out += "\\`";
        break;
      case '[':
        out += "\\[";
        break;
      case ']':
        out += "\\]";
        break;
      case '#':
        out += "\\#";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += ' ';
        break;
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (append_entity(c, out)) continue;
    switch (c) {
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace bb
