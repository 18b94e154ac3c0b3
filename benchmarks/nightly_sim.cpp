// nightly_sim: the paired nightly on simulated histories, at the noise the stored main jobs
// show. Each night last night's revision and tonight's are measured as N pairs in one session;
// the paired verdict is bb::compare's on those pairs (the function `nightly` reaches through
// compare_selections), and E-divisive means runs on tonight's side of every night so far, as
// nightly's lasting shifts do. A plain program, not a timed test: scripts/nightly-sim runs it.
//
//   nightly_sim [--reports DIR] [--simulations N] [--null-series N] [--pairs N,N,...] [--seed S]
//               [--threshold PERCENT] [--edivisive-alpha A]
//
// Prints the noise it estimated, then per noise, pair count and detector (paired verdict,
// E-divisive, both): the share of +5% steps flagged within 1, 2 and 3 nights with 10 and 20
// nights before the step, and false alarms per 100 series-nights on histories without one.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "compare/compare.hpp"
#include "history_sim.hpp"
#include "model/metrics.hpp"

namespace {

namespace fs = std::filesystem;
using bb::sim::Nights;
using bb::sim::Noise;

constexpr double kStep = 0.05;  // +5%
constexpr double kLevelSeconds = 10;
constexpr std::size_t kNullNights = 30;
constexpr std::size_t kFirstJudgedNight = 4;  // as changepoint_sim: E-divisive's first chance
constexpr std::size_t kMaxDelay = 3;

// One night of a paired nightly: last night's revision and tonight's, pair by pair (the first
// night has no last night).
struct PairedNight {
  std::vector<double> last_night, tonight;
};

// Sample = true level of the revision x the night's drift (both sides alike) x its own noise.
// The two samples of a pair share nothing beyond the night: no data stored gives the
// within-pair correlation, and zero is the pessimistic end (pairs taken back to back share
// more of the moment's noise, which the paired test then cancels too).
std::vector<PairedNight> simulate(std::size_t nights, std::size_t step_at, const Noise& noise,
                                  int pairs, std::mt19937_64& rng) {
  std::normal_distribution<double> night(0, noise.night), sample(0, noise.sample);
  auto level = [&](std::size_t revision) {
    return std::log(kLevelSeconds) + (revision >= step_at ? std::log1p(kStep) : 0);
  };
  std::vector<PairedNight> history;
  for (std::size_t i = 0; i < nights; ++i) {
    double drift = night(rng);
    PairedNight n;
    for (int p = 0; p < pairs; ++p) {
      if (i > 0) n.last_night.push_back(std::exp(level(i - 1) + drift + sample(rng)));
      n.tonight.push_back(std::exp(level(i) + drift + sample(rng)));
    }
    history.push_back(std::move(n));
  }
  return history;
}

Nights tonights(const std::vector<PairedNight>& history) {
  Nights nights;
  for (const auto& n : history) nights.push_back(n.tonight);
  return nights;
}

std::vector<bb::StoredSample> side(const std::vector<double>& seconds, std::int64_t run,
                                   std::int64_t first_id) {
  std::vector<bb::StoredSample> samples;
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    bb::StoredSample s;
    s.id = first_id + static_cast<std::int64_t>(2 * i);
    s.run_id = run;
    s.sample.scenario = "s";
    s.sample.state = "cold";
    s.sample.repetition = static_cast<int>(i) + 1;
    s.sample.set(bb::kBuildSeconds, seconds[i]);
    samples.push_back(s);
  }
  return samples;
}

bb::RunRecord ab_run(std::int64_t id) {
  bb::RunRecord run;
  run.id = id;
  run.options = {{"ab", {{"order", "abba"}}}};
  return run;
}

// The night's paired verdict as nightly's exit code reads it: a row called a regression.
bool paired_regression(const PairedNight& night, const bb::CompareOptions& options) {
  if (night.last_night.empty()) return false;  // the first nightly: nothing to pair with
  auto base = side(night.last_night, 1, 1);
  auto cand = side(night.tonight, 2, 2);
  std::vector<bb::PairRecord> pairs;
  for (std::size_t i = 0; i < base.size(); ++i)
    pairs.push_back({"ab", base[i].id, cand[i].id, i % 2 ? "candidate" : "baseline"});
  auto c = bb::compare({ab_run(1)}, base, {ab_run(2)}, cand, options, pairs);
  return c.count(bb::Verdict::kRegression) > 0;
}

