#!/usr/bin/env python3
"""Exports the stratified 80/20 split (seed 42) of bench_train.py as row indices, and (with --xgb) measures
xgboost hist on exactly that split, so `kiln-ml-bench accuracy` can be compared like for like.

    python3 export_splits.py [--data DIR] [--out DIR] [--xgb [--bench DIR] [--threads 2]] [--json FILE]

Defaults: --data $KILN_SHARED/data or <repo>/../shared/data, --out $TMPDIR/kiln-ml-splits, --bench the shared
bench/ml folder (only imported from; needs numpy, pandas, scikit-learn; --xgb also xgboost and threadpoolctl).
Writes <out>/<dataset>.test.txt: the 0-based file-row indices of the test part, one per line.
The train part is every other row, in file order (sklearn returns shuffled train rows; order does not
change xgboost hist's result beyond float-summation noise, and Kiln's trainer is order-insensitive as well).
--json FILE writes the figures (pandas.read_csv time, xgboost F1 / AUC / fit seconds, with xgboost's default
base_score = training positive rate and with base_score=0.5) for benchmarks/ml/run.sh.

--split-count N (default 10) also writes <out>/<dataset>.split<k>.test.txt for k = 0..N-1: stratified 80/20 splits
with random_state k. With --xgb, xgboost hist and (when installed) LightGBM, both with bench_train.py's
hyperparameters, are fitted on every one of them and their test ROC AUCs (and means) go to the JSON file under
"multi_split", for `kiln-ml-bench accuracy --split-count N` to be compared with.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _paths  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--data", default=_paths.DATA)
ap.add_argument("--out", default=_paths.SPLITS)
ap.add_argument("--bench", default=_paths.BENCH, help="folder holding the reference common.py / bench_train.py")
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--xgb", action="store_true", help="also fit xgboost hist (one-hot) and print F1/AUC")
ap.add_argument("--json", default=None, help="write the figures to this file")
ap.add_argument("--split-count", type=int, default=10, help="stratified splits for the mean AUC comparison (0 = none)")
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
result = {"threads": a.threads, "datasets": {}}
for name in ["adult.csv", "telco_churn.csv"]:
    path = os.path.join(a.data, name)
    t0 = time.perf_counter()
    df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    load_s = time.perf_counter() - t0
    y = df["label"].to_numpy().astype(np.int32)
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=0.2, random_state=42, stratify=y)
    np.savetxt(os.path.join(a.out, name.replace(".csv", ".test.txt")), np.sort(te), fmt="%d")
    print(f"{name}: train {len(tr)} test {len(te)}; pandas.read_csv {load_s:.3f} s")
    entry = {"csv_rows": len(y), "csv_bytes": os.path.getsize(path), "csv_load_s": load_s}
    if a.xgb:
        sys.path.insert(0, a.bench)
        import common
        common.DATA = a.data
        from bench_train import encoders
        from sklearn.metrics import f1_score, roc_auc_score
        from xgboost import XGBClassifier
        X, y, num, cat = common.load_csv(name)
        oh, _ = encoders(num, cat)
        Atr = oh.fit_transform(X.iloc[tr]).astype(np.float32)
        Ate = oh.transform(X.iloc[te]).astype(np.float32)
        entry["features"] = int(Atr.shape[1])
        for key, extra in [("xgb", {}), ("xgb_base_score_0.5", {"base_score": 0.5})]:
            m = XGBClassifier(tree_method="hist", n_estimators=100, max_depth=6, learning_rate=0.3,
                              n_jobs=a.threads, random_state=0, **extra)
            t0 = time.perf_counter()
            m.fit(Atr, y[tr])
            fit_s = time.perf_counter() - t0
            p = m.predict_proba(Ate)[:, 1]
            f1, auc = f1_score(y[te], p >= 0.5), roc_auc_score(y[te], p)
            entry[key] = {"f1": float(f1), "auc": float(auc), "fit_s": fit_s}
            print(f"  xgboost hist{' base_score=0.5' if extra else ''}: F1 {f1:.4f} AUC {auc:.4f} "
                  f"fit {fit_s:.3f} s features {Atr.shape[1]}")
    if a.split_count > 0:
        splits = []
        for k in range(a.split_count):
            _, te_k = train_test_split(idx, test_size=0.2, random_state=k, stratify=y)
            te_k = np.sort(te_k)
            np.savetxt(os.path.join(a.out, name.replace(".csv", f".split{k}.test.txt")), te_k, fmt="%d")
            splits.append(te_k)
        if a.xgb:
            import bench_train
            try:
                import lightgbm  # noqa: F401
                kinds = ["xgb", "lgbm"]
            except ImportError:
                kinds = ["xgb"]
                print("  LightGBM not installed: multi-split comparison against xgboost only")
            multi = {kind: {"auc": []} for kind in kinds}
            for te_k in splits:
                mask = np.ones(len(y), dtype=bool)
                mask[te_k] = False
                tr_k = idx[mask]
                oh_k, _ = encoders(num, cat)
                Atr = oh_k.fit_transform(X.iloc[tr_k]).astype(np.float32)
                Ate = oh_k.transform(X.iloc[te_k]).astype(np.float32)
                for kind in kinds:
                    m = bench_train.make_model(kind, a.threads)
                    m.fit(Atr, y[tr_k])
                    multi[kind]["auc"].append(float(roc_auc_score(y[te_k], m.predict_proba(Ate)[:, 1])))
            for kind in kinds:
                multi[kind]["mean_auc"] = float(np.mean(multi[kind]["auc"]))
                print(f"  {kind}: mean ROC AUC over {a.split_count} stratified splits {multi[kind]['mean_auc']:.4f}")
            entry["multi_split"] = multi
    result["datasets"][name.replace(".csv", "")] = entry
if a.json:
    with open(a.json, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
