"""Copies the source CSV into the run's build folder and reports its size."""
import argparse
import csv
import shutil

from common import build_path, outputs

parser = argparse.ArgumentParser()
parser.add_argument("--source", required=True)
args = parser.parse_args()

target = build_path("raw.csv")
shutil.copyfile(args.source, target)
with open(target, newline="", encoding="utf-8") as handle:
    rows = sum(1 for _ in csv.DictReader(handle))
print(f"extracted {rows} rows from {args.source}")
outputs(path=target, rows=rows)
