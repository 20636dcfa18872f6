"""Generates churn.csv: subscription customers, where churn follows short tenure, monthly contracts, high bills
and support calls.   python3 generate.py [--rows 3000] [--seed 11] > churn.csv"""
import argparse
import math
import random

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=3000)
parser.add_argument("--seed", type=int, default=11)
args = parser.parse_args()
rng = random.Random(args.seed)

print("customer_id,tenure_months,monthly_charges,support_calls,monthly_contract,churned")
for index in range(args.rows):
    tenure = rng.randrange(1, 72)
    charges = round(rng.uniform(15, 120), 2)
    calls = min(12, int(rng.expovariate(0.7)))
    monthly = rng.random() < 0.55
    score = -1.2 - 0.045 * tenure + 0.018 * charges + 0.35 * calls + (1.1 if monthly else -0.6)
    churned = rng.random() < 1 / (1 + math.exp(-score))
    print(f"c{index:05d},{tenure},{charges},{calls},{int(monthly)},{int(churned)}")
