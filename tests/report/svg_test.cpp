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

TEST_CASE("svg: a line chart's whiskers, samples and markers sit at their night's x") {
  svg::LineChart chart;
  chart.title = "History";
  chart.y_label = "build_seconds (s)";
  chart.x_labels = {"2026-11-01", "2026-11-02", "2026-11-03"};
  // Axis 0..20 over 300 px from y=370; three nights at x = 90, 510, 930.
  svg::LineSeries line;
  line.name = "median";
  line.values = {10, 10, 20};
  line.low = {8, NAN, 18};
  line.high = {12, NAN, 20};
  line.points = {{9, 11}, {10}, {}};
  chart.series = {line};
  chart.markers = {{2, "[1] +100.0% [+80.0, +120.0], p=0.01"}, {7, "off the chart"}};
  chart.notes = {"[1] from 2026-11-03 (run 3): base image <python>"};
  auto text = svg::render(chart);
  // The whisker of night 1: 8..12 is y 250..190, capped 4 px either side.
  CHECK(text.find("<path d=\"M90.0,250.0V190.0M86.0,250.0H94.0M86.0,190.0H94.0\" "
                  "stroke=\"#4e79a7\"") != std::string::npos);
  CHECK(text.find("<path d=\"M930.0,100.0V70.0") != std::string::npos);
  CHECK(count(text, "V190.0M") + count(text, "V70.0M") == 2);  // night 2 has no interval
  // Three faint sample dots, three median points.
  CHECK(count(text, "fill-opacity=\"0.3\"") == 3);
  CHECK(text.find("<circle cx=\"90.0\" cy=\"235.0\" r=\"2\"") != std::string::npos);
  CHECK(count(text, "r=\"3\"") == 3);
  CHECK(text.find("<path d=\"M90.0,220.0L510.0,220.0L930.0,70.0\"") != std::string::npos);
  // The marker at night 3 only: the one past the last night is not drawn.
  CHECK(count(text, "stroke-dasharray") == 1);
  CHECK(text.find("<line x1=\"930.0\" y1=\"70\" x2=\"930.0\" y2=\"370\" stroke=\"#cf222e\"") !=
        std::string::npos);
  CHECK(text.find("<text x=\"934.0\" y=\"82\" font-size=\"11\" fill=\"#cf222e\">[1] +100.0% "
                  "[+80.0, +120.0], p=0.01</text>") != std::string::npos);
  CHECK(text.find("off the chart") == std::string::npos);
  // The note under the chart, escaped; the chart grows to hold it.
  CHECK(text.find(">[1] from 2026-11-03 (run 3): base image &lt;python&gt;</text>") !=
        std::string::npos);
  CHECK(text.find("height=\"504\"") != std::string::npos);
  CHECK(text == svg::render(chart));
}

TEST_CASE("svg: a line chart not from zero spans its data on round steps") {
  svg::LineChart chart;
  chart.title = "History";
  chart.x_labels = {"a", "b"};
  chart.series = {{"median", {40, 42}, {}, {}, {}}};
  auto from_zero = svg::render(chart);
  CHECK(from_zero.find(">0</text>") != std::string::npos);
  chart.zero_based = false;
  // 40..42 on steps of 0.5: the two points at the plot's bottom and top.
  auto text = svg::render(chart);
  CHECK(text.find("<path d=\"M90.0,370.0L930.0,70.0\"") != std::string::npos);
  CHECK(text.find("y=\"374.0\" text-anchor=\"end\" fill=\"#1f2328\">40</text>") !=
        std::string::npos);
  CHECK(text.find("y=\"74.0\" text-anchor=\"end\" fill=\"#1f2328\">42</text>") !=
        std::string::npos);
  CHECK(text.find(">0</text>") == std::string::npos);
}
