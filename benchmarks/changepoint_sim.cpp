// changepoint_sim: today's lasting-shift test (stats/changepoint) and E-divisive means
// (stats/edivisive) side by side on simulated nightly histories, at the noise the stored main
// jobs show. A plain program, not a timed test: scripts/changepoint-sim builds and runs it.
//
//   changepoint_sim [--reports DIR] [--simulations N] [--null-series N] [--seed S]
//
// Prints the noise it estimated (and from which files), then per detector and noise: the share
// of +5% steps flagged within 1, 2, 3 and 10 nights of the step with 10 and 20 nights before
// it, and new false alarms per 100 series-nights on histories without a step.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "history_sim.hpp"
#include "stats/changepoint.hpp"
#include "stats/summary.hpp"

namespace {

namespace fs = std::filesystem;
using bb::sim::Detector;
using bb::sim::Nights;
using bb::sim::Noise;

constexpr int kSamplesPerNight = 5;  // nightly's --runs when these figures were made (5b2c53a)
constexpr double kStep = 0.05;       // +5%
constexpr std::size_t kNullNights = 30;
constexpr std::size_t kFirstJudgedNight = 4;  // the first history either detector could flag
constexpr std::size_t kMaxDelay = 10;

Nights simulate(std::size_t nights, std::size_t step_at, double step, const Noise& noise,
                std::mt19937_64& rng) {
  std::normal_distribution<double> night(0, noise.night), sample(0, noise.sample);
  Nights history;
  for (std::size_t i = 0; i < nights; ++i) {
    double level = std::log(10.0) + (i >= step_at ? std::log1p(step) : 0) + night(rng);
    std::vector<double> samples;
    for (int s = 0; s < kSamplesPerNight; ++s) samples.push_back(std::exp(level + sample(rng)));
    history.push_back(std::move(samples));
  }
  return history;
}

// Today's: the per-night medians, one split, Mann-Whitney, Bonferroni, alpha 0.01, 3 nights a
// side, 5% threshold (as nightly calls it).
std::vector<std::size_t> today(const Nights& nights) {
  std::vector<double> medians;
  for (const auto& n : nights) medians.push_back(bb::stats::median(n));
  std::vector<std::size_t> points;
  if (auto shift = bb::stats::detect_shift(medians)) points.push_back(shift->index);
  return points;
}

// New alarms on a history without a step: at each night from kFirstJudgedNight, points not
// reported (within a night) the night before; at most one per night.
std::pair<int, int> false_alarms(const Detector& detect, const Nights& history) {
  auto alarms = bb::sim::new_alarms(detect, history, kFirstJudgedNight);
  return {static_cast<int>(std::count(alarms.begin(), alarms.end(), true)),
          static_cast<int>(history.size() - kFirstJudgedNight + 1)};
}

struct Flags {
  fs::path reports = "reports";
  int simulations = 2000;
  int null_series = 1000;
  std::uint64_t seed = 2027;
};

Flags parse(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "changepoint_sim: error: " << arg << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (arg == "--reports") {
      flags.reports = value();
    } else if (arg == "--simulations") {
      flags.simulations = std::stoi(value());
    } else if (arg == "--null-series") {
      flags.null_series = std::stoi(value());
    } else if (arg == "--seed") {
      flags.seed = std::stoull(value());
    } else {
      std::cerr << "changepoint_sim: error: unknown option " << arg
                << "; options: --reports DIR --simulations N --null-series N --seed S\n";
      std::exit(2);
    }
  }
  return flags;
}

void run_detector(const std::string& name, const Detector& detect, const Noise& noise,
                  const Flags& flags) {
  std::mt19937_64 rng(flags.seed);
  std::string line = fmt::format("{:<20} {:<15} night {:>4.2f}% sample {:>4.2f}%", name, noise.name,
                                 noise.night * 100, noise.sample * 100);
  for (std::size_t before : {10, 20}) {
    std::vector<int> flagged(kMaxDelay + 1, 0);
    for (int s = 0; s < flags.simulations; ++s) {
      auto history = simulate(before + kMaxDelay, before, kStep, noise, rng);
      ++flagged[bb::sim::delay(detect, history, before, kMaxDelay)];
    }
    auto within = [&](std::size_t k) {
      int sum = 0;
      for (std::size_t d = 1; d <= k; ++d) sum += flagged[d];
      return 100.0 * sum / flags.simulations;
    };
    line += fmt::format(" | {:>2} before: {:5.1f} {:5.1f} {:5.1f} {:5.1f}", before, within(1),
                        within(2), within(3), within(kMaxDelay));
  }
  int alarms = 0, judged = 0;
  for (int s = 0; s < flags.null_series; ++s) {
    auto [a, j] = false_alarms(detect, simulate(kNullNights, kNullNights, 0, noise, rng));
    alarms += a;
    judged += j;
  }
  line += fmt::format(" | {:5.2f}", 100.0 * alarms / judged);
  std::cout << line << std::endl;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags = parse(argc, argv);
  auto started = std::chrono::steady_clock::now();
  std::cout << "Noise of the stored main jobs (build_seconds groups):\n";
  bb::sim::MeasuredNoise measured = bb::sim::estimate_noise(flags.reports, kSamplesPerNight);
  std::cout << fmt::format(
      "\nA +5% step after 10 or 20 nights, {} simulations each: % flagged within 1, 2, 3, {} "
      "nights of the step (a point within a night of it; night 1 = the night it lands).\n"
      "False alarms: {} histories of {} nights without a step, the detector re-run each night "
      "on the history so far; new points (not within a night of one reported the night before), "
      "at most one a night, per 100 series-nights from night {} on.\n"
      "95% half-width: about +-1% on a share near 95%, +-2.2% near 50%; false alarms +-{:.2f} "
      "per 100 at 1.\n\n",
      flags.simulations, kMaxDelay, flags.null_series, kNullNights, kFirstJudgedNight,
      196 * std::sqrt(0.01 * 0.99 / (flags.null_series * (kNullNights - kFirstJudgedNight + 1))));
  // The measured noise, then quieter nights down to the robust spread: where the targets are met.
  std::vector<Noise> noises = {measured.spread};
  for (double night : {0.02, 0.01, 0.005}) {
    if (night > measured.robust.night) noises.push_back({night, measured.spread.sample, "quieter"});
  }
  noises.push_back(measured.robust);
  std::cout << fmt::format("{:<20} {:<15} {:<25} | {:<34} | {:<34} | {}\n", "detector", "noise",
                           "(sd, log scale)", "10 before: <=1  <=2  <=3  <=10",
                           "20 before: <=1  <=2  <=3  <=10", "false/100");
  for (const auto& noise : noises) {
    run_detector("today (MW split)", today, noise, flags);
    for (auto [alpha, floor] : {std::pair{0.05, 0.0}, {0.02, 0.0}, {0.05, 0.025}}) {
      run_detector(
          fmt::format("e-div a={}{}", alpha, floor > 0 ? fmt::format(" >={}%", floor * 100) : ""),
          bb::sim::edivisive(alpha, 199, floor, flags.seed), noise, flags);
    }
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << fmt::format("\n{:.0f} s in all (seed {}).\n", seconds, flags.seed);
  return 0;
}
