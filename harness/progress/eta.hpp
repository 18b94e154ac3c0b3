#pragma once
// What the ETA is made of: how long each kind of work takes (this run's tasks so far, else the
// suite's last run), and how much of each kind is still expected (each group's repetitions
// from the schedule's stopping rule). Pure, so a recorded run can be replayed through it.
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/group_tally.hpp"
#include "model/run.hpp"
#include "stats/stopping.hpp"

namespace bb {

// The kinds of work whose tasks take comparable time: a build's cache state (its name) or
// "startup" (the sample kind's name) for every start-up.
std::string work_kind(SampleKind kind, const std::string& state);
// Work done once per scenario inside a build task, timed apart: not tasks of their own.
inline constexpr const char* kImageLayersWork = "image layers";
inline constexpr const char* kRegistryWork = "registry push and pull";
bool is_one_off(const std::string& kind);

// Seconds of a sample's task spent on once-per-scenario work that the store recorded (the
// registry push and pull), by kind.
std::map<std::string, double> recorded_one_off(const Sample& sample);

// Mean seconds a task of each kind took in a recorded run: the time from one sample's start
// to the next one's (what the next task waited for), samples in the order they were taken,
// with the recorded once-per-scenario work timed apart.
std::map<std::string, double> mean_task_seconds(const std::vector<StoredSample>& samples);

class EtaModel {
 public:
  // Mean task time by kind from an earlier run, used until this run has timed that kind.
  void prior(const std::map<std::string, double>& seconds) { prior_ = seconds; }
  void timed(const std::string& kind, double seconds);
  // A task of `kind` that took `took` seconds, of which `one_off` (by kind) was
  // once-per-scenario work: each part timed as its own kind.
  void task(const std::string& kind, double took, const std::map<std::string, double>& one_off);
  // Mean seconds by kind of what has been timed.
  std::map<std::string, double> means() const;
  // Each kind's remaining count times its mean task time (this run's, else the prior;
  // start-ups not yet timed go by warm-nochange builds, anything else by the mean of all
  // tasks); NaN while nothing has been timed and there is no prior.
  double seconds_left(const std::map<std::string, int>& remaining) const;
  // What a time budget plans one task of `kind` at: its mean (this run's, else the prior);
  // a kind neither timed nor in the last run at the mean of every task timed so far, not the
  // ETA's warm-nochange stand-in: start-ups cost several times a cached build, and a budget
  // that plans them that cheap spends their time on builds. NaN while nothing is timed.
  double planning_seconds(const std::string& kind) const;

 private:
  std::map<std::string, std::pair<double, int>> timed_;  // kind -> (seconds, tasks)
  std::map<std::string, double> prior_;
};

// A group the run still plans, as the ETA sees it.
struct GroupWork {
  GroupTally::Key key;
  std::string kind;  // work_kind
  GroupTarget target;
  int prior = -1;  // repetitions it took in the suite's last run
};

// Repetitions still expected per kind of work: expected_more for each group, in this order:
// its own spread; the median need (unit width over the half-width required) of its kind's
// groups in this run, for a start-up of its mode's groups, as soon as one has two values; the
// suite's last run (GroupWork::prior); else its maximum, so the total only shrinks as it learns.
std::map<std::string, int> expected_work(const std::vector<GroupWork>& groups,
                                         const GroupTally& tally);
// The same per group, in the order of `groups`: what a time budget plans with.
std::vector<int> expected_by_group(const std::vector<GroupWork>& groups, const GroupTally& tally);

// A recorded run replayed through the ETA, one point after each sample but the last.
struct EtaPoint {
  double elapsed = 0;        // seconds from the first sample's start to the next one's
  double predicted_end = 0;  // elapsed plus the ETA's seconds left; NaN while it had no guess
  int predicted_tasks = 0;   // samples taken plus still expected: the counter's total
};

struct EtaReplay {
  double total = 0;  // seconds from the first sample's start to the last one's
  int tasks = 0;     // samples in the run
  std::vector<EtaPoint> points;
  // (predicted - actual) / actual of the last point at or before `fraction` of the run;
  // NaN when there is none or it had no guess.
  double error_at(double fraction) const;
  // The error of largest size (signed) over the points from `fraction` of the run on.
  double largest_error_after(double fraction) const;
};

// Feeds a run's samples, in the order they were taken, through the ETA as a session does:
// each task's time with the recorded registry work apart (a kind between two samples' kinds
// is left out: the gap holds detection and the start-up tools), the tally of non-warm-up
// samples, the groups as its plan knew them, and the registry's push and pull still due once
// per scenario with a cold group when the run recorded any. `prior_seconds`: the suite's last
// run's mean_task_seconds. Warm-ups still due are not counted. `budget_seconds`: a budgeted
// run's budget, which caps the predicted end as the live ETA caps it (from the first sample's
// start: the session's few seconds of set-up before it are not counted).
EtaReplay replay_eta(const std::vector<Sample>& samples, const std::vector<GroupWork>& groups,
                     const std::map<std::string, double>& prior_seconds = {},
                     std::optional<double> budget_seconds = std::nullopt);

}  // namespace bb
