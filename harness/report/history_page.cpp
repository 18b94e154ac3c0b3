#include "report/history_page.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "model/metrics.hpp"
#include "report/document.hpp"
#include "report/format.hpp"
#include "report/svg.hpp"

namespace bb {

namespace {

// How a series' values are drawn: the metric's unit, milliseconds for short times.
struct Scale {
  double factor = 1;
  std::string unit;
};

Scale scale_of(const HistorySeries& series) {
  const MetricInfo* info = find_metric(series.key.metric);
  std::string unit = info ? std::string(info->unit) : "";
  if (unit == "bytes") return {1e-6, "MB"};
  if (unit == "s") {
    double max = 0;
    for (const auto& night : series.nights) max = std::max(max, night.median);
    return max < 1 ? Scale{1000, "ms"} : Scale{1, "s"};
  }
  return {1, unit};
}

std::string metric_unit(const MetricKey& key) {
  const MetricInfo* info = find_metric(key.metric);
  return info ? std::string(info->unit) : "";
}

// A digest or commit short enough to read; the rest adds nothing a reader compares.
std::string short_value(const std::string& value) {
  if (value.empty()) return "(none)";
  if (value.rfind("sha256:", 0) == 0 && value.size() > 19) return value.substr(0, 19) + "…";
  bool hex = value.size() == 40 && std::all_of(value.begin(), value.end(), [](unsigned char c) {
               return std::isxdigit(c) != 0;
             });
  return hex ? value.substr(0, 7) : value;
}

// Night labels: dates, with the run id when two nights share a date.
std::vector<std::string> night_labels(const HistorySeries& series) {
  std::set<std::string> dates;
  for (const auto& night : series.nights) dates.insert(night.date);
  bool unique = dates.size() == series.nights.size();
  std::vector<std::string> labels;
  for (const auto& night : series.nights)
    labels.push_back(unique ? night.date : fmt::format("{} #{}", night.date, night.run_id));
  return labels;
}

std::string causes_text(const HistoryChange& change) {
  if (!change.cause_error.empty()) return "causes unknown: " + change.cause_error;
  if (change.causes.empty()) return "no recorded input changed";
  std::string text;
  for (const auto& cause : change.causes) text += (text.empty() ? "" : "; ") + cause_text(cause);
  return text;
}

// "[1] 2026-11-24 (run 12): +5.1% [...], p=0.01; base image ...": a change point's note.
std::string change_note(const HistorySeries& series, std::size_t number,
                        const HistoryChange& change) {
  const auto& night = series.nights[change.point.first_night];
  return fmt::format("[{}] from {} (run {}): {}; {}", number, night.date, night.run_id,
                     change_label(change.point), causes_text(change));
}

// Change points whose first night is one of the series' nights (others are not drawn).
std::vector<const HistoryChange*> drawable_changes(const HistorySeries& series) {
  std::vector<const HistoryChange*> changes;
  for (const auto& change : series.changes) {
    if (change.point.first_night < series.nights.size()) changes.push_back(&change);
  }
  return changes;
}

std::string chart_title(const MetricKey& key) {
  const MetricInfo* info = find_metric(key.metric);
  return fmt::format("{} · {} · {}", key.group.scenario, key.group.state,
                     info ? std::string(info->description) : key.metric);
}

std::string history_chart(const HistorySeries& series) {
  Scale scale = scale_of(series);
  svg::LineChart chart;
  chart.title = chart_title(series.key);
  chart.y_label = fmt::format("{} ({})", series.key.metric, scale.unit);
  chart.x_labels = night_labels(series);
  chart.zero_based = false;  // from zero, a 5% step is a few pixels
  svg::LineSeries line;
  line.name = "median per night, 95% interval, samples";
  for (const auto& night : series.nights) {
    line.values.push_back(night.median * scale.factor);
    line.low.push_back(night.interval_available ? night.low * scale.factor : NAN);
    line.high.push_back(night.interval_available ? night.high * scale.factor : NAN);
    std::vector<double> points;
    for (double v : night.samples) points.push_back(v * scale.factor);
    line.points.push_back(points);
  }
  chart.series.push_back(line);
  auto changes = drawable_changes(series);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    chart.markers.push_back({changes[i]->point.first_night,
                             fmt::format("[{}] {}", i + 1, change_label(changes[i]->point))});
    chart.notes.push_back(change_note(series, i + 1, *changes[i]));
  }
  return svg::render(chart);
}

doc::Table history_table(const HistorySeries& series) {
  doc::Table table;
  table.header = {"night", "run",          "median", "95% interval of the median",
                  "n",     "change point", "cause"};
  table.align = {doc::Align::kLeft,  doc::Align::kRight, doc::Align::kRight, doc::Align::kRight,
                 doc::Align::kRight, doc::Align::kLeft,  doc::Align::kLeft};
  std::string unit = metric_unit(series.key);
  auto changes = drawable_changes(series);
  for (std::size_t i = 0; i < series.nights.size(); ++i) {
    const auto& night = series.nights[i];
    std::string interval =
        night.interval_available
            ? fmt::format("[{}, {}]", format_value(night.low, unit), format_value(night.high, unit))
            : "too few samples";
    std::string change, cause;
    for (std::size_t c = 0; c < changes.size(); ++c) {
      if (changes[c]->point.first_night != i) continue;
      change = fmt::format("[{}] {}", c + 1, change_label(changes[c]->point));
      cause = causes_text(*changes[c]);
    }
    table.rows.push_back(
        {night.date, std::to_string(night.run_id), format_value(night.median, unit), interval,
         night.pruned ? fmt::format("{} (pruned)", night.count) : std::to_string(night.count),
         change, cause});
  }
  return table;
}

std::string how_to_read(const stats::EDivisiveOptions& detector) {
  return fmt::format(
      "One point per night: the median of its samples; whiskers: the 95% confidence interval of "
      "the median (order statistics) where the night has samples enough for one; faint dots: "
      "the night's samples; the y axis spans the data, not from zero. Dashed red lines: change "
      "points found by E-divisive means over the "
      "nights' samples (permutation test, {} permutations, alpha {}, at least {} nights a side), "
      "at the first night of the new level, labelled with the change of level (after / before) "
      "with its interval and p. A pruned night enters by its median. The cause of a change "
      "point is what the runs recorded of their inputs that differs between the night before "
      "and its first night.",
      detector.permutations, detector.alpha, detector.min_nights);
}

doc::Document history_document(const HistoryInput& input,
                               const std::vector<std::string>& chart_names) {
  doc::Document d;
  d.title = "Nightly history: " + input.suite_name;
  if (input.series.empty()) {
    d.paragraph("No nightly run of this suite has tracked metrics yet.");
    return d;
  }
  d.paragraph(how_to_read(input.detector));
  doc::List found;
  for (const auto& series : input.series) {
    auto changes = drawable_changes(series);
    for (std::size_t i = 0; i < changes.size(); ++i)
      found.items.push_back(
          {{to_string(series.key), true}, {": " + change_note(series, i + 1, *changes[i])}});
  }
  d.heading(2, "Change points");
  if (found.items.empty()) {
    d.paragraph(fmt::format("None found in {} series.", input.series.size()));
  } else {
    d.list(found);
  }
  for (std::size_t s = 0; s < input.series.size(); ++s) {
    const auto& series = input.series[s];
    d.heading(2, chart_title(series.key));
    d.image(chart_names[s], to_string(series.key) + " per night");
    d.table(history_table(series));
  }
  return d;
}

}  // namespace

