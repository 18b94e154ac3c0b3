#pragma once
// Many tests at once: about alpha of those without a real effect come out p < alpha by chance,
// so a table of m rows is read with its false discovery rate controlled.
#include <vector>

namespace bb::stats {

// Benjamini-Hochberg (1995) adjusted p-values, in the order given: for the i-th smallest of
// m, min over j >= i of min(1, m p_(j) / j). The tests whose adjusted p is at most q are those
// the step-up rule rejects at false discovery rate q (p_(k) <= k q / m for the largest such
// k); valid for independent or positively dependent tests, as rows of one run are.
std::vector<double> benjamini_hochberg(const std::vector<double>& p_values);

}  // namespace bb::stats
