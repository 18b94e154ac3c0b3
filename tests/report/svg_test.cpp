// The charts: axes on round numbers, bars and points where the values put them, gaps for
// missing values, escaped names, and the same bytes for the same chart.
#include "report/svg.hpp"

#include <cmath>
#include <string>

#include <catch2/catch.hpp>

using namespace bb;

namespace {

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("svg: axis maxima and steps on 1, 2, 2.5 and 5 times a power of ten") {
  CHECK(svg::nice_axis(100) == std::pair<double, double>{100, 20});
  CHECK(svg::nice_axis(101) == std::pair<double, double>{125, 25});
  CHECK(svg::nice_axis(4.2) == std::pair<double, double>{5, 1});
  CHECK(svg::nice_axis(23, 4) == std::pair<double, double>{30, 10});
  CHECK(svg::nice_axis(-3) == std::pair<double, double>{1, 0.2});
  CHECK(svg::nice_axis(NAN) == std::pair<double, double>{1, 0.2});
}

TEST_CASE("svg: bars scale to the axis, error bars only where both bounds are known") {
  svg::BarChart chart;
  chart.title = "Build time";
  chart.y_label = "build time (s)";
  chart.categories = {"small", "large"};
  // Axis 0..10 over 300 px: 5 s is 150 px tall; large's second series has no value.
  chart.series = {{"cold", {5, 10}, {4.5, 9}, {5.5, NAN}}, {"warm", {2.5, NAN}, {}, {}}};
  chart.note = "error bars: 95% interval";
  auto text = svg::render(chart);
  CHECK(count(text, "<rect x=") == 3 + 2);  // three bars, two legend swatches
  CHECK(text.find("height=\"150.0\" fill=\"#4e79a7\"><title>cold: 5</title>") != std::string::npos);
  CHECK(text.find("height=\"300.0\" fill=\"#4e79a7\"><title>cold: 10</title>") !=
        std::string::npos);
  CHECK(text.find("height=\"75.0\" fill=\"#f28e2b\"><title>warm: 2.50</title>") !=
        std::string::npos);
  CHECK(count(text, "<path d=") == 1);  // large's high bound is unknown
  CHECK(text.find(">error bars: 95% interval</text>") != std::string::npos);
  CHECK(text == svg::render(chart));
}

TEST_CASE("svg: a line per series, a point per known value") {
  svg::LineChart chart;
  chart.title = "Trend";
  chart.y_label = "s";
  chart.x_labels = {"11-24", "11-25", "11-26"};
  chart.series = {{"cold", {10, NAN, 5}}};
  auto text = svg::render(chart);
  CHECK(count(text, "<circle") == 2);
  CHECK(count(text, "<path d=\"M") == 1);
  CHECK(count(text, "rotate(-35)") == 3);
  CHECK(text.substr(text.size() - 7) == "</svg>\n");
}

TEST_CASE("svg: names are escaped and long ones shortened, the full name kept in the tooltip") {
  svg::BarChart chart;
  chart.title = "a <b>";
  std::string long_name = "a-scenario-name-well-over-thirty-characters";
  chart.categories = {long_name};
  chart.series = {{"s&t", {1}, {}, {}}};
  auto text = svg::render(chart);
  CHECK(text.find("<title>a &lt;b&gt;</title>") != std::string::npos);
  CHECK(text.find("s&amp;t") != std::string::npos);
  CHECK(text.find(long_name.substr(0, 28) + "…<title>" + long_name + "</title>") !=
        std::string::npos);
}

TEST_CASE("svg: nice axes and well-formed charts") {
  CHECK(svg::nice_axis(9.3) == std::pair<double, double>{10, 2});
  CHECK(svg::nice_axis(0.73) == std::pair<double, double>{0.8, 0.2});
  CHECK(svg::nice_axis(0) == std::pair<double, double>{1, 0.2});
  svg::BarChart chart;
  chart.title = "t <&>";
  chart.y_label = "time (s)";
  chart.categories = {"a", "b"};
  chart.series = {{"s1", {1, NAN}, {0.9, NAN}, {1.1, NAN}}};
  auto text = svg::render(chart);
  CHECK(text.find("t &lt;&amp;&gt;") != std::string::npos);
  CHECK(text.rfind("<svg", 0) == 0);
  CHECK(text.find("</svg>") != std::string::npos);
}
