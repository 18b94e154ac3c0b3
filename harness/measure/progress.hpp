#pragma once
// Reports long work to a person: a live status line on a terminal, one plain
// line per sample otherwise (CI logs).
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "model/run.hpp"
#include "model/sample.hpp"

namespace bb {

// The kinds of work whose tasks take comparable time: a build's cache state ("cold",
// "warm-deps", ...) or "startup".
std::string work_kind(const std::string& kind, const std::string& state);
// Work done once per scenario inside a build task, timed apart: not tasks of their own.
inline constexpr const char* kImageLayersWork = "image layers";
inline constexpr const char* kRegistryWork = "registry push and pull";

// Mean seconds a task of each kind took in a recorded run: the time from one sample's start
// to the next one's (what the next task waited for), samples in the order they were taken.
std::map<std::string, double> mean_task_seconds(const std::vector<StoredSample>& samples);

class Progress {
 public:
  // interactive: rewrite one status line; otherwise print one line per finished sample.
  Progress(std::FILE* out, bool interactive, bool quiet = false);
  void begin();
  // The work still expected, by kind (see work_kind): kinds take very different
  // times, so the ETA is the sum of each kind's remaining count times its mean task time.
  void expect(const std::map<std::string, int>& remaining);
  // Mean task time by kind from an earlier run, used until this run has timed that kind.
  void prior(const std::map<std::string, double>& seconds);
  void task(const std::string& what);  // a task starts
  // Seconds of work left: each kind's remaining count times its mean task time (this run's,
  // else the prior; start-ups not yet timed go by warm-nochange builds, anything else by the
  // mean of all tasks); NaN while nothing has been timed and there is no prior.
  double eta_seconds() const;
  void detail(const std::string& what);  // e.g. the running build step
  // side: ab's baseline/candidate. one_off: seconds of the task spent on work done once per
  // scenario (layer statistics, registry push and pull), timed as kinds of their own so the
  // first round's tasks do not make every later one look slower.
  void done(const Sample& sample, const std::string& side = "",
            const std::map<std::string, double>& one_off = {});
  void message(const std::string& text);  // a line that stays
  void end();

  static bool stderr_is_terminal();
  std::size_t left_total() const;  // tasks still expected (once-per-scenario work is not one)

 private:
  void redraw();
  std::string eta() const;
  std::string counter() const;
  std::FILE* out_;
  bool interactive_;
  bool quiet_;
  std::map<std::string, int> remaining_;
  std::map<std::string, std::pair<double, int>> timed_;  // kind -> (seconds, tasks)
  std::map<std::string, double> prior_;
  std::chrono::steady_clock::time_point task_start_;
  std::size_t finished_ = 0;
  std::string what_;
  std::string detail_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace bb
