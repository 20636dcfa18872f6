#!/usr/bin/env python3
"""scipy/numpy timings of the drift statistics on the synthetic tables, for side-by-side comparison with
`ml-bench drift` (same definitions as DriftStatistics; one thread; process CPU time also printed).

    python3 bench_drift_scipy.py --bench /tmp/mlbench
"""
import argparse
import sys
import time

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

ap = argparse.ArgumentParser()
ap.add_argument("--bench", default="/tmp/mlbench")
a = ap.parse_args()
sys.path.insert(0, a.bench)
import gen_synth  # noqa: E402

R, _ = gen_synth.load(False)
C, _ = gen_synth.load(True)
cols = [(R[:, j][~np.isnan(R[:, j])].astype(np.float64), C[:, j][~np.isnan(C[:, j])].astype(np.float64))
        for j in range(R.shape[1])]


def shares(r, c):
    edges = np.quantile(r, np.linspace(0.1, 0.9, 9))
    f = lambda x: np.bincount(np.searchsorted(edges, x, side="right"), minlength=10) / len(x)  # noqa: E731
    return f(r), f(c)


def psi(r, c):
    p, q = shares(r, c)
    p = np.where(p == 0, 1e-4, p)
    q = np.where(q == 0, 1e-4, q)
    return np.sum((q - p) * np.log(q / p))


tests = {
    "KS (ks_2samp)": lambda r, c: stats.ks_2samp(r, c).statistic,
    "PSI": psi,
    "Jensen-Shannon (deciles)": lambda r, c: jensenshannon(*shares(r, c)),
    "Wasserstein / std": lambda r, c: stats.wasserstein_distance(r, c) / max(np.std(r), 0.001),
}
w0, c0 = time.perf_counter(), time.process_time()
for name, f in tests.items():
    t0, p0 = time.perf_counter(), time.process_time()
    flagged = [f"f{j:02d}" for j, (r, c) in enumerate(cols) if f(r, c) >= 0.1]
    print(f"{name}: {time.perf_counter() - t0:.2f} s (CPU {time.process_time() - p0:.2f} s) flagged {' '.join(flagged)}")
print(f"all four: {time.perf_counter() - w0:.2f} s (CPU {time.process_time() - c0:.2f} s)")
