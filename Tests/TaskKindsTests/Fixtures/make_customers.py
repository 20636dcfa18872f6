#!/usr/bin/env python3
"""Regenerates customers.csv: 400 deterministic rows of a binary churn problem with numeric, text and date
columns (about 3 % of monthly_spend missing). Run from this folder: python3 make_customers.py"""
import math
import random

random.seed(7)
plans = ['basic', 'plus', 'premium']
regions = ['north', 'south', 'east', 'west']
with open('customers.csv', 'w') as out:
    out.write('id,signup_date,age,tenure,monthly_spend,plan,region,support_calls,churned\n')
    for i in range(400):
        age = random.randint(18, 80)
        tenure = random.randint(0, 72)
        spend = round(random.uniform(10, 200), 2)
        plan = random.choice(plans)
        region = random.choice(regions)
        support = random.randint(0, 8)
        z = 2 * (-0.3 - 0.04 * (tenure - 36) + 0.015 * (spend - 100) + 0.35 * (support - 4) / 2
                 + {'basic': 0.8, 'plus': 0, 'premium': -0.8}[plan] + (0.4 if region == 'south' else 0))
        label = 1 if random.random() < 1 / (1 + math.exp(-z)) else 0
        day = f"2026-{1 + i * 12 // 400:02d}-{1 + (i * 7) % 28:02d}"
        spend_text = '' if random.random() < 0.03 else str(spend)
        out.write(','.join(map(str, (i + 1, day, age, tenure, spend_text, plan, region, support, label))) + '\n')
