"""Reference values for the paired statistics unit tests (reads a JSON file of cases).

Wilcoxon: scipy.stats.wilcoxon(d, zero_method="pratt", correction=False,
alternative="two-sided", method=M), M = "exact" when there are no zeros, no ties among |d|
and len(d) <= 50, "approx" beyond 50 non-zero differences (the C++ code takes the same rule).
With zeros or ties and at most 50 non-zero differences the C++ test is exact given them,
which SciPy's wilcoxon is not: the reference is then scipy.stats.permutation_test over all
sign flips of Pratt's ranks, up to 16 non-zero differences, and none (p_value null) beyond.
Hodges-Lehmann: brute force over the Walsh averages; the interval rank k is read off
SciPy's exact signed-rank p-values, not from the C++ recursion.
Mann-Kendall: computed directly with numpy (pymannkendall is not installed), with S
cross-checked against scipy.stats.kendalltau and Sen's slope against
scipy.stats.theilslopes.
"""
import json
import sys
import warnings

import numpy as np
from scipy import stats

warnings.simplefilter("ignore")  # "sample size too small for normal approximation" and such


def pratt_permutation_p(d):
    r = stats.rankdata(np.abs(d))
    return float(stats.permutation_test((d,), lambda a: r[a > 0].sum(), permutation_type="samples",
                                        alternative="two-sided", n_resamples=np.inf,
                                        vectorized=False).pvalue)


def wilcoxon(d):
    d = np.array(d, dtype=float)
    nonzero = d[d != 0]
    plain = len(nonzero) == len(d) and len(np.unique(np.abs(d))) == len(d)
    exact = len(nonzero) <= 50
    method = "exact" if exact else "approx"
    r = stats.wilcoxon(d, zero_method="pratt", correction=False, alternative="two-sided",
                       method="exact" if exact and plain else "approx")
    p = float(r.pvalue)
    if exact and not plain:
        p = pratt_permutation_p(d) if len(nonzero) <= 16 else None
    return {"method": method, "statistic": float(r.statistic), "p_value": p,
            "n_used": int(len(nonzero)), "zeros": int(len(d) - len(nonzero))}


def exact_k(n, alpha):
    """Largest k with P(W+ <= k - 1) <= alpha / 2, from SciPy's exact test: a sample whose
    positive ranks sum to t (t below the centre) has two-sided p = 2 P(W+ <= t)."""
    total = n * (n + 1) // 2
    k = 0
    while k < total // 2:
        remaining, d = k, []
        for rank in range(n, 0, -1):  # greedy: any t in 0..total is a sum of distinct ranks
            if rank <= remaining:
                remaining -= rank
                d.append(rank)
            else:
                d.append(-rank)
        p = stats.wilcoxon(d, zero_method="wilcox", correction=False, alternative="two-sided",
                           method="exact").pvalue
        if p > alpha + 2e-12:
            break
        k += 1
    return k


def hodges_lehmann(d, level):
    d = np.array(d, dtype=float)
    n = len(d)
    walsh = np.sort([(d[i] + d[j]) / 2 for i in range(n) for j in range(i, n)])
    m = len(walsh)
    alpha = 1 - level
    k_exact = exact_k(n, alpha)
    z = stats.norm.isf(alpha / 2)
    k_normal = int(np.floor(m / 2 + 0.5 - z * np.sqrt(n * (n + 1) * (2 * n + 1) / 24)))
    k = k_exact if n <= 50 else k_normal
    available = 1 <= k <= m // 2
    return {"estimate": float(np.median(walsh)),
            "low": float(walsh[k - 1] if available else walsh[0]),
            "high": float(walsh[m - k] if available else walsh[-1]),
            "available": bool(available), "k_exact": k_exact, "k_normal": k_normal}


def mann_kendall(x):
    x = np.array(x, dtype=float)
    n = len(x)
    upper = np.triu_indices(n, 1)
    s = float(np.sign(np.subtract.outer(x, x).T[upper]).sum())  # sign(x_j - x_i), i < j
    _, t = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - np.sum(t * (t - 1) * (2 * t + 5))) / 18
    z = 0.0 if s == 0 or var == 0 else (s - np.sign(s)) / np.sqrt(var)
    p = 2 * stats.norm.sf(abs(z))
    slopes = [(x[j] - x[i]) / (j - i) for i in range(n) for j in range(i + 1, n)]
    # Independent forms: tau-b of (position, x) is S / sqrt(n0 (n0 - n1)) as positions never
    # tie; Theil-Sen against positions is Sen's slope.
    n0 = n * (n - 1) / 2
    n1 = np.sum(t * (t - 1) / 2)
    tau = stats.kendalltau(np.arange(n), x)[0]
    s_tau = 0.0 if np.isnan(tau) else float(tau * np.sqrt(n0 * (n0 - n1)))
    return {"s": s, "z": float(z), "p_value": float(p), "sen_slope": float(np.median(slopes)),
            "s_kendalltau": s_tau,
            "sen_theilslopes": float(stats.theilslopes(x, np.arange(n)).slope)}


cases = json.load(open(sys.argv[1]))
json.dump({
    "wilcoxon": [wilcoxon(d) for d in cases["wilcoxon"]],
    "hodges_lehmann": [hodges_lehmann(c["d"], c["level"]) for c in cases["hodges_lehmann"]],
    "mann_kendall": [mann_kendall(x) for x in cases["mann_kendall"]],
}, sys.stdout)
