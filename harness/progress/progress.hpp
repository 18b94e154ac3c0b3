#pragma once
// Reports long work to a person: a live status line on a terminal, one plain
// line per sample otherwise (CI logs).
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/sample.hpp"
#include "progress/eta.hpp"

namespace bb {

class Progress {
 public:
  // interactive: rewrite one status line; otherwise print one line per finished sample.
  Progress(std::FILE* out, bool interactive, bool quiet = false);
  void begin();
  // The work still expected, by kind (see work_kind): kinds take very different
  // times, so the ETA is the sum of each kind's remaining count times its mean task time.
  void expect(const std::map<std::string, int>& remaining);
  // Mean task time by kind from an earlier run, used until this run has timed that kind.
  void prior(const std::map<std::string, double>& seconds) { eta_.prior(seconds); }
  void task(const std::string& what);  // a task starts
  // Seconds of work left (EtaModel::seconds_left of what `expect` said), and no more than is
  // left of a time budget's end (`end_by`): a budgeted run stops there, whatever it had left.
  double eta_seconds() const;
  void end_by(std::chrono::steady_clock::time_point deadline) { deadline_ = deadline; }
  // Predicted seconds of one task of `kind`, as the ETA counts it; NaN with nothing to go by.
  double task_seconds(const std::string& kind) const { return eta_.seconds_left({{kind, 1}}); }
  double planning_seconds(const std::string& kind) const { return eta_.planning_seconds(kind); }
  void detail(const std::string& what);  // e.g. the running build step
  // side: ab's baseline/candidate. one_off: seconds of the task spent on work done once per
  // scenario (layer statistics, registry push and pull), timed as kinds of their own so the
  // first round's tasks do not make every later one look slower.
  void done(const Sample& sample, const std::string& side = "",
            const std::map<std::string, double>& one_off = {});
  void message(const std::string& text);  // a line that stays
  void end();

  static bool stderr_is_terminal();
  // The clock tasks are timed on (tests fake it; a session's time budget reads it too).
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  void use_clock(Clock clock) { clock_ = std::move(clock); }
  std::chrono::steady_clock::time_point now() const;
  std::size_t left_total() const;  // tasks still expected (once-per-scenario work is not one)

 private:
  void redraw();
  std::string eta() const;
  std::string counter() const;
  std::FILE* out_;
  bool interactive_;
  bool quiet_;
  std::map<std::string, int> remaining_;
  EtaModel eta_;
  std::chrono::steady_clock::time_point task_start_;
  std::size_t finished_ = 0;
  std::string what_;
  std::string detail_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  Clock clock_;  // unset: steady_clock
  std::optional<std::chrono::steady_clock::time_point> deadline_;
};

}  // namespace bb
