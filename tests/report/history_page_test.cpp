// The history page: a chart per series with each change point at its first night, its size,
// p and causes in the label, the notes and the table; the same bytes for the same input.
#include "report/history_page.hpp"

#include <cmath>
#include <string>

#include <catch2/catch.hpp>

using namespace bb;

namespace {

const MetricKey kColdBuild{{"one", SampleKind::kBuild, "cold"}, "build_seconds"};

HistoryNight night(const std::string& date, std::int64_t run, std::vector<double> samples,
                   double median, double low, double high) {
  HistoryNight n;
  n.date = date;
  n.run_id = run;
  n.samples = std::move(samples);
  n.count = n.samples.size();
  n.median = median;
  n.low = low;
  n.high = high;
  n.interval_available = std::isfinite(low);
  return n;
}

// Four nights, the third 5% slower: a base image rebuilt and a commit at that night.
HistoryInput four_nights() {
  HistorySeries series;
  series.key = kColdBuild;
  series.nights = {night("2026-11-01", 1, {9.9, 10, 10.1}, 10, 9.9, 10.1),
                   night("2026-11-02", 2, {10, 10, 10}, 10, 10, 10),
                   night("2026-11-03", 3, {10.4, 10.5, 10.6}, 10.5, 10.4, 10.6),
                   night("2026-11-04", 4, {10.5}, 10.5, NAN, NAN)};
  HistoryChange change;
  change.point = {2, 0.01, 1.051, 1.032, 1.07, 10, 10.5};
  change.causes = {{"base image python:3.11",
                    "sha256:" + std::string(64, 'a'),
                    "sha256:" + std::string(64, 'c'),
                    {}},
                   {"commit",
                    std::string(7, '1') + std::string(33, 'a'),
                    std::string(7, '5') + std::string(33, 'b'),
                    {"step-6/Dockerfile"}}};
  series.changes = {change};
  HistoryInput input;
  input.suite_name = "basic";
  input.series = {series};
  return input;
}

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("history page: change labels, causes and chart names read as the page shows them") {
  CHECK(change_label({2, 0.01, 1.051, 1.032, 1.07, 10, 10.5}) == "+5.1% [+3.2, +7.0], p=0.01");
  CHECK(change_label({5, 0.0042, 0.9, 0.85, 0.95, 10, 9}) == "-10.0% [-15.0, -5.0], p=0.0042");
  CHECK(cause_text({"base image python:3.11",
                    "sha256:" + std::string(64, 'a'),
                    "sha256:" + std::string(64, 'c'),
                    {}}) == "base image python:3.11: sha256:aaaaaaaaaaaa… → sha256:cccccccccccc…");
  CHECK(cause_text({"commit",
                    "1a2b3c4" + std::string(33, '0'),
                    "5d6e7f8" + std::string(33, '0'),
                    {"step-6/Dockerfile", "step-6/requirements.txt"}}) ==
        "commit: 1a2b3c4 → 5d6e7f8 changed step-6/Dockerfile, step-6/requirements.txt");
  CHECK(cause_text({"engine", "", "27.3.1", {}}) == "engine: (none) → 27.3.1");
  CHECK(cause_text({"commit", "a", "b", {"1", "2", "3", "4", "5", "6", "7"}}) ==
        "commit: a → b changed 1, 2, 3, 4, 5 and 2 more");
  CHECK(history_chart_name(kColdBuild) == "history-one-cold-build_seconds.svg");
  CHECK(history_chart_name({{"a/b c", SampleKind::kBuild, "warm"}, "build_seconds"}) ==
        "history-a_b_c-warm-build_seconds.svg");
}

TEST_CASE("history page: the chart marks the change point at its first night with its cause") {
  auto files = build_history_page(four_nights());
  REQUIRE(files.size() == 3);
  REQUIRE(files.count("history-one-cold-build_seconds.svg"));
  const auto& chart = files.at("history-one-cold-build_seconds.svg");
  // Four nights at x = 90, 370, 650, 930: the marker stands at the third.
  CHECK(count(chart, "stroke-dasharray") == 1);
  CHECK(chart.find("<line x1=\"650.0\" y1=\"70\" x2=\"650.0\"") != std::string::npos);
  CHECK(chart.find(">[1] +5.1% [+3.2, +7.0], p=0.01</text>") != std::string::npos);
  CHECK(chart.find(">[1] from 2026-11-03 (run 3): +5.1% [+3.2, +7.0], p=0.01; base image "
                   "python:3.11: sha256:aaaaaaaaaaaa… → sha256:cccccccccccc…; commit: 1111111 → "
                   "5555555 changed step-6/Dockerfile</text>") != std::string::npos);
  // Whiskers for the three nights with an interval, a dot per sample, dates on the x axis.
  CHECK(count(chart, "stroke-width=\"1.2\"") == 3);
  CHECK(count(chart, "fill-opacity=\"0.3\"") == 10);
  CHECK(chart.find(">2026-11-04</text>") != std::string::npos);
  CHECK(chart.find("build_seconds (s)") != std::string::npos);
  CHECK(files == build_history_page(four_nights()));
}

TEST_CASE("history page: a table per chart with each night, its interval, n, change and cause") {
  auto files = build_history_page(four_nights());
  const auto& html = files.at("history.html");
  CHECK(html.find("<img src=\"history-one-cold-build_seconds.svg\"") != std::string::npos);
  CHECK(html.find(
            "<tr><td>2026-11-01</td><td class=\"r\">1</td><td class=\"r\">10.00 s</td><td "
            "class=\"r\">[9.90 s, 10.10 s]</td><td class=\"r\">3</td><td></td><td></td></tr>") !=
        std::string::npos);
  CHECK(html.find("<tr><td>2026-11-03</td><td class=\"r\">3</td><td class=\"r\">10.50 s</td><td "
                  "class=\"r\">[10.40 s, 10.60 s]</td><td class=\"r\">3</td><td>[1] +5.1% [+3.2, "
                  "+7.0], p=0.01</td><td>base image python:3.11") != std::string::npos);
  CHECK(html.find("<td class=\"r\">too few samples</td><td class=\"r\">1</td>") !=
        std::string::npos);
  const auto& md = files.at("history.md");
  CHECK(md.rfind("# Nightly history: basic\n", 0) == 0);
  CHECK(md.find("![one cold build\\_seconds per night](history-one-cold-build_seconds.svg)") !=
        std::string::npos);
  CHECK(
      md.find("| night | run | median | 95% interval of the median | n | change point | cause |") !=
      std::string::npos);
  CHECK(count(md, "\n| 2026-11-") == 4);
  // The summary at the top lists the change point with its night and cause.
  CHECK(md.find("## Change points") < md.find("## one"));
  CHECK(count(md, "from 2026-11-03 (run 3)") == 1);
}

TEST_CASE("history page: no change, unreadable causes, a pruned night and no series") {
  auto input = four_nights();
  input.series[0].changes[0].causes.clear();
  auto none = build_history_page(input).at("history.html");
  CHECK(none.find("<td>no recorded input changed</td>") != std::string::npos);
  input.series[0].changes[0].cause_error = "commit 1111111 is not in the clone";
  auto unknown = build_history_page(input).at("history.html");
  CHECK(unknown.find("causes unknown: commit 1111111 is not in the clone") != std::string::npos);

  input.series[0].changes.clear();
  input.series[0].nights[0].pruned = true;
  input.series[0].nights[0].samples.clear();
  input.series[0].nights[0].count = 12;
  auto quiet = build_history_page(input);
  CHECK(quiet.at("history.html").find("None found in 1 series.") != std::string::npos);
  CHECK(quiet.at("history.html").find("<td class=\"r\">12 (pruned)</td>") != std::string::npos);
  CHECK(quiet.at("history-one-cold-build_seconds.svg").find("stroke-dasharray") ==
        std::string::npos);

  HistoryInput empty;
  empty.suite_name = "basic";
  auto files = build_history_page(empty);
  CHECK(files.size() == 2);
  CHECK(files.at("history.md").find("No nightly run of this suite has tracked metrics yet.") !=
        std::string::npos);
}
