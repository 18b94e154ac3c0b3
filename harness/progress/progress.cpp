#include "progress/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "model/metrics.hpp"
#include "util/text.hpp"

namespace bb {

namespace {
std::string clock(double seconds) {
  auto total = static_cast<long long>(seconds + 0.5);
  if (total >= 3600)
    return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
  return fmt::format("{}:{:02}", total / 60, total % 60);
}
}  // namespace

Progress::Progress(std::FILE* out, bool interactive, bool quiet)
    : out_(out), interactive_(interactive), quiet_(quiet) {}

std::chrono::steady_clock::time_point Progress::now() const {
  return clock_ ? clock_() : std::chrono::steady_clock::now();
}

bool Progress::stderr_is_terminal() {
  return isatty(STDERR_FILENO) != 0;
}

void Progress::begin() {
  start_ = now();
  task_start_ = start_;
}

void Progress::expect(const std::map<std::string, int>& remaining) {
  remaining_ = remaining;
}

double Progress::eta_seconds() const {
  double seconds = eta_.seconds_left(remaining_);
  if (!deadline_) return seconds;
  double left = std::max(0.0, std::chrono::duration<double>(*deadline_ - now()).count());
  return std::isnan(seconds) ? seconds : std::min(seconds, left);  // no guess stays none
}

std::string Progress::eta() const {
  double seconds = eta_seconds();
  return std::isnan(seconds) ? "ETA --:--" : "ETA " + clock(seconds);
}

std::size_t Progress::left_total() const {
  int left = 0;
  for (const auto& [kind, count] : remaining_) {
    if (!is_one_off(kind)) left += count;
  }
  return static_cast<std::size_t>(left);
}

std::string Progress::counter() const {
  auto left = left_total();
  // "~": the adaptive design decides the total as it goes.
  return fmt::format("{}/~{}", left > 0 ? finished_ + 1 : finished_, finished_ + left);
}

void Progress::task(const std::string& what) {
  task_start_ = now();
  what_ = what;
  detail_.clear();
  redraw();
}

void Progress::detail(const std::string& what) {
  if (what == detail_) return;
  detail_ = what;
  // Builds report many steps per second; redraw at most ten times a second.
  auto at = now();
  if (at - last_draw_ < std::chrono::milliseconds(100)) return;
  redraw();
}

void Progress::redraw() {
  if (!interactive_ || quiet_) return;
  last_draw_ = now();
  double elapsed = std::chrono::duration<double>(last_draw_ - start_).count();
  std::string line = fmt::format("[{}] {}  {}  elapsed {}  {}", counter(), what_,
                                 printable(detail_), clock(elapsed), eta());
  if (line.size() > 160) line = line.substr(0, 157) + "...";
  fmt::print(out_, "\r\x1b[K{}", line);
  std::fflush(out_);
}

void Progress::done(const Sample& sample, const std::string& side,
                    const std::map<std::string, double>& one_off) {
  ++finished_;
  double took = std::chrono::duration<double>(now() - task_start_).count();
  eta_.task(work_kind(sample.kind, sample.state), took, one_off);
  if (quiet_) return;
  std::string result;
  if (sample.status != SampleStatus::kOk) {
    auto first_line = split(sample.error, '\n').front();
    result = fmt::format("{}: {}", to_string(sample.status), printable(first_line));
  } else if (auto seconds = sample.get(kBuildSeconds)) {
    result = format_seconds(*seconds);
    auto cached = sample.get(kStepsCached);
    auto total = sample.get(kStepsTotal);
    if (cached && total) result += fmt::format(" ({:.0f}/{:.0f} steps cached)", *cached, *total);
  } else if (auto ready = sample.get(kReadySeconds)) {
    result = fmt::format("ready {} (docker start to ready {})", format_seconds(*ready),
                         format_seconds(*sample.get(kStartupSeconds)));
  } else if (auto startup = sample.get(kStartupSeconds)) {
    result = format_seconds(*startup);
  }
  double elapsed = std::chrono::duration<double>(now() - start_).count();
  std::string line = fmt::format("[{}/~{}] {} {} {} #{}{}{}: {}   [{} elapsed, {}]", finished_,
                                 std::max(finished_, finished_ + left_total() - 1),
                                 printable(sample.scenario), to_string(sample.kind), sample.state,
                                 sample.repetition, sample.warmup ? " (warm-up)" : "",
                                 side.empty() ? "" : " " + side, result, clock(elapsed), eta());
  if (interactive_) {
    fmt::print(out_, "\r\x1b[K{}\n", line);
  } else {
    fmt::print(out_, "{}\n", line);
  }
  std::fflush(out_);
}

void Progress::message(const std::string& text) {
  if (quiet_) return;
  if (interactive_) fmt::print(out_, "\r\x1b[K");
  fmt::print(out_, "{}\n", text);
  std::fflush(out_);
}

void Progress::end() {
  if (interactive_ && !quiet_) {
    fmt::print(out_, "\r\x1b[K");
    std::fflush(out_);
  }
}

}  // namespace bb
