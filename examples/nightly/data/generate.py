"""Generates raw.csv: synthetic card transactions where fraud means unusually large amounts and bursts of activity.

    python3 generate.py [--rows 2000] [--seed 7] > raw.csv
"""
import argparse
import random

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=2000)
parser.add_argument("--seed", type=int, default=7)
args = parser.parse_args()
rng = random.Random(args.seed)

print("id,customer,amount,tx_count_30d,account_age_days,is_fraud")
for index in range(args.rows):
    customer = f"c{rng.randrange(300):03d}"
    fraud = rng.random() < 0.08
    amount = rng.lognormvariate(5.2 if fraud else 3.6, 0.6)
    tx_count = rng.randrange(25, 80) if fraud else rng.randrange(1, 30)
    age = rng.randrange(1, 60) if fraud else rng.randrange(30, 2000)
    print(f"t{index:05d},{customer},{amount:.2f},{tx_count},{age},{int(fraud)}")
