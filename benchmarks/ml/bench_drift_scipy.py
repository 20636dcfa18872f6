#!/usr/bin/env python3
"""scipy/numpy timings of the drift statistics on the synthetic tables, for side-by-side comparison with
`kiln-ml-bench drift` (same definitions as DriftStatistics; one thread; process CPU time also printed).

    python3 bench_drift_scipy.py [--bench DIR] [--out DIR] [--json FILE]

--bench: the shared bench/ml folder (gen_synth.py is imported from it; its .npz cache goes to $BENCH_OUT,
by default --out = $TMPDIR/kiln-mlbench). --json FILE writes the timings for benchmarks/ml/run.sh.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _paths  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--bench", default=_paths.BENCH)
ap.add_argument("--out", default=_paths.SYNTH)
ap.add_argument("--json", default=None)
a = ap.parse_args()
_paths.use_bench(a.bench, a.out)
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
    "ks": ("KS (ks_2samp)", lambda r, c: stats.ks_2samp(r, c).statistic),
    "psi": ("PSI", psi),
    "js": ("Jensen-Shannon (deciles)", lambda r, c: jensenshannon(*shares(r, c))),
    "wasserstein": ("Wasserstein / std", lambda r, c: stats.wasserstein_distance(r, c) / max(np.std(r), 0.001)),
}
result = {"columns": len(cols), "reference_rows": int(R.shape[0]), "current_rows": int(C.shape[0])}
w0, c0 = time.perf_counter(), time.process_time()
for key, (name, f) in tests.items():
    t0, p0 = time.perf_counter(), time.process_time()
    flagged = [f"f{j:02d}" for j, (r, c) in enumerate(cols) if f(r, c) >= 0.1]
    elapsed = time.perf_counter() - t0
    print(f"{name}: {elapsed:.2f} s (CPU {time.process_time() - p0:.2f} s) flagged {' '.join(flagged)}")
    result[f"{key}_s"] = elapsed
    result[f"{key}_flagged"] = flagged
result["total_s"] = time.perf_counter() - w0
result["total_cpu_s"] = time.process_time() - c0
print(f"all four: {result['total_s']:.2f} s (CPU {result['total_cpu_s']:.2f} s)")
if a.json:
    with open(a.json, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
