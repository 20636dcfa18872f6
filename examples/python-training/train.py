"""Trains a logistic regression on churn.csv with the standard library only, and hands Kiln its outputs.

    python3 train.py --data data/churn.csv --label churned [--out PATH]

Writes the model (weights, feature means and scales) as JSON and reports `model` (its path) and `metrics`
(auc, accuracy, logloss on a held-out 25 %) through $KILN_OUTPUTS.
"""
import argparse
import csv
import json
import math
import os
import random

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--label", required=True)
parser.add_argument("--out", default=os.path.join("build", "models", f"model-{os.environ.get('KILN_RUN_ID', 'manual')}.json"))
parser.add_argument("--epochs", type=int, default=300)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()

with open(args.data, newline="", encoding="utf-8") as handle:
    rows = list(csv.DictReader(handle))
features = [name for name in rows[0] if name not in (args.label, "customer_id")]
x = [[float(row[name]) for name in features] for row in rows]
y = [float(row[args.label]) for row in rows]

rng = random.Random(args.seed)
order = list(range(len(rows)))
rng.shuffle(order)
cut = int(len(order) * 0.75)
train, test = order[:cut], order[cut:]
means = [sum(x[i][j] for i in train) / len(train) for j in range(len(features))]
scales = [math.sqrt(sum((x[i][j] - means[j]) ** 2 for i in train) / len(train)) or 1.0 for j in range(len(features))]
z = [[(value - means[j]) / scales[j] for j, value in enumerate(row)] for row in x]

weights, bias = [0.0] * len(features), 0.0
for epoch in range(args.epochs):
    gradient, gradient_bias = [0.0] * len(features), 0.0
    for i in train:
        p = 1 / (1 + math.exp(-(bias + sum(w * v for w, v in zip(weights, z[i])))))
        error = p - y[i]
        gradient_bias += error
        for j, v in enumerate(z[i]):
            gradient[j] += error * v
    bias -= 0.5 * gradient_bias / len(train)
    weights = [w - 0.5 * (g / len(train) + 0.001 * w) for w, g in zip(weights, gradient)]

scores = [(1 / (1 + math.exp(-(bias + sum(w * v for w, v in zip(weights, z[i]))))), y[i]) for i in test]
positives = [s for s, label in scores if label == 1]
negatives = [s for s, label in scores if label == 0]
auc = sum((p > n) + 0.5 * (p == n) for p in positives for n in negatives) / (len(positives) * len(negatives))
accuracy = sum((s >= 0.5) == (label == 1) for s, label in scores) / len(scores)
logloss = -sum(label * math.log(max(s, 1e-15)) + (1 - label) * math.log(max(1 - s, 1e-15)) for s, label in scores) / len(scores)

os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
with open(args.out, "w", encoding="utf-8") as handle:
    json.dump({"features": features, "means": means, "scales": scales, "weights": weights, "bias": bias}, handle)
metrics = {"auc": round(auc, 4), "accuracy": round(accuracy, 4), "logloss": round(logloss, 4)}
print(f"trained on {len(train)} rows: {metrics}")
with open(os.environ["KILN_OUTPUTS"], "w", encoding="utf-8") as handle:
    json.dump({"model": args.out, "metrics": metrics}, handle)
