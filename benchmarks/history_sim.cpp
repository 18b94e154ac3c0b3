#include "history_sim.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "stats/edivisive.hpp"
#include "stats/summary.hpp"

namespace bb::sim {

namespace fs = std::filesystem;

namespace {

// The main jobs' pages whose build groups give the noise (reports/README.md tells what each is).
const std::vector<std::string> kMainJobPages = {"2026-11-25", "2026-11-26-early",
                                                "2026-11-26-rerun", "2026-11-26b", "."};

}  // namespace

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  double at = q * (v.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(at));
  auto hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (at - lo) * (v[hi] - v[lo]);
}

// Between runs: per build group (scenario, state) in every page, the sd of the log medians;
// inside a run: 1.4826 MAD / median of each group's samples. The night's own offset is what the
// spread of medians leaves after the median's own sampling error (pi/2 sigma^2 / n).
MeasuredNoise estimate_noise(const fs::path& reports, int samples_per_night) {
  std::map<std::string, std::vector<double>> log_medians;
  std::vector<double> within, counts;
  for (const auto& page : kMainJobPages) {
    fs::path file = reports / page / "data.json";
    std::ifstream in(file);
    if (!in) {
      std::cerr << "error: cannot read " << file
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
      "spread), samples inside a night sd {:.2f}%, {} samples a night, both normal on the log "
      "scale\n",
      noise.spread.night * 100, noise.robust.night * 100, sample * 100, samples_per_night);
  return noise;
}

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

std::size_t delay(const Detector& detect, const Nights& history, std::size_t before,
                  std::size_t max_delay) {
  for (std::size_t k = 1; k <= max_delay && before + k <= history.size(); ++k) {
    Nights seen(history.begin(), history.begin() + before + k);
    if (near(detect(seen), before)) return k;
  }
  return 0;
}

std::vector<bool> new_alarms(const Detector& detect, const Nights& history,
                             std::size_t first_judged) {
  std::vector<bool> alarms(history.size(), false);
  std::vector<std::size_t> before;
  for (std::size_t n = 1; n <= history.size(); ++n) {
    auto points = detect(Nights(history.begin(), history.begin() + n));
    if (n >= first_judged) {
      alarms[n - 1] = std::any_of(points.begin(), points.end(),
                                  [&](std::size_t p) { return !near(before, p); });
    }
    before = points;
  }
  return alarms;
}

}  // namespace bb::sim
