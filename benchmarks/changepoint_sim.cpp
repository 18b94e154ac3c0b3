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
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "stats/changepoint.hpp"
#include "stats/edivisive.hpp"
#include "stats/summary.hpp"

namespace {

namespace fs = std::filesystem;
using Nights = std::vector<std::vector<double>>;

// The main jobs' pages whose build groups give the noise (reports/README.md tells what each is).
const std::vector<std::string> kMainJobPages = {"2026-11-25", "2026-11-26-early",
                                                "2026-11-26-rerun", "2026-11-26b", "."};
constexpr int kSamplesPerNight = 5;  // nightly's default --runs
constexpr double kStep = 0.05;       // +5%
constexpr std::size_t kNullNights = 30;
constexpr std::size_t kFirstJudgedNight = 4;  // the first history either detector could flag
constexpr std::size_t kMaxDelay = 10;

struct Noise {
  double night = 0;   // sd of a night's own offset, log scale
  double sample = 0;  // sd of a sample inside its night, log scale
  std::string name;
};

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  double at = q * (v.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(at));
  auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (at - lo) * (v[hi] - v[lo]);
}

// The noise the histories get: the measured spread, and the robust one, which leaves out
// the odd run whose whole machine was slower (2026-11-26-early: every group +5..+20%).
struct MeasuredNoise {
  Noise spread, robust;
};

// Between runs: per build group (scenario, state) in every page, the sd of the log medians;
// inside a run: 1.4826 MAD / median of each group's samples. The night's own offset is what the
// spread of medians leaves after the median's own sampling error (pi/2 sigma^2 / n).
MeasuredNoise estimate_noise(const fs::path& reports) {
  std::map<std::string, std::vector<double>> log_medians;
  std::vector<double> within, counts;
  for (const auto& page : kMainJobPages) {
    fs::path file = reports / page / "data.json";
    std::ifstream in(file);
    if (!in) {
      std::cerr << "changepoint_sim: error: cannot read " << file
                << "; pass --reports with the repository's reports/ folder\n";
      std::exit(2);
    }
    auto data = nlohmann::json::parse(in);
    for (const auto& g : data.at("groups")) {
      if (g.at("metric") != "build_seconds" || g.at("count").get<int>() < 3) continue;
      double median = g.at("median").get<double>();
      if (!(median > 0)) continue;
      log_medians[g.at("scenario").get<std::string>() + "/" + g.at("state").get<std::string>()]
          .push_back(std::log(median));
      within.push_back(1.4826 * g.at("mad").get<double>() / median);
      counts.push_back(g.at("count").get<double>());
    }
    std::cout << "  read " << file.string() << "\n";
  }
  std::vector<double> between, between_robust;
  for (const auto& [group, logs] : log_medians) {
    if (logs.size() < 3) continue;
    between.push_back(bb::stats::stddev(logs));
    between_robust.push_back(1.4826 * bb::stats::mad(logs));
  }
  double sample = bb::stats::median(within);
  double n = bb::stats::median(counts);
  double median_error = sample * std::sqrt(M_PI / 2 / n);
  double spread = bb::stats::median(between);
  std::cout << fmt::format(
      "  build groups: {} (scenario x state) over {} pages, {} groups with samples\n"
      "  night-to-night sd of a group's median (log): median {:.2f}% (quartiles {:.2f}%, "
      "{:.2f}%); robust (1.4826 MAD) {:.2f}%\n"
      "  within-run sd of samples (1.4826 MAD / median): median {:.2f}% (quartiles {:.2f}%, "
      "{:.2f}%), {} samples per group (median)\n"
      "  the median's own error at that: {:.2f}%\n",
      between.size(), kMainJobPages.size(), within.size(), spread * 100,
      quantile(between, 0.25) * 100, quantile(between, 0.75) * 100,
      bb::stats::median(between_robust) * 100, sample * 100, quantile(within, 0.25) * 100,
      quantile(within, 0.75) * 100, n, median_error * 100);
  auto night_offset = [&](double spread_of_medians) {
    return std::sqrt(
        std::max(0.0, spread_of_medians * spread_of_medians - median_error * median_error));
  };
  MeasuredNoise noise;
  noise.spread = {night_offset(spread), sample, "measured sd"};
  noise.robust = {night_offset(bb::stats::median(between_robust)), sample, "measured robust"};
  std::cout << fmt::format(
      "  simulated: a night's own offset sd {:.2f}% (from the sd) or {:.2f}% (from the robust "
      "spread), samples inside a night sd {:.2f}%, {} samples a night (nightly --runs "
      "default), both normal on the log scale\n",
      noise.spread.night * 100, noise.robust.night * 100, sample * 100, kSamplesPerNight);
  return noise;
}

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

// A detector: the first nights of the shifts it reports on this history.
using Detector = std::function<std::vector<std::size_t>(const Nights&)>;

// Today's: the per-night medians, one split, Mann-Whitney, Bonferroni, alpha 0.01, 3 nights a
// side, 5% threshold (as nightly calls it).
std::vector<std::size_t> today(const Nights& nights) {
  std::vector<double> medians;
  for (const auto& n : nights) medians.push_back(bb::stats::median(n));
  std::vector<std::size_t> points;
  if (auto shift = bb::stats::detect_shift(medians)) points.push_back(shift->index);
  return points;
}

// E-divisive means; a point whose estimated shift is under `floor` (a ratio's distance from 1)
// is not reported, as a caller's minimum effect would drop it.
Detector edivisive(double alpha, int permutations, double floor, std::uint64_t seed) {
  return [alpha, permutations, floor, seed](const Nights& nights) {
    bb::stats::EDivisiveOptions options;
    options.alpha = alpha;
    options.permutations = permutations;
    options.seed = seed + nights.size();
    std::vector<std::size_t> points;
    for (const auto& p : bb::stats::e_divisive(nights, options)) {
      if (std::fabs(p.ratio - 1) >= floor) points.push_back(p.first_night);
    }
    return points;
  };
}

bool near(const std::vector<std::size_t>& points, std::size_t night) {
  return std::any_of(points.begin(), points.end(), [&](std::size_t p) {
    return p + 1 >= night && p <= night + 1;  // within a night of it
  });
}

// Nightly re-evaluation after a step at night `before`: the number of nights since the step
// (1 = the night it landed) at which the detector first reports a point within a night of it;
// 0 when not within kMaxDelay.
std::size_t delay(const Detector& detect, const Nights& history, std::size_t before) {
  for (std::size_t k = 1; k <= kMaxDelay; ++k) {
    Nights seen(history.begin(), history.begin() + before + k);
    if (near(detect(seen), before)) return k;
  }
  return 0;
}

// New alarms on a history without a step: at each night, points not reported (within a night)
// the night before; at most one per night.
std::pair<int, int> false_alarms(const Detector& detect, const Nights& history) {
  int alarms = 0, judged = 0;
  std::vector<std::size_t> before;
  for (std::size_t n = 1; n <= history.size(); ++n) {
    auto points = detect(Nights(history.begin(), history.begin() + n));
    if (n >= kFirstJudgedNight) {
      ++judged;
      alarms += std::any_of(points.begin(), points.end(),
                            [&](std::size_t p) { return !near(before, p); });
    }
    before = points;
  }
  return {alarms, judged};
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
      ++flagged[delay(detect, history, before)];
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
  MeasuredNoise measured = estimate_noise(flags.reports);
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
          edivisive(alpha, 199, floor, flags.seed), noise, flags);
    }
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << fmt::format("\n{:.0f} s in all (seed {}).\n", seconds, flags.seed);
  return 0;
}