struct Flags {
  fs::path reports = "reports";
  int simulations = 1000;
  int null_series = 400;
  std::vector<int> pairs = {6, 8, 12, 16};
  std::uint64_t seed = 2027;
  // nightly's paired build_seconds threshold and E-divisive's level (cli/nightly.cpp's
  // defaults; --threshold 5 --edivisive-alpha 0.05 gives the nightly before 2026-12-04).
  double threshold = 3;
  double edivisive_alpha = 0.01;
};

[[noreturn]] void usage_error(const std::string& what) {
  std::cerr << "nightly_sim: error: " << what
            << "; options: --reports DIR --simulations N --null-series N --pairs N,N,... "
               "--seed S --threshold PERCENT --edivisive-alpha A\n";
  std::exit(2);
}

std::vector<int> parse_pairs(const std::string& text) {
  std::vector<int> pairs;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    try {
      pairs.push_back(std::stoi(item));
    } catch (const std::exception&) {
      usage_error("--pairs '" + text + "': write pair counts separated by commas, e.g. 5,6,8");
    }
    if (pairs.back() < 1) usage_error("--pairs: a pair count is at least 1");
  }
  return pairs;
}

Flags parse(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--reports") {
      flags.reports = value();
    } else if (arg == "--simulations") {
      flags.simulations = std::stoi(value());
    } else if (arg == "--null-series") {
      flags.null_series = std::stoi(value());
    } else if (arg == "--pairs") {
      flags.pairs = parse_pairs(value());
    } else if (arg == "--seed") {
      flags.seed = std::stoull(value());
    } else if (arg == "--threshold") {
      flags.threshold = std::stod(value());
      if (flags.threshold <= 0) usage_error("--threshold: a percent above 0, e.g. 3");
    } else if (arg == "--edivisive-alpha") {
      flags.edivisive_alpha = std::stod(value());
      if (flags.edivisive_alpha <= 0 || flags.edivisive_alpha >= 1)
        usage_error("--edivisive-alpha: a level between 0 and 1, e.g. 0.01");
    } else {
      usage_error("unknown option " + arg);
    }
  }
  return flags;
}

// Steps caught within 1..kMaxDelay nights, per detector.
struct Caught {
  int paired = 0;
  std::vector<int> edivisive = std::vector<int>(kMaxDelay + 1, 0);
  std::vector<int> both = std::vector<int>(kMaxDelay + 1, 0);
};

// The paired verdict judges the step only on its own night (the night after, both sides have
// it); E-divisive re-runs each night; the system catches it when either does.
Caught steps_caught(const bb::sim::Detector& detect, const bb::CompareOptions& options,
                    const Noise& noise, int pairs, std::size_t before, const Flags& flags,
                    std::mt19937_64& rng) {
  Caught caught;
  for (int s = 0; s < flags.simulations; ++s) {
    auto history = simulate(before + kMaxDelay, before, noise, pairs, rng);
    bool paired = paired_regression(history[before], options);
    std::size_t k = bb::sim::delay(detect, tonights(history), before, kMaxDelay);
    caught.paired += paired;
    for (std::size_t d = 1; d <= kMaxDelay; ++d) {
      bool edivisive = k > 0 && k <= d;
      caught.edivisive[d] += edivisive;
      caught.both[d] += edivisive || paired;
    }
  }
  return caught;
}

// False alarms on histories without a step, nights kFirstJudgedNight.. of each.
struct Alarms {
  int paired = 0, edivisive = 0, both = 0, nights = 0;
};

Alarms false_alarms(const bb::sim::Detector& detect, const bb::CompareOptions& options,
                    const Noise& noise, int pairs, const Flags& flags, std::mt19937_64& rng) {
  Alarms alarms;
  for (int s = 0; s < flags.null_series; ++s) {
    auto history = simulate(kNullNights, kNullNights, noise, pairs, rng);
    auto edivisive = bb::sim::new_alarms(detect, tonights(history), kFirstJudgedNight);
    for (std::size_t n = kFirstJudgedNight; n <= kNullNights; ++n) {
      bool paired = paired_regression(history[n - 1], options);
      alarms.paired += paired;
      alarms.edivisive += edivisive[n - 1];
      alarms.both += paired || edivisive[n - 1];
      ++alarms.nights;
    }
  }
  return alarms;
}

