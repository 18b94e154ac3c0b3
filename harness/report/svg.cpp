#include "report/svg.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "report/format.hpp"

namespace bb::svg {

namespace {

const char* kPalette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
                          "#76b7b2", "#edc948", "#b07aa1", "#9c755f"};
constexpr int kWidth = 960;
constexpr int kLeft = 80;
constexpr int kRight = 20;
constexpr int kTop = 70;
constexpr int kPlotHeight = 300;
constexpr int kLabelSpace = 150;  // rotated category labels

std::string number(double v) {
  // Fixed formatting keeps output byte-identical across runs.
  if (std::fabs(v) >= 100 || v == std::floor(v)) return fmt::format("{:.0f}", v);
  if (std::fabs(v) >= 10) return fmt::format("{:.1f}", v);
  return fmt::format("{:.2f}", v);
}

// Long names would run off the chart; the full name stays in the tooltip.
std::string short_label(const std::string& text) {
  if (text.size() <= 30) return text;
  return text.substr(0, 28) + "…";
}

std::string header(int height, const std::string& title) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" viewBox=\"0 0 {0} "
      "{1}\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n"
      "<title>{2}</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
      "<text x=\"{3}\" y=\"26\" font-size=\"17\" font-weight=\"bold\" "
      "fill=\"#1f2328\">{2}</text>\n",
      kWidth, height, html_escape(title), kLeft);
}

void axis(std::ostringstream& out, double min, double max, double step,
          const std::string& y_label) {
  int bottom = kTop + kPlotHeight;
  for (double t = min; t <= max + step / 2; t += step) {
    double y = bottom - (t - min) / (max - min) * kPlotHeight;
    out << fmt::format(
        "<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" stroke=\"#d0d7de\"/>\n", kLeft, y,
        kWidth - kRight, y);
    out << fmt::format(
        "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"#1f2328\">{}</text>\n", kLeft - 8,
        y + 4, number(t));
  }
  out << fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#57606a\"/>\n",
                     kLeft, kTop, bottom);
  out << fmt::format("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#57606a\"/>\n",
                     kLeft, bottom, kWidth - kRight);
  out << fmt::format(
      "<text transform=\"translate(20,{}) rotate(-90)\" text-anchor=\"middle\" "
      "fill=\"#1f2328\">{}</text>\n",
      kTop + kPlotHeight / 2, html_escape(y_label));
}

void legend(std::ostringstream& out, const std::vector<std::string>& names) {
  double x = kLeft;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out << fmt::format("<rect x=\"{:.0f}\" y=\"40\" width=\"12\" height=\"12\" fill=\"{}\"/>\n", x,
                       kPalette[i % 8]);
    std::string name = short_label(names[i]);
    out << fmt::format("<text x=\"{:.0f}\" y=\"51\" fill=\"#1f2328\">{}</text>\n", x + 16,
                       html_escape(name));
    x += 28 + 7.5 * name.size();
  }
}

// Header, axis and legend: what every chart draws before its data.
template <typename Chart>
void frame(std::ostringstream& out, int height, const Chart& chart, double min, double max,
           double step) {
  out << header(height, chart.title);
  axis(out, min, max, step, chart.y_label);
  std::vector<std::string> names;
  for (const auto& s : chart.series) names.push_back(s.name);
  legend(out, names);
}

}  // namespace

std::pair<double, double> nice_axis(double max_value, int target_ticks) {
  if (!(max_value > 0) || !std::isfinite(max_value)) return {1, 0.2};
  double raw = max_value / target_ticks;
  double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (m * magnitude >= raw) {
      step = m * magnitude;
      break;
    }
  }
  return {std::ceil(max_value / step - 1e-9) * step, step};
}