std::string change_label(const stats::ChangePoint& point) {
  return fmt::format("{:+.1f}% [{:+.1f}, {:+.1f}], p={:.2g}", (point.ratio - 1) * 100,
                     (point.ratio_low - 1) * 100, (point.ratio_high - 1) * 100, point.p_value);
}

std::string cause_text(const InputChange& change) {
  std::string text = fmt::format("{}: {} → {}", change.input, short_value(change.before),
                                 short_value(change.after));
  if (change.files.empty()) return text;
  constexpr std::size_t kShown = 5;
  std::string files;
  for (std::size_t i = 0; i < change.files.size() && i < kShown; ++i)
    files += (i ? ", " : "") + change.files[i];
  if (change.files.size() > kShown)
    files += fmt::format(" and {} more", change.files.size() - kShown);
  return text + " changed " + files;
}

std::string history_chart_name(const MetricKey& key) {
  std::string name =
      fmt::format("history-{}-{}-{}", key.group.scenario, key.group.state, key.metric);
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  }
  return name + ".svg";
}

std::map<std::string, std::string> build_history_page(const HistoryInput& input) {
  std::map<std::string, std::string> files;
  std::vector<std::string> chart_names;
  for (const auto& series : input.series) {
    // Two keys that sanitize alike keep apart by a number.
    std::string base = history_chart_name(series.key);
    std::string name = base;
    for (int n = 2; files.count(name); ++n)
      name = fmt::format("{}-{}.svg", base.substr(0, base.size() - 4), n);
    chart_names.push_back(name);
    files[name] = history_chart(series);
  }
  auto d = history_document(input, chart_names);
  std::ostringstream md, html;
  doc::render_markdown(md, d);
  doc::render_html(html, d);
  files["history.md"] = md.str();
  files["history.html"] = html.str();
  return files;
}

}  // namespace bb
