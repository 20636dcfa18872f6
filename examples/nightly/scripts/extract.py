"""Copies the source CSV into the run's build folder and reports its size.

Under `kiln test --smoke`, KILN_SAMPLE (a row count such as 1000, or a fraction such as 0.05) and KILN_SAMPLE_SEED
ask for a sample: the same seed keeps the same rows, in their order.
"""
import argparse
import csv
import os
import random
import shutil

from common import build_path, outputs

parser = argparse.ArgumentParser()
parser.add_argument("--source", required=True)
args = parser.parse_args()

target = build_path("raw.csv")
sample = os.environ.get("KILN_SAMPLE")
if sample:
    with open(args.source, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        all_rows = list(reader)
    size = float(sample)
    keep = min(len(all_rows), int(size) if size >= 1 else max(1, round(len(all_rows) * size)))
    chosen = sorted(random.Random(int(os.environ.get("KILN_SAMPLE_SEED", "0"))).sample(range(len(all_rows)), keep))
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(all_rows[index] for index in chosen)
    print(f"sampled {keep} of {len(all_rows)} rows (KILN_SAMPLE={sample})")
else:
    shutil.copyfile(args.source, target)
with open(target, newline="", encoding="utf-8") as handle:
    rows = sum(1 for _ in csv.DictReader(handle))
print(f"extracted {rows} rows from {args.source}")
outputs(path=target, rows=rows)