void run_config(const Noise& noise, int pairs, const Flags& flags) {
  // nightly's detectors as it calls them: compare's alpha 0.05 and Benjamini-Hochberg over its
  // one row here, at the paired threshold; E-divisive with 199 permutations, shifts under 2.5%
  // not reported.
  bb::CompareOptions options;
  options.thresholds[std::string(bb::kBuildSeconds)] = flags.threshold;
  // nightly's E-divisive floor is half the catalog's threshold (2.5%), whatever --threshold.
  auto detect = bb::sim::edivisive(flags.edivisive_alpha, 199, 0.025, flags.seed);
  std::mt19937_64 rng(flags.seed);
  std::vector<std::string> lines(3);
  const char* names[] = {"paired verdict", "E-divisive", "both"};
  for (int d = 0; d < 3; ++d)
    lines[d] = fmt::format("{:<15} {:>5} {:<15}", noise.name, pairs, names[d]);
  auto share = [&](int count) { return 100.0 * count / flags.simulations; };
  for (std::size_t before : {10, 20}) {
    Caught c = steps_caught(detect, options, noise, pairs, before, flags, rng);
    lines[0] += fmt::format(" | {:5.1f} {:5.1f} {:5.1f}", share(c.paired), share(c.paired),
                            share(c.paired));
    lines[1] += fmt::format(" | {:5.1f} {:5.1f} {:5.1f}", share(c.edivisive[1]),
                            share(c.edivisive[2]), share(c.edivisive[3]));
    lines[2] += fmt::format(" | {:5.1f} {:5.1f} {:5.1f}", share(c.both[1]), share(c.both[2]),
                            share(c.both[3]));
  }
  Alarms a = false_alarms(detect, options, noise, pairs, flags, rng);
  auto per_100 = [&](int count) { return 100.0 * count / a.nights; };
  lines[0] += fmt::format(" | {:5.2f}", per_100(a.paired));
  lines[1] += fmt::format(" | {:5.2f}", per_100(a.edivisive));
  lines[2] += fmt::format(" | {:5.2f}", per_100(a.both));
  for (const auto& line : lines) std::cout << line << "\n";
  std::cout << std::flush;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags = parse(argc, argv);
  auto started = std::chrono::steady_clock::now();
  std::cout << "Noise of the stored main jobs (build_seconds groups):\n";
  auto measured = bb::sim::estimate_noise(flags.reports, flags.pairs.front());
  std::cout << fmt::format(
      "  within a pair: no correlation beyond the night's drift (assumed: the stored pages "
      "keep no per-pair values)\n\n"
      "The paired nightly: each night last night's revision and tonight's as N pairs of a {:g} s "
      "build; a +5% step lands after 10 or 20 nights, {} simulations each: % flagged within 1, "
      "2, 3 nights of the step (night 1 = the night it lands). The paired verdict judges the "
      "step on its night only (the night after, both sides have it), so its three figures are "
      "one; E-divisive (tonight's side of every night so far) counts a point within a night of "
      "the step; both: either.\n"
      "False alarms: {} histories of {} nights without a step; per 100 series-nights from "
      "night {} on, a night counting when the paired verdict calls a regression (nightly's "
      "exit code 1) or E-divisive reports a new point (not within a night of one the night "
      "before).\n\n",
      kLevelSeconds, flags.simulations, flags.null_series, kNullNights, kFirstJudgedNight);
  std::cout << fmt::format(
      "Paired verdict: alpha 0.05, build_seconds threshold {:g}%; E-divisive: alpha {:g}, 199 "
      "permutations, shifts under 2.5% not reported.\n\n",
      flags.threshold, flags.edivisive_alpha);
  std::cout << fmt::format("{:<15} {:>5} {:<15} | {:<17} | {:<17} | {}\n", "noise", "pairs",
                           "detector", "10 before: <=1 <=2 <=3", "20 before: <=1 <=2 <=3",
                           "false/100");
  for (const auto& noise : {measured.spread, measured.robust}) {
    for (int pairs : flags.pairs) run_config(noise, pairs, flags);
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << fmt::format("\n{:.0f} s in all (seed {}).\n", seconds, flags.seed);
  return 0;
}
