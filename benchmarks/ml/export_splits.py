#!/usr/bin/env python3
"""Exports the stratified 80/20 split (seed 42) of bench_train.py as row indices, and prints xgboost hist's
reference figures on exactly that split, so `ml-bench accuracy` can be compared like for like.

    python3 export_splits.py --data /work/shared/data --out /tmp/kiln-ml-splits [--xgb]

Writes <out>/<dataset>.test.txt: the 0-based file-row indices of the test part, one per line.
The train part is every other row, in file order (sklearn returns shuffled train rows; order does not
change xgboost hist's result beyond float-summation noise, and Kiln's trainer is order-insensitive as well).
"""
import argparse
import os

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

ap = argparse.ArgumentParser()
ap.add_argument("--data", default="/work/shared/data")
ap.add_argument("--out", default="/tmp/kiln-ml-splits")
ap.add_argument("--xgb", action="store_true", help="also fit xgboost hist (one-hot) and print F1/AUC")
a = ap.parse_args()
os.makedirs(a.out, exist_ok=True)
for name in ["adult.csv", "telco_churn.csv"]:
    df = pd.read_csv(os.path.join(a.data, name), keep_default_na=False, na_values=[""])
    y = df["label"].to_numpy().astype(np.int32)
    idx = np.arange(len(y))
    tr, te = train_test_split(idx, test_size=0.2, random_state=42, stratify=y)
    np.savetxt(os.path.join(a.out, name.replace(".csv", ".test.txt")), np.sort(te), fmt="%d")
    print(f"{name}: train {len(tr)} test {len(te)}")
    if a.xgb:
        import sys
        sys.path.insert(0, "/tmp/mlbench")
        import common
        common.DATA = a.data
        from bench_train import encoders
        from sklearn.metrics import f1_score, roc_auc_score
        from xgboost import XGBClassifier
        X, y, num, cat = common.load_csv(name)
        oh, _ = encoders(num, cat)
        for order, trr in [("sklearn order", tr), ("file order", np.sort(tr))]:
            Atr = oh.fit_transform(X.iloc[trr]).astype(np.float32)
            Ate = oh.transform(X.iloc[te]).astype(np.float32)
            m = XGBClassifier(tree_method="hist", n_estimators=100, max_depth=6, learning_rate=0.3,
                              n_jobs=2, random_state=0)
            m.fit(Atr, y[trr])
            p = m.predict_proba(Ate)[:, 1]
            print(f"  xgboost hist ({order}): F1 {f1_score(y[te], p >= 0.5):.4f} AUC {roc_auc_score(y[te], p):.4f}"
                  f" features {Atr.shape[1]}")
            m = XGBClassifier(tree_method="hist", n_estimators=100, max_depth=6, learning_rate=0.3,
                              n_jobs=2, random_state=0, base_score=0.5)
            m.fit(Atr, y[trr])
            p = m.predict_proba(Ate)[:, 1]
            print(f"  xgboost hist base_score=0.5 ({order}): F1 {f1_score(y[te], p >= 0.5):.4f} "
                  f"AUC {roc_auc_score(y[te], p):.4f}")
