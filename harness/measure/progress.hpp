#pragma once
// Reports long work to a person: a live status line on a terminal, one plain
// line per sample otherwise (CI logs).
#include <chrono>
#include <cstdio>
#include <string>

#include "measure/sample.hpp"

namespace bb {

class Progress {
 public:
  // interactive: rewrite one status line; otherwise print one line per finished sample.
  Progress(std::FILE* out, bool interactive, bool quiet = false);
  // Builds and start-ups take very different times: the ETA averages each kind apart.
  void begin(std::size_t build_tasks, std::size_t startup_tasks = 0);
  // Start-up modes found by detection change the number of start-up tasks.
  void set_startup_tasks(std::size_t startup_tasks);
  void task(std::size_t position, const std::string& what);  // a task starts
  void detail(const std::string& what);                      // e.g. the running build step
  void done(const Sample& sample);
  void message(const std::string& text);  // a line that stays
  void end();

  static bool stderr_is_terminal();

 private:
  void redraw();
  std::string eta() const;
  std::FILE* out_;
  bool interactive_;
  bool quiet_;
  std::size_t total_ = 0;
  std::size_t builds_total_ = 0, startups_total_ = 0;
  std::size_t builds_done_ = 0, startups_done_ = 0;
  double build_seconds_ = 0, startup_seconds_ = 0;
  std::chrono::steady_clock::time_point task_start_;
  std::size_t position_ = 0;
  std::size_t finished_ = 0;
  std::string what_;
  std::string detail_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace bb
