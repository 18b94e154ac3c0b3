"""Reference values from SciPy for the statistics unit tests (reads a JSON file of cases)."""
import json
import sys

import numpy as np
from scipy import stats

out = []
for case in json.load(open(sys.argv[1])):
    x, y = np.array(case["x"]), np.array(case["y"])
    exact = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact")
    asym = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic",
                              use_continuity=True)
    out.append({
        "u1": float(exact.statistic),
        "p_exact": float(exact.pvalue),
        "p_asymptotic": float(asym.pvalue),
        "median_x": float(np.median(x)),
        "std_x": float(np.std(x, ddof=1)),
        "mad_x": float(stats.median_abs_deviation(x)),
        "hl": float(np.median(np.subtract.outer(y, x))),
    })
json.dump(out, sys.stdout)
