#pragma once
// Charts as standalone SVG, drawn by buildbench itself: grouped bars with error bars, and
// lines over time (with whiskers, each point's samples and annotated vertical markers, as the
// history page draws them). Output is deterministic (fixed number formatting, no timestamps).
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
  std::vector<double> low;     // whisker bounds per x label (same unit); empty or NaN: none
  std::vector<double> high;
  std::vector<std::vector<double>> points;  // faint dots per x label (e.g. its samples)
};

// A vertical line at an x label with its label at the top (e.g. a change point).
struct LineMarker {
  std::size_t x_index = 0;
  std::string label;
};

struct LineChart {
  std::string title;
  std::string y_label;
  std::vector<std::string> x_labels;
  std::vector<LineSeries> series;
  std::vector<LineMarker> markers;
  std::vector<std::string> notes;  // small print under the chart, a line each
  bool zero_based = true;          // false: the y axis spans the data on round steps
};

std::string render(const BarChart& chart);
std::string render(const LineChart& chart);

// Round axis maximum and step ("nice numbers").
std::pair<double, double> nice_axis(double max_value, int target_ticks = 5);

}  // namespace bb::svg
