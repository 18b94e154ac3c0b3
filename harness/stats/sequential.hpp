#pragma once
// A group-sequential boundary: a claim's pairs are looked at several times as they come in,
// and each look may stop the claim. Testing at alpha at every look would reject a true null
// far more often than alpha (five looks at 1.96: about 14%), so each look gets its share of
// alpha from a Lan-DeMets spending function of O'Brien-Fleming shape, which spends almost
// nothing early and nearly alpha at the end. The boundaries are found by
// the recursive numerical integration of Armitage, McPherson and Rowe (1969) over the
// continuation region, so the looks need not be equally spaced or planned in advance: the
// boundary at a look depends only on the information fractions up to it.
#include <cstddef>
#include <vector>

namespace bb::stats {

// Two forms of the O'Brien-Fleming-shaped spending, both reaching alpha at t = 1:
//  kPerSide   alpha/2 spent on each side by 2 - 2 Phi(z_{1-alpha/4} / sqrt(t)): ldbounds'
//             and gsDesign's symmetric two-sided form, whose K = 5 boundaries are the
//             published 4.877, 3.357, 2.680, 2.290, 2.031 (the default);
//  kTwoSided  2 - 2 Phi(z_{1-alpha/2} / sqrt(t)) spent on |Z| (Lan and DeMets' 1983 formula
//             taken two-sided): spends more early (4.383, 3.100, 2.553, 2.254, 2.064).
enum class Spending { kPerSide, kTwoSided };

// The two-sided alpha spent by information fraction t; 0 at t <= 0, alpha at t >= 1.
double obrien_fleming_spending(double t, double alpha, Spending form = Spending::kPerSide);

// Two-sided |z| boundaries for looks at increasing information fractions in (0, 1], with
// alpha spent by obrien_fleming_spending: the chance of crossing at look k, not having
// crossed before, is alpha*(t_k) - alpha*(t_{k-1}) under the null. Throws std::invalid_argument
// for fractions that are not increasing within (0, 1] or an alpha outside (0, 1).
std::vector<double> spending_boundaries(const std::vector<double>& fractions, double alpha,
                                        Spending form = Spending::kPerSide);

// The probability under the null of crossing |z| >= boundaries[k] at some look (by the same
// integration), to check a set of boundaries.
double crossing_probability(const std::vector<double>& fractions,
                            const std::vector<double>& boundaries);

// One look at a claim's pairs: its z statistic (sign: the claimed direction or not does not
// matter to the two-sided boundary) and the share of the most pairs it may take.
struct SequentialLook {
  double z = 0;
  double fraction = 0;  // pairs so far over the most pairs, in (0, 1]
};
// A two-sided p as the |z| of a look.
double z_of_two_sided_p(double p);

enum class SequentialDecision {
  kContinue,  // no boundary crossed and more pairs may come
  kReject,    // the latest look crossed its boundary: the difference is significant
  kStop,      // the last look (fraction 1) without crossing: not significant at alpha
};

struct SequentialResult {
  SequentialDecision decision = SequentialDecision::kContinue;
  std::size_t look = 0;  // the look it decided at (0-based), or the latest look
  double boundary = 0;   // |z| boundary of that look
};

// The decision after the looks so far (earlier looks must not have crossed: the caller
// stops at the first reject). A look with fraction 1 is the last one.
SequentialResult decide_sequential(const std::vector<SequentialLook>& looks, double alpha,
                                   Spending form = Spending::kPerSide);

// The fewest pairs whose exact Wilcoxon test can reach p < 0.05 (2 / 2^6 = 0.031): a look
// before them could never cross, only spend alpha.
inline constexpr int kFirstLookPairs = 6;

// A claim's planned looks, as pair counts: the first at `first` pairs, then evenly spaced to
// `max_pairs` (the last look), at most `most_looks` in all; {max_pairs} when first >= it.
std::vector<int> planned_looks(int first, int max_pairs, int most_looks = 4);

// The looks of a claim measured pair by pair, on the paired test `ab` uses: at each planned
// look the pairs so far reach, the exact Wilcoxon signed-rank p (Pratt's zeros) as a |z|,
// signed by the Walsh Hodges-Lehmann shift, against the Lan-DeMets O'Brien-Fleming boundary
// at information fraction pairs / max_pairs; the first crossing stops it. `ended`: no more
// pairs come (the maximum, a budget or an interrupt ended them), so the latest pairs are the
// last look at fraction 1, spending what alpha is left.
struct PairedSequential {
  SequentialDecision decision = SequentialDecision::kContinue;
  std::size_t look = 0;           // 1-based: the look it decided at, or the latest (0: none)
  std::size_t looks_planned = 0;  // planned looks
  std::size_t pairs = 0;          // pairs at that look
  double z = 0, boundary = 0, p_value = 1;
};
PairedSequential paired_sequential(const std::vector<double>& differences,
                                   const std::vector<int>& looks, double alpha, bool ended);

}  // namespace bb::stats
