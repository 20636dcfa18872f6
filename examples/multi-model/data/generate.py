#!/usr/bin/env python3
"""Generates the multi-model example's CSVs with the standard library only (deterministic: fixed seeds).

    python3 examples/multi-model/data/generate.py

- interactions.csv  (recommendation): user/item features and whether the user bought the item.
- queries.csv       (ranking): the same user/item features plus search features (position, text match) and
                    whether the result was clicked; the ranking pipeline adds the recommendation model's score.
- transactions.csv  (fraud): card transactions and whether they were fraudulent.
"""
import csv
import math
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
CATEGORIES = ["books", "electronics", "garden", "toys", "fashion"]


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


def user_item(rng):
    return {
        "user_age": rng.randint(18, 75),
        "user_activity": round(rng.expovariate(1 / 5.0), 2),
        "item_popularity": round(rng.random(), 3),
        "item_price": round(rng.lognormvariate(3, 0.6), 2),
        "category": rng.choice(CATEGORIES),
    }


def affinity(row):
    bonus = {"books": 0.3, "electronics": 0.5, "garden": -0.4, "toys": 0.0, "fashion": 0.2}[row["category"]]
    return (2.5 * row["item_popularity"] + 0.25 * min(row["user_activity"], 10) - 0.015 * row["item_price"]
            + bonus - 1.6)


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def interactions(rng, n=2500):
    rows = []
    for i in range(n):
        row = {"interaction_id": i + 1, **user_item(rng)}
        row["purchased"] = int(rng.random() < sigmoid(affinity(row)))
        rows.append(row)
    write("interactions.csv", ["interaction_id", "user_age", "user_activity", "item_popularity", "item_price",
                               "category", "purchased"], rows)


def queries(rng, n=2500):
    rows = []
    for i in range(n):
        row = {"query_id": i + 1, **user_item(rng)}
        row["position"] = rng.randint(1, 10)
        row["text_match"] = round(rng.random(), 3)
        logit = 0.8 * affinity(row) + 2.0 * row["text_match"] - 0.25 * row["position"] + 0.3
        row["clicked"] = int(rng.random() < sigmoid(logit))
        rows.append(row)
    write("queries.csv", ["query_id", "user_age", "user_activity", "item_popularity", "item_price", "category",
                          "position", "text_match", "clicked"], rows)


def transactions(rng, n=3000):
    rows = []
    for i in range(n):
        amount = round(rng.lognormvariate(3.5, 1.0), 2)
        hour = rng.randint(0, 23)
        distance = round(rng.expovariate(1 / 20.0), 1)
        tx_24h = rng.randint(0, 12)
        logit = -4.2 + 0.004 * amount + (1.2 if hour < 5 else 0) + 0.02 * distance + 0.25 * tx_24h
        rows.append({"transaction_id": i + 1, "amount": amount, "hour": hour, "distance_km": distance,
                     "tx_count_24h": tx_24h, "is_fraud": int(rng.random() < sigmoid(logit))})
    write("transactions.csv", ["transaction_id", "amount", "hour", "distance_km", "tx_count_24h", "is_fraud"], rows)


if __name__ == "__main__":
    interactions(random.Random(1))
    queries(random.Random(2))
    transactions(random.Random(3))