std::string render(const BarChart& chart) {
  double max_value = 0;
  for (const auto& s : chart.series) {
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      if (std::isfinite(s.values[i])) max_value = std::max(max_value, s.values[i]);
      if (i < s.high.size() && std::isfinite(s.high[i])) max_value = std::max(max_value, s.high[i]);
    }
  }
  auto [max, step] = nice_axis(max_value);
  int height = kTop + kPlotHeight + kLabelSpace + (chart.note.empty() ? 0 : 20);
  std::ostringstream out;
  frame(out, height, chart, 0, max, step);
  int bottom = kTop + kPlotHeight;
  double group_width = static_cast<double>(kWidth - kLeft - kRight) /
                       std::max<std::size_t>(1, chart.categories.size());
  double bar_width = group_width * 0.8 / std::max<std::size_t>(1, chart.series.size());
  for (std::size_t c = 0; c < chart.categories.size(); ++c) {
    double group_x = kLeft + c * group_width + group_width * 0.1;
    for (std::size_t s = 0; s < chart.series.size(); ++s) {
      const auto& series = chart.series[s];
      if (c >= series.values.size() || !std::isfinite(series.values[c])) continue;
      double x = group_x + s * bar_width;
      double h = series.values[c] / max * kPlotHeight;
      out << fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
          "fill=\"{}\"><title>{}: {}</title></rect>\n",
          x, bottom - h, bar_width * 0.92, h, kPalette[s % 8], html_escape(series.name),
          number(series.values[c]));
      if (c < series.low.size() && c < series.high.size() && std::isfinite(series.low[c]) &&
          std::isfinite(series.high[c])) {
        double cx = x + bar_width * 0.46;
        double y1 = bottom - series.low[c] / max * kPlotHeight;
        double y2 = bottom - series.high[c] / max * kPlotHeight;
        out << fmt::format(
            "<path d=\"M{0:.1f},{1:.1f}V{2:.1f}M{3:.1f},{1:.1f}H{4:.1f}M{3:.1f},{2:.1f}H{4:.1f}\" "
            "stroke=\"#1f2328\" stroke-width=\"1.2\" fill=\"none\"/>\n",
            cx, y1, y2, cx - 3, cx + 3);
      }
    }
    double label_x = kLeft + (c + 0.5) * group_width;
    out << fmt::format(
        "<text transform=\"translate({:.1f},{}) rotate(-35)\" text-anchor=\"end\" "
        "fill=\"#1f2328\">{}<title>{}</title></text>\n",
        label_x, bottom + 16, html_escape(short_label(chart.categories[c])),
        html_escape(chart.categories[c]));
  }
  if (!chart.note.empty()) {
    out << fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#57606a\">{}</text>\n",
                       kLeft, height - 8, html_escape(chart.note));
  }
  out << "</svg>\n";
  return out.str();
}

namespace {

// The axis of a line chart: from zero, or around the data on round steps.
struct LineAxis {
  double min, max, step;
};

LineAxis line_axis(const LineChart& chart) {
  double max_value = 0, min_value = INFINITY;
  auto take = [&](double v) {
    if (!std::isfinite(v)) return;
    max_value = std::max(max_value, v);
    min_value = std::min(min_value, v);
  };
  for (const auto& s : chart.series) {
    for (double v : s.values) take(v);
    for (double v : s.high) take(v);
    for (double v : s.low) take(v);
    for (const auto& at : s.points) {
      for (double v : at) take(v);
    }
  }
  if (chart.zero_based || !std::isfinite(min_value) || !(max_value > 0)) {
    auto [max, step] = nice_axis(max_value);
    return {0, max, step};
  }
  double span = max_value - min_value > 0 ? max_value - min_value : max_value * 0.1;
  double step = nice_axis(span).second;
  double min = std::max(0.0, std::floor(min_value / step) * step);
  double max = std::ceil(max_value / step - 1e-9) * step;
  if (max <= min) max = min + step;
  return {min, max, step};
}

// Where a line chart puts its x labels and values.
struct LinePlot {
  std::size_t n;
  double min, max;
  double x(std::size_t i) const {
    return n <= 1 ? kLeft + (kWidth - kLeft - kRight) / 2.0
                  : kLeft + 10 + i * (kWidth - kLeft - kRight - 20.0) / (n - 1);
  }
  double y(double v) const { return kTop + kPlotHeight - (v - min) / (max - min) * kPlotHeight; }
};

// Dashed vertical lines, labels staggered over three rows so neighbours stay readable.
void markers(std::ostringstream& out, const LineChart& chart, const LinePlot& plot) {
  for (std::size_t m = 0; m < chart.markers.size(); ++m) {
    const auto& marker = chart.markers[m];
    if (marker.x_index >= plot.n) continue;
    double x = plot.x(marker.x_index);
    out << fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#cf222e\" "
        "stroke-width=\"1.5\" stroke-dasharray=\"5,3\"/>\n",
        x, kTop, kTop + kPlotHeight);
    out << fmt::format("<text x=\"{:.1f}\" y=\"{}\" font-size=\"11\" fill=\"#cf222e\">{}</text>\n",
                       x + 4, kTop + 12 + 13 * static_cast<int>(m % 3), html_escape(marker.label));
  }
}

