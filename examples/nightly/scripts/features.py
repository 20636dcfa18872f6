"""Builds one feature group: 'amount' (log amount, amount ratio to the customer mean) or 'velocity' (transactions per day)."""
import csv
import math
import sys
from collections import defaultdict

from common import build_path, outputs

group, source = sys.argv[1], sys.argv[2]
with open(source, newline="", encoding="utf-8") as handle:
    rows = list(csv.DictReader(handle))

features = []
if group == "amount":
    totals, counts = defaultdict(float), defaultdict(int)
    for row in rows:
        totals[row["customer"]] += float(row["amount"])
        counts[row["customer"]] += 1
    for row in rows:
        mean = totals[row["customer"]] / counts[row["customer"]]
        amount = float(row["amount"])
        features.append({"id": row["id"], "log_amount": round(math.log1p(amount), 6), "amount_ratio": round(amount / mean, 6) if mean else 0.0})
elif group == "velocity":
    for row in rows:
        days = max(float(row["account_age_days"]), 1.0)
        features.append({"id": row["id"], "tx_per_day": round(float(row["tx_count_30d"]) / min(days, 30.0), 6)})
else:
    sys.exit(f"unknown feature group {group!r}: use amount or velocity")

target = build_path(f"features-{group}.csv")
with open(target, "w", newline="", encoding="utf-8") as handle:
    writer = csv.DictWriter(handle, fieldnames=list(features[0]))
    writer.writeheader()
    writer.writerows(features)
print(f"{group}: {len(features)} rows, {len(features[0]) - 1} features")
outputs(path=target, columns=len(features[0]) - 1)
