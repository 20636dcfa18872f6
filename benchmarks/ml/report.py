#!/usr/bin/env python3
"""Prints the side-by-side table of benchmarks/ml/run.sh from the JSON files it collected (standard library only).

    python3 report.py RESULTS_DIR

Reads kiln_accuracy.json / ref_accuracy.json (kiln-ml-bench accuracy --json, export_splits.py --json),
kiln_big_t{N}_r{i}.json / ref_big_t{N}_r{i}.json / lgbm_big_t{N}_r{i}.json (kiln-ml-bench big --json,
bench_big.py --child xgb / --child lgbm), kiln_profile_r{i}.json (peak RSS of `kiln data profile`),
kiln_drift_r{i}.json / ref_drift_r{i}.json (kiln-ml-bench drift --json, bench_drift_scipy.py --json),
kiln_csv_r{i}.json / ref_csv_r{i}.json (kiln-ml-bench csv --json, pandas.read_csv) and
meta.json; repeated runs are summarised by their median. Missing files leave "—" in the table.
"""
import glob
import json
import os
import re
import statistics
import sys

DIR = sys.argv[1]
TOLERANCE = 0.01  # accuracy target: |Kiln − xgboost| ≤ 0.01


def load(name):
    try:
        with open(os.path.join(DIR, name)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def runs(pattern):
    out = []
    for p in sorted(glob.glob(os.path.join(DIR, pattern))):
        try:
            with open(p) as f:
                out.append(json.load(f))
        except (OSError, ValueError):
            pass
    return out


def median(rs, key):
    vals = [r[key] for r in rs if isinstance(r.get(key), (int, float))]
    return statistics.median(vals) if vals else None


def fmt(v, digits):
    if v is None:
        return "—"
    if digits == "int":
        return f"{v:,.0f}"
    return f"{v:.{digits}f}"


rows = []


def diff_row(metric, k, r, digits=4, lgbm=None):
    if k is None or r is None:
        rows.append((metric, fmt(k, digits), fmt(r, digits), fmt(lgbm, digits), "—"))
        return
    d = k - r
    mark = " ✓" if abs(d) <= TOLERANCE else " ✗"
    rows.append((metric, fmt(k, digits), fmt(r, digits), fmt(lgbm, digits), f"{d:+.4f}{mark}"))


def ratio_row(metric, k, r, digits=2, n=None, lgbm=None):
    label = metric + (f" (median of {n})" if n and n > 1 else "")
    parts = []
    if k is not None and r:
        parts.append(f"{k / r:.2f}×")
    if k is not None and lgbm:
        parts.append(f"{k / lgbm:.2f}× LightGBM")
    rows.append((label, fmt(k, digits), fmt(r, digits), fmt(lgbm, digits), ", ".join(parts) or "—"))


def mean_auc_row(metric, k, r, lgbm):
    """Mean AUC over stratified splits; target: within 0.002 of xgboost and never below it on average."""
    if k is None or r is None:
        rows.append((metric, fmt(k, 4), fmt(r, 4), fmt(lgbm, 4), "—"))
        return
    d = k - r
    mark = " ✓" if d >= 0 else (" ≈ (below, within 0.002)" if d >= -0.002 else " ✗")
    rows.append((metric, fmt(k, 4), fmt(r, 4), fmt(lgbm, 4), f"{d:+.4f}{mark}"))


meta = load("meta.json") or {}
ka, ra = load("kiln_accuracy.json"), load("ref_accuracy.json")
for ds, label in [("adult", "adult"), ("telco_churn", "telco")]:
    k = ((ka or {}).get("datasets") or {}).get(ds) or {}
    r = ((ra or {}).get("datasets") or {}).get(ds) or {}
    if not k and not r:
        continue
    for kk, rk, what in [("gbdt_base_score_positive_rate", "xgb", "base_score = train positive rate (xgboost's default)"),
                         ("gbdt_base_score_0.5", "xgb_base_score_0.5", "base_score 0.5 (Kiln's default)")]:
        for m, name in [("f1", "F1"), ("auc", "ROC AUC")]:
            diff_row(f"{label} {name}, {what}", (k.get(kk) or {}).get(m), (r.get(rk) or {}).get(m))
    km, rm = k.get("multi_split") or {}, r.get("multi_split") or {}
    if km or rm:
        count = len(km.get("auc") or (rm.get("xgb") or {}).get("auc") or [])
        mean_auc_row(f"{label} ROC AUC, mean of {count} stratified splits, same hyperparameters",
                     km.get("mean_auc"), (rm.get("xgb") or {}).get("mean_auc"), (rm.get("lgbm") or {}).get("mean_auc"))

for th in (2, 1):
    kb, rb, lb = runs(f"kiln_big_t{th}_r*.json"), runs(f"ref_big_t{th}_r*.json"), runs(f"lgbm_big_t{th}_r*.json")
    if not kb and not rb:
        continue
    n = max(len(kb), len(rb))
    ratio_row(f"1M×30 fit s, {th} thread{'s' if th > 1 else ''} (lower is better; target ≤ 0.80× LightGBM)",
              median(kb, "fit_s"), median(rb, "fit_s"), 2, n, median(lb, "fit_s"))
    ratio_row(f"1M×30 fit CPU s, {th} thread{'s' if th > 1 else ''}", median(kb, "fit_cpu_s"),
              median(rb, "fit_cpu_s"), 2, n, median(lb, "fit_cpu_s"))
    if th == 2:
        ref_peak, lgbm_peak = median(rb, "peak_rss"), median(lb, "peak_rss")
        ratio_row("1M×30 peak RSS MiB, load + fit (lower is better)", median(kb, "peak_rss_mib"),
                  ref_peak / 2**20 if ref_peak else None, "int", n, lgbm_peak / 2**20 if lgbm_peak else None)
        ref_pred = [x["predict_200k_s"] for x in rb if x.get("predict_200k_s")]
        kp = median(kb, "predict_rows_per_s")
        rp = statistics.median(200_000 / s for s in ref_pred) if ref_pred else None
        lgbm_pred = [x["predict_200k_s"] for x in lb if x.get("predict_200k_s")]
        lp = statistics.median(200_000 / s for s in lgbm_pred) if lgbm_pred else None
        ratio_row("predict 200k × 30, rows/s, 2 threads (higher is better)", kp, rp, "int", n, lp)
        diff_row("1M×30 test AUC (sanity)", median(kb, "test_auc"), median(rb, "test_auc"), 4, median(lb, "test_auc"))

for ds, label in [("adult", "adult.csv"), ("telco_churn", "telco_churn.csv")]:
    k = ((ka or {}).get("datasets") or {}).get(ds) or {}
    r = ((ra or {}).get("datasets") or {}).get(ds) or {}
    if not k and not r:
        continue
    kr = k["csv_rows"] / k["csv_load_s"] if k.get("csv_load_s") else None
    rr = r["csv_rows"] / r["csv_load_s"] if r.get("csv_load_s") else None
    ratio_row(f"CSV load {label}, rows/s (Kiln's CSV reader vs pandas.read_csv)", kr, rr, "int")

kd, rd = runs("kiln_drift_r*.json"), runs("ref_drift_r*.json")
if kd or rd:
    n = max(len(kd), len(rd))
    for key, name in [("ks", "KS"), ("psi", "PSI"), ("js", "Jensen–Shannon"), ("wasserstein", "Wasserstein")]:
        ratio_row(f"drift 1M×30 {name} s, 1 thread", median(kd, f"{key}_s"), median(rd, f"{key}_s"), 2, n)
    ratio_row("drift 1M×30 all four s, 1 thread, one call each", median(kd, "total_s"), median(rd, "total_s"), 2, n)
    ratio_row("drift 1M×30 all four s, 1 thread, one sort per sample", median(kd, "shared_s"), median(rd, "total_s"), 2, n)

kc, rc = runs("kiln_csv_r*.json"), runs("ref_csv_r*.json")
if kc or rc:
    n = max(len(kc), len(rc))
    ratio_row("CSV → frame 327k rows × 12 (19 MB), best of 5 s (Kiln's reader vs pandas.read_csv)",
              median(kc, "csv_read_best_s"), median(rc, "csv_read_best_s"), 3, n)
    ratio_row("CSV → frame peak RSS MiB (Kiln)", median(kc, "peak_rss_mib"), None, 0, n)

kp = runs("kiln_profile_r*.json")
if kp:
    peak = median(kp, "profile_peak_rss_kib")
    size = median(kp, "csv_bytes")
    rows.append((f"`kiln data profile` of that file, peak RSS MiB (median of {len(kp)}; target ≤ 3× the file)",
                 fmt(peak / 1024, 0), "—", "—", f"{peak * 1024 / size:.1f}× the file ({size / 2**20:.1f} MiB)"))

reference = meta.get("reference") or "xgboost hist / scipy"
header = ("metric", "Kiln", f"reference ({reference})", meta.get("lightgbm") or "LightGBM",
          "Kiln ÷ ref. (×) or Kiln − ref.")
widths = [max(len(str(x[i])) for x in rows + [header]) for i in range(5)]
print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |")
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for row in rows:
    print("| " + " | ".join(str(c).ljust(w) for c, w in zip(row, widths)) + " |")
notes = []
if meta.get("load_start"):
    notes.append(f"load average {meta['load_start']} at start, {meta.get('load_end', '?')} at end")
if meta.get("nproc"):
    notes.append(f"{meta['nproc']} cores")
if meta.get("mode"):
    notes.append(meta["mode"])
if meta.get("seconds"):
    notes.append(f"{meta['seconds']} s of measuring")
if notes:
    print()
    print("; ".join(notes) + ".")