void line_series(std::ostringstream& out, const LineSeries& series, const char* colour,
                 const LinePlot& plot) {
  for (std::size_t i = 0; i < series.points.size() && i < plot.n; ++i) {
    for (double v : series.points[i]) {
      if (!std::isfinite(v)) continue;
      out << fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2\" fill=\"{}\" fill-opacity=\"0.3\"/>\n",
          plot.x(i), plot.y(v), colour);
    }
  }
  for (std::size_t i = 0; i < series.low.size() && i < series.high.size() && i < plot.n; ++i) {
    if (!std::isfinite(series.low[i]) || !std::isfinite(series.high[i])) continue;
    double x = plot.x(i);
    out << fmt::format(
        "<path d=\"M{0:.1f},{1:.1f}V{2:.1f}M{3:.1f},{1:.1f}H{4:.1f}M{3:.1f},{2:.1f}H{4:.1f}\" "
        "stroke=\"{5}\" stroke-width=\"1.2\" fill=\"none\"/>\n",
        x, plot.y(series.low[i]), plot.y(series.high[i]), x - 4, x + 4, colour);
  }
  std::string path;
  for (std::size_t i = 0; i < series.values.size() && i < plot.n; ++i) {
    double v = series.values[i];
    if (!std::isfinite(v)) continue;
    path += fmt::format("{}{:.1f},{:.1f}", path.empty() ? "M" : "L", plot.x(i), plot.y(v));
    out << fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>\n", plot.x(i),
                       plot.y(v), colour);
  }
  if (!path.empty()) {
    out << fmt::format("<path d=\"{}\" stroke=\"{}\" stroke-width=\"2\" fill=\"none\"/>\n", path,
                       colour);
  }
}

}  // namespace

std::string render(const LineChart& chart) {
  auto [min, max, step] = line_axis(chart);
  int notes_height = chart.notes.empty() ? 0 : 8 + 16 * static_cast<int>(chart.notes.size());
  int height = kTop + kPlotHeight + 110 + notes_height;
  std::ostringstream out;
  frame(out, height, chart, min, max, step);
  LinePlot plot{chart.x_labels.size(), min, max};
  markers(out, chart, plot);
  for (std::size_t s = 0; s < chart.series.size(); ++s)
    line_series(out, chart.series[s], kPalette[s % 8], plot);
  int bottom = kTop + kPlotHeight;
  std::size_t every = std::max<std::size_t>(1, plot.n / 12);
  for (std::size_t i = 0; i < plot.n; i += every) {
    out << fmt::format(
        "<text transform=\"translate({:.1f},{}) rotate(-35)\" text-anchor=\"end\" "
        "fill=\"#1f2328\">{}</text>\n",
        plot.x(i), bottom + 16, html_escape(chart.x_labels[i]));
  }
  for (std::size_t i = 0; i < chart.notes.size(); ++i) {
    out << fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#57606a\">{}</text>\n",
                       kLeft, bottom + 110 + 16 * static_cast<int>(i + 1),
                       html_escape(chart.notes[i]));
  }
  out << "</svg>\n";
  return out.str();
}

}  // namespace bb::svg
