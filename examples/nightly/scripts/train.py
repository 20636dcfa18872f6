"""Trains a one-feature threshold rule per feature and keeps the best one by F1 (a stand-in for a real model)."""
import csv
import json
import sys

from common import build_path, outputs


def load(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


raw, feature_files = sys.argv[1], sys.argv[2:]
labels = {}
with open(raw, newline="", encoding="utf-8") as handle:
    for row in csv.DictReader(handle):
        labels[row["id"]] = int(row["is_fraud"])

merged = {}
for path in feature_files:
    for key, row in load(path).items():
        merged.setdefault(key, {}).update({k: float(v) for k, v in row.items() if k != "id"})


def f1_at(feature, threshold):
    tp = fp = fn = 0
    for key, row in merged.items():
        predicted = row[feature] >= threshold
        actual = labels[key] == 1
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


best = (0.0, None, None)
for feature in next(iter(merged.values())):
    values = sorted({row[feature] for row in merged.values()})
    for threshold in values[:: max(1, len(values) // 50)]:
        score = f1_at(feature, threshold)
        if score > best[0]:
            best = (score, feature, threshold)

f1, feature, threshold = best
model = build_path("model.json")
with open(model, "w", encoding="utf-8") as handle:
    json.dump({"feature": feature, "threshold": threshold}, handle)
print(f"best rule: {feature} >= {threshold} with f1 {f1:.3f}")
outputs(model=model, f1=round(f1, 4), feature=feature)
