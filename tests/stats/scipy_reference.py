"""Reference values from SciPy for the statistics unit tests (reads a JSON file of cases).

p_permutation: with ties, the exact two-sided p of x's mid-rank sum conditional on the ties,
from scipy.stats.permutation_test over all assignments (SciPy's mannwhitneyu "exact"
ignores ties); null without ties.
"""
import json
import sys

import numpy as np
from scipy import stats



def rank_sum(a, b):
    return stats.rankdata(np.concatenate([a, b]))[:len(a)].sum()


out = []
for case in json.load(open(sys.argv[1])):
    x, y = np.array(case["x"]), np.array(case["y"])
    exact = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact")
    asym = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
                              use_continuity=True)
    p_perm = None
    if len(np.unique(np.concatenate([x, y]))) < len(x) + len(y):
        p_perm = float(stats.permutation_test((x, y), rank_sum, permutation_type="independent",
                                              alternative="two-sided", n_resamples=np.inf,
                                              vectorized=False).pvalue)
    out.append({
        "p_permutation": p_perm,
        "u1": float(exact.statistic),
        "p_exact": float(exact.pvalue),
        "p_asymptotic": float(asym.pvalue),
        "median_x": float(np.median(x)),
        "std_x": float(np.std(x, ddof=1)),
        "mad_x": float(stats.median_abs_deviation(x)),
        "hl": float(np.median(np.subtract.outer(y, x))),
    })
json.dump(out, sys.stdout)
