// The page's document model, rendered to markdown and HTML: exact output on a small
// document, and text from manifests that can break neither.
#include "report/document.hpp"

#include <sstream>

#include <catch2/catch.hpp>

using namespace bb::doc;

namespace {

Document sample() {
  Document d;
  d.title = "Bench *1*";
  d.heading(2, "Build time");
  d.paragraph(
      {Span{"median "}, Span{"3.2 s", true}, Span{" with "}, Span{"--runs 3", false, true}});
  d.table({{"scenario", "cold"}, {Align::kLeft, Align::kRight}, {{"a|b", "1.0 s"}}});
  d.image("build-time.svg", "build time");
  d.list({{{Span{"one"}}, {Span{"two", true}}}});
  d.code("x < y");
  d.details_begin("raw <data>");
  d.details_end();
  return d;
}

std::string markdown(const Document& d) {
  std::ostringstream out;
  render_markdown(out, d);
  return out.str();
}

std::string html(const Document& d) {
  std::ostringstream out;
  render_html(out, d);
  return out.str();
}

}  // namespace

TEST_CASE("document: markdown of every block kind") {
  CHECK(markdown(sample()) ==
        "# Bench \\*1\\*\n"
        "\n## Build time\n"
        "\nmedian **3.2 s** with `--runs 3`\n"
        "\n| scenario | cold |\n|---|---:|\n| a\\|b | 1.0 s |\n"
        "\n![build time](build-time.svg)\n"
        "\n- one\n- **two**\n"
        "\n```\nx < y\n```\n"
        "\n<details><summary>raw &lt;data&gt;</summary>\n"
        "\n</details>\n");
}

TEST_CASE("document: html of the same blocks, right-aligned cells and escapes") {
  auto page = html(sample());
  CHECK(page.rfind("<!DOCTYPE html>\n", 0) == 0);
  CHECK(page.find("<title>Bench *1*</title>") != std::string::npos);
  CHECK(page.find("<h2>Build time</h2>\n") != std::string::npos);
  CHECK(page.find("<p>median <strong>3.2 s</strong> with <code>--runs 3</code></p>\n") !=
        std::string::npos);
  CHECK(page.find("<th>scenario</th><th class=\"r\">cold</th>") != std::string::npos);
  CHECK(page.find("<tr><td>a|b</td><td class=\"r\">1.0 s</td></tr>") != std::string::npos);
  CHECK(page.find("<p><img src=\"build-time.svg\" alt=\"build time\"></p>") != std::string::npos);
  CHECK(page.find("<ul>\n<li>one</li>\n<li><strong>two</strong></li>\n</ul>") != std::string::npos);
  CHECK(page.find("<pre>x &lt; y</pre>") != std::string::npos);
  CHECK(page.find("<details open><summary>raw &lt;data&gt;</summary>\n</details>") !=
        std::string::npos);
  CHECK(page.substr(page.size() - 15) == "</body></html>\n");
}

TEST_CASE("document: a name from a manifest cannot close a code span or inject markup") {
  Document d;
  d.title = "t";
  d.paragraph({Span{"a`b\nc", false, true}, Span{"<script>", false, false}});
  auto md = markdown(d);
  CHECK(md.find("`a'b c`") != std::string::npos);  // backtick and line break replaced
  CHECK(md.find("&lt;script&gt;") != std::string::npos);
  CHECK(md.find("<script>") == std::string::npos);
  auto page = html(d);
  CHECK(page.find("<code>a`b\nc</code>&lt;script&gt;") != std::string::npos);
}
