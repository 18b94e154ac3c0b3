#pragma once
// Charts as standalone SVG, drawn by buildbench itself: grouped bars with error bars, and
// lines over time. Output is deterministic (fixed number formatting, no timestamps).
#include <string>
#include <vector>

namespace bb::svg {

struct BarSeries {
  std::string name;
  std::vector<double> values;  // one per category; NaN: no bar
  std::vector<double> low;     // error bar bounds (same unit); empty: none
  std::vector<double> high;
};

struct BarChart {
  std::string title;
  std::string y_label;  // with its unit, e.g. "build time (s)"
  std::vector<std::string> categories;
  std::vector<BarSeries> series;
  std::string note;  // small print under the chart, e.g. what error bars mean
};

struct LineSeries {
  std::string name;
  std::vector<double> values;  // one per x label; NaN: gap
};

struct LineChart {
  std::string title;
  std::string y_label;
  std::vector<std::string> x_labels;
  std::vector<LineSeries> series;
};

std::string render(const BarChart& chart);
std::string render(const LineChart& chart);

// Round axis maximum and step ("nice numbers").
std::pair<double, double> nice_axis(double max_value, int target_ticks = 5);

}  // namespace bb::svg
