#pragma once
// What the nightly simulations share (changepoint_sim, nightly_sim): the noise of the stored
// main jobs, E-divisive means as nightly calls it, and how a detector's delay and new alarms
// are counted when it is re-run each night on the history so far. Plain programs, not tests.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace bb::sim {

using Nights = std::vector<std::vector<double>>;

struct Noise {
  double night = 0;   // sd of a night's own offset, log scale
  double sample = 0;  // sd of a sample inside its night, log scale
  std::string name;
};

// The noise the histories get: the measured spread, and the robust one, which leaves out
// the odd run whose whole machine was slower (2026-11-26-early: every group +5..+20%).
struct MeasuredNoise {
  Noise spread, robust;
};

// From the build groups of the main jobs' pages under `reports` (data.json), printed with
// the files read; `samples_per_night` only for the printed description. Exits 2 when a page
// is missing.
MeasuredNoise estimate_noise(const std::filesystem::path& reports, int samples_per_night);

double quantile(std::vector<double> v, double q);

// A detector: the first nights of the shifts it reports on this history.
using Detector = std::function<std::vector<std::size_t>(const Nights&)>;

// E-divisive means; a point whose estimated shift is under `floor` (a ratio's distance from 1)
// is not reported, as nightly drops one under half the metric's threshold.
Detector edivisive(double alpha, int permutations, double floor, std::uint64_t seed);

// Whether a point lies within a night of `night`.
bool near(const std::vector<std::size_t>& points, std::size_t night);

// Nightly re-evaluation after a step at night `before`: the number of nights since the step
// (1 = the night it landed) at which the detector first reports a point within a night of it;
// 0 when not within `max_delay`.
std::size_t delay(const Detector& detect, const Nights& history, std::size_t before,
                  std::size_t max_delay);

// The detector re-run each night on the history so far: whether night n (index n - 1) brought
// a new point (not within a night of one reported the night before); nights before
// `first_judged` (1-based) are false.
std::vector<bool> new_alarms(const Detector& detect, const Nights& history,
                             std::size_t first_judged);

}  // namespace bb::sim
