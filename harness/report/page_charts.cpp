#include "report/page.hpp"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "model/metrics.hpp"
#include "report/svg.hpp"
#include "stats/summary.hpp"

namespace bb::bench_page {

namespace {

double scale_for(const std::string& unit) {
  return unit == "bytes" ? 1e-6 : unit == "s" ? 1000 : 1;
}

bool have_history(const ReportInput& input) {
  return input.history.size() >= 2;
}

// Medians with the 95% interval of the median, per scenario, in the chart's unit.
svg::BarSeries ci_series(const Page& page, const std::string& name, const std::string& state,
                         const std::string& metric) {
  svg::BarSeries series;
  series.name = name;
  double scale = scale_for(find_metric(metric)->unit.data());
  for (const auto& scenario : page.input.scenario_order) {
    auto values = page.groups.get(scenario, state, metric);
    if (values.empty()) {
      series.values.push_back(NAN);
      series.low.push_back(NAN);
      series.high.push_back(NAN);
      continue;
    }
    auto s = stats::summarize(values);
    series.values.push_back(s.median * scale);
    series.low.push_back(s.median_ci.available ? s.median_ci.low * scale : NAN);
    series.high.push_back(s.median_ci.available ? s.median_ci.high * scale : NAN);
  }
  return series;
}

constexpr const char* kErrorBarNote =
    "Bars: medians. Error bars: 95% confidence interval of the median (order statistics), where "
    "the samples allow one.";

// A chart with a bar group per scenario.
svg::BarChart bar_chart(const Page& page, std::string title, std::string y_label) {
  svg::BarChart chart;
  chart.title = std::move(title);
  chart.y_label = std::move(y_label);
  chart.categories = page.input.scenario_order;
  return chart;
}

std::string build_time_chart(const Page& page) {
  auto build = bar_chart(page, "Build time per scenario and cache state", "build time (s)");
  for (const auto& st : kStates) build.series.push_back(ci_series(page, st, st, "build_seconds"));
  // Seconds read better than milliseconds for builds.
  for (auto& s : build.series) {
    for (auto* v : {&s.values, &s.low, &s.high}) {
      for (auto& x : *v) x /= 1000;
    }
  }
  build.note = kErrorBarNote;
  return svg::render(build);
}

std::string startup_chart(const Page& page) {
  auto startup =
      bar_chart(page, "Start-up: container process start to ready line", "start-up time (ms)");
  for (const auto& mode : page.modes) {
    startup.series.push_back(ci_series(page, mode.label, mode.name, std::string(kReadySeconds)));
  }
  startup.note = kErrorBarNote;
  return svg::render(startup);
}

std::string image_size_chart(const Page& page) {
  auto size = bar_chart(page, "Image size per scenario", "size (MB)");
  for (auto [name, metric] : std::vector<std::pair<std::string, std::string>>{
           {"uncompressed", "image_bytes"},
           {"compressed (gzip, as a registry stores it)", "image_compressed_bytes"}}) {
    auto series = ci_series(page, name, "", metric);
    series.low.clear();
    series.high.clear();
    size.series.push_back(series);
  }
  return svg::render(size);
}

}  // namespace

void add_history(doc::Document& d, const Page& page) {
  if (!have_history(page.input)) return;
  d.heading(2, "History");
  d.image("trend-build.svg", "Cold build time over time");
  if (!page.modes.empty()) d.image("trend-startup.svg", "Start-up time over time");
}

// One line per scenario over the runs of the history.
std::string trend_chart(const ReportInput& input, const std::string& title,
                        const std::string& label, const std::string& state,
                        const std::string& metric, double scale) {
  svg::LineChart chart;
  chart.title = title;
  chart.y_label = label;
  for (const auto& point : input.history)
    chart.x_labels.push_back(fmt::format("{} #{}", point.date, point.run_id));
  for (const auto& scenario : input.scenario_order) {
    svg::LineSeries series;
    series.name = scenario;
    for (const auto& point : input.history) {
      auto it = point.medians.find({{scenario, sample_kind_of(metric), state}, metric});
      series.values.push_back(it == point.medians.end() ? NAN : it->second * scale);
    }
    chart.series.push_back(series);
  }
  return svg::render(chart);
}

void add_charts(std::map<std::string, std::string>& files, const Page& page) {
  files["build-time.svg"] = build_time_chart(page);
  if (!page.modes.empty()) files["startup.svg"] = startup_chart(page);
  files["image-size.svg"] = image_size_chart(page);
  if (!have_history(page.input)) return;
  files["trend-build.svg"] =
      trend_chart(page.input, "Cold build time, median per run", "build time (s)",
                  to_string(CacheState::kCold), "build_seconds", 1);
  if (!page.modes.empty()) {
    const auto& mode = page.modes.front();
    files["trend-startup.svg"] =
        trend_chart(page.input, "Start-up (" + mode.label + "), median per run",
                    "start-up time (ms)", mode.name, std::string(kReadySeconds), 1000);
  }
}

}  // namespace bb::bench_page
