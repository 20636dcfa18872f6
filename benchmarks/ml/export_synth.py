#!/usr/bin/env python3
"""Writes gen_synth.py's tables as raw little-endian binaries for `kiln-ml-bench big` / `kiln-ml-bench drift`.

    python3 export_synth.py [--bench DIR] [--out DIR]

Defaults: --bench the shared bench/ml folder (only imported from; gen_synth.py caches its .npz files in
$BENCH_OUT, by default --out), --out $TMPDIR/kiln-mlbench. Needs numpy.
<out>/synth_ref.bin (seed 20240601), synth_cur.bin (--drifted, seed 20240602), synth_test.bin
(generate(20240603, n=200_000), bench_big.py's test set). Layout: int64 rows, int64 cols, then cols × rows
float32 column-major (NaN = missing), then rows float32 labels (0/1). Existing files are kept (--force rewrites).
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _paths  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--bench", default=_paths.BENCH)
ap.add_argument("--out", default=_paths.SYNTH)
ap.add_argument("--force", action="store_true")
a = ap.parse_args()
_paths.use_bench(a.bench, a.out)
import gen_synth  # noqa: E402


def write(path, make):
    if os.path.exists(path) and not a.force:
        print(path, "exists")
        return
    X, y = make()
    tmp = path + ".part"
    with open(tmp, "wb") as f:
        np.array([X.shape[0], X.shape[1]], dtype="<i8").tofile(f)
        np.asfortranarray(X, dtype="<f4").T.tofile(f)  # column-major
        y.astype("<f4").tofile(f)
    os.replace(tmp, path)
    print(path, X.shape, f"positives {y.mean():.4f}")


os.makedirs(a.out, exist_ok=True)
write(os.path.join(a.out, "synth_ref.bin"), lambda: gen_synth.load(False))
write(os.path.join(a.out, "synth_cur.bin"), lambda: gen_synth.load(True))
write(os.path.join(a.out, "synth_test.bin"), lambda: gen_synth.generate(20240603, n=200_000))
