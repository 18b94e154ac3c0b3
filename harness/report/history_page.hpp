#pragma once
// The history page that `nightly` writes (and `report --history`): per tracked metric and
// group, the nightly history as a time series, each night's median with its interval, its
// samples, and each change point with what changed at that night. Built from plain records
// (gathered from the store in cli/gather); it reads no store.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "compare/what_changed.hpp"
#include "model/group_key.hpp"
#include "stats/edivisive.hpp"

namespace bb {

struct HistoryNight {
  std::string date;  // the nightly's date label (YYYY-MM-DD)
  std::int64_t run_id = 0;
  std::vector<double> samples;  // successful values; empty for a pruned run
  std::size_t count = 0;        // successful values (a pruned run's from its summary)
  double median = 0;
  double low = 0, high = 0;         // the 95% interval of the median
  bool interval_available = false;  // false: too few values for one
  bool pruned = false;              // samples thinned by prune-history; its summary kept
};

// A change point and what changed between the nights on either side of it.
struct HistoryChange {
  stats::ChangePoint point;  // point.first_night indexes HistorySeries::nights
  std::vector<InputChange> causes;
  std::string cause_error;  // why the causes could not be read, or ""
};

struct HistorySeries {
  MetricKey key;
  std::vector<HistoryNight> nights;  // oldest first; only nights that measured the key
  std::vector<HistoryChange> changes;
};

struct HistoryInput {
  std::string suite_name;
  std::vector<HistorySeries> series;
  stats::EDivisiveOptions detector;  // what found the change points, for the page to say
};

// "+5.1% [+3.2, +7.0], p=0.01": a change point's size with its interval, and its p.
std::string change_label(const stats::ChangePoint& point);
// "base image python:3.11: sha256:ab… → sha256:cd…", "commit 1a2b3c4 → 5d6e7f8: a/Dockerfile".
std::string cause_text(const InputChange& change);
// history-<scenario>-<state>-<metric>.svg, with characters a file name should not hold as '_'.
std::string history_chart_name(const MetricKey& key);

// File name -> content: history.md, history.html and one SVG per series.
std::map<std::string, std::string> build_history_page(const HistoryInput& input);

}  // namespace bb
