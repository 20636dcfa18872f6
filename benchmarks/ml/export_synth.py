#!/usr/bin/env python3
"""Writes gen_synth.py's tables as raw little-endian binaries for `ml-bench big` / `ml-bench drift`.

    python3 export_synth.py --bench /tmp/mlbench --out /tmp/mlbench/out

<out>/synth_ref.bin (seed 20240601), synth_cur.bin (--drifted, seed 20240602), synth_test.bin
(generate(20240603, n=200_000), bench_big.py's test set). Layout: int64 rows, int64 cols, then cols × rows
float32 column-major (NaN = missing), then rows float32 labels (0/1).
"""
import argparse
import os
import sys

import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("--bench", default="/tmp/mlbench")
ap.add_argument("--out", default="/tmp/mlbench/out")
a = ap.parse_args()
sys.path.insert(0, a.bench)
import gen_synth  # noqa: E402


def write(path, X, y):
    with open(path, "wb") as f:
        np.array([X.shape[0], X.shape[1]], dtype="<i8").tofile(f)
        np.asfortranarray(X, dtype="<f4").T.tofile(f)  # column-major
        y.astype("<f4").tofile(f)
    print(path, X.shape, f"positives {y.mean():.4f}")


os.makedirs(a.out, exist_ok=True)
X, y = gen_synth.load(False)
write(os.path.join(a.out, "synth_ref.bin"), X, y)
X, y = gen_synth.load(True)
write(os.path.join(a.out, "synth_cur.bin"), X, y)
X, y = gen_synth.generate(20240603, n=200_000)
write(os.path.join(a.out, "synth_test.bin"), X, y)
