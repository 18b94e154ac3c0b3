// Value formatting and escaping shared by the renderers, on hand-picked values.
#include "report/format.hpp"

#include <cmath>

#include <catch2/catch.hpp>

using namespace bb;

TEST_CASE("format: a value in its metric's unit") {
  CHECK(format_value(0.1504, "s") == "150.4 ms");
  CHECK(format_value(3.256, "s") == "3.26 s");
  CHECK(format_value(150, "s") == "2 min 30 s");
  CHECK(format_value(999, "bytes") == "999 B");
  CHECK(format_value(74'600'000, "bytes") == "74.6 MB");
  CHECK(format_value(12.345, "%") == "12.3%");
  CHECK(format_value(42, "count") == "42");
  CHECK(format_value(2.34, "") == "2.3");
  CHECK(format_value(NAN, "s") == "n/a");
  CHECK(format_value(INFINITY, "bytes") == "n/a");
}

TEST_CASE("format: signed percentages, infinities included") {
  CHECK(format_percent(1.24) == "+1.2%");
  CHECK(format_percent(-0.44) == "-0.4%");
  CHECK(format_percent(0) == "+0.0%");
  CHECK(format_percent(INFINITY) == "+inf%");
  CHECK(format_percent(-INFINITY) == "-inf%");
}

TEST_CASE("format: markdown escaping keeps a table cell one cell and plain text") {
  CHECK(markdown_escape("a|b") == "a\\|b");
  CHECK(markdown_escape("*x* _y_ `z` [l](u) #h \\") ==
        "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\#h \\\\");
  CHECK(markdown_escape("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;");
  CHECK(markdown_escape("a & b") == "a &amp; b");
  CHECK(markdown_escape("line\r\nbreak") == "line break");
  CHECK(markdown_escape("python:3.11-slim") == "python:3.11-slim");
}

TEST_CASE("format: html escaping covers attributes' quotes, and only what it must") {
  CHECK(html_escape("<a href=\"x\" title='y'>&</a>") ==
        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  CHECK(html_escape("a|b *c* _d_") == "a|b *c* _d_");
}
