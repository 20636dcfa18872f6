"""Generates synthetic card transactions with fraud-like patterns, for Kiln's fraud-detection example.

    python3 generate.py [--rows 20000] [--seed 42] [--drift 0.0] [--fraud-rate 0.03] > transactions.csv

Each row is one card transaction. Fraud (`is_fraud` = 1, about `--fraud-rate` of rows) shows the patterns a
real fraud team looks for, each only as a tendency so no single column gives it away:
- amounts far above the card's 30-day average, more often at night (00:00–05:00),
- card-not-present purchases from a new device, in categories like electronics and gift cards,
- bursts of activity (many transactions in the last 24 h) on young accounts,
- purchases far from home or abroad.
About 1 % of values are missing (empty fields), as in real exports.

`--drift` (0 … 1) moves the legitimate population the way a change in the business would — larger baskets,
more online shopping, more foreign travel, a different hour profile — so drift statistics and retraining
triggers have something to find. 0 gives the reference distribution; 0.5 is a clear shift.
"""
import argparse
import math
import random

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--rows", type=int, default=20000)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--drift", type=float, default=0.0)
parser.add_argument("--fraud-rate", type=float, default=0.03)
args = parser.parse_args()
rng = random.Random(args.seed)
drift = max(0.0, min(1.0, args.drift))

CATEGORIES = ["grocery", "restaurants", "fuel", "travel", "electronics", "fashion", "gift_cards", "online_services"]
LEGIT_WEIGHTS = [30, 20, 14, 6, 6, 12, 2, 10]
FRAUD_WEIGHTS = [14, 10, 8, 8, 20, 12, 12, 16]
COUNTRIES = ["KR", "US", "JP", "DE", "GB", "NG", "BR", "RU"]
LEGIT_COUNTRY = [80, 6, 6, 2, 2, 1, 2, 1]
FRAUD_COUNTRY = [60, 10, 7, 4, 5, 6, 4, 4]


def maybe_missing(value, rate=0.01):
    return "" if rng.random() < rate else value


print("transaction_id,amount,avg_amount_30d,hour,merchant_category,country,card_present,new_device,"
      "distance_from_home_km,tx_count_24h,account_age_days,is_fraud")
for index in range(args.rows):
    fraud = rng.random() < args.fraud_rate
    avg = rng.lognormvariate(3.8 + 0.3 * drift, 0.5)
    if fraud:
        amount = avg * rng.lognormvariate(0.7, 0.9)
        hour = rng.choice(range(0, 6)) if rng.random() < 0.3 else rng.randrange(24)
        category = rng.choices(CATEGORIES, FRAUD_WEIGHTS)[0]
        country = rng.choices(COUNTRIES, FRAUD_COUNTRY)[0]
        card_present = rng.random() < 0.5
        new_device = rng.random() < 0.3
        distance = rng.lognormvariate(3.2, 1.4)
        burst = max(0, int(rng.gauss(4, 2.5)))
        age = int(rng.lognormvariate(5.2, 1.3))
    else:
        amount = avg * rng.lognormvariate(0.0 + 0.25 * drift, 0.6)
        peak = 13 + 6 * drift
        hour = int(min(23, max(0, rng.gauss(peak, 4.5))))
        weights = [w * (1 + 2 * drift if c in ("online_services", "electronics") else 1) for c, w in zip(CATEGORIES, LEGIT_WEIGHTS)]
        category = rng.choices(CATEGORIES, weights)[0]
        country_weights = [w * (1 + 4 * drift if c != "KR" else 1) for c, w in zip(COUNTRIES, LEGIT_COUNTRY)]
        country = rng.choices(COUNTRIES, country_weights)[0]
        card_present = rng.random() < 0.75 - 0.35 * drift
        new_device = rng.random() < 0.05 + 0.1 * drift
        distance = rng.lognormvariate(2.0 + 1.5 * drift, 1.0)
        burst = max(0, int(rng.gauss(2 + 2 * drift, 1.5)))
        age = int(rng.lognormvariate(6.3, 0.9))
    print(",".join([
        f"t{index:06d}",
        f"{amount:.2f}",
        maybe_missing(f"{avg:.2f}"),
        str(hour),
        category,
        maybe_missing(country),
        "true" if card_present else "false",
        "true" if new_device else "false",
        maybe_missing(f"{distance:.1f}"),
        str(burst),
        str(max(1, age)),
        "1" if fraud else "0",
    ]))
