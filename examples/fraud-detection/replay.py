#!/usr/bin/env python3
"""Replays transactions through kiln serve's prediction endpoint, with the fraud labels arriving later as feedback.

    python3 examples/fraud-detection/replay.py [--url http://127.0.0.1:8080] [--data data/incoming-drifted.csv]
        [--batch 50] [--label-delay 20] [--rows N] [--token-file FILE]

Each batch of rows (without `is_fraud`) is POSTed to /v1/models/fraud-detection/predict with the transaction ids as
request ids; the labels of a batch are POSTed to /v1/models/fraud-detection/feedback `--label-delay` batches later,
as a fraud team's confirmations trickle in. Prints, per model version, how many rows it scored — a promotion or
rollback while this runs shows as a second version, without a failed request. Standard library only.
"""
import argparse
import collections
import csv
import json
import os
import sys
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--url", default="http://127.0.0.1:8080")
parser.add_argument("--model", default="fraud-detection")
parser.add_argument("--data", default=os.path.join(HERE, "data", "incoming-drifted.csv"))
parser.add_argument("--label", default="is_fraud")
parser.add_argument("--id-column", default="transaction_id")
parser.add_argument("--batch", type=int, default=50)
parser.add_argument("--label-delay", type=int, default=20, help="batches between a prediction and its labels")
parser.add_argument("--rows", type=int, default=0, help="stop after this many rows (0: all)")
parser.add_argument("--token-file", help="the API token (default: the KILN_TOKEN variable)")
args = parser.parse_args()

token = os.environ.get("KILN_TOKEN")
if args.token_file:
    with open(args.token_file) as handle:
        token = handle.read().strip()


def value(text):
    """A CSV field as JSON: empty → null, true/false → boolean, numbers → numbers, else the text."""
    if text == "":
        return None
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def post(path, body):
    request = urllib.request.Request(
        args.url.rstrip("/") + path, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", **({"Authorization": "Bearer " + token} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        problem = json.load(error)
        sys.exit("replay: %s %s: %s" % (path, error.code, problem.get("detail", problem)))
    except urllib.error.URLError as error:
        sys.exit("replay: cannot reach %s (%s); start kiln serve first" % (args.url, error.reason))


with open(args.data, newline="") as handle:
    rows = list(csv.DictReader(handle))
if args.rows:
    rows = rows[: args.rows]

versions = collections.Counter()
pending = collections.deque()  # (ids, labels) of batches waiting for their labels
labelled = 0


def send_labels(batch):
    global labelled
    ids, labels = batch
    post("/v1/models/%s/feedback" % args.model,
         {"labels": [{"request_id": i, "label": l} for i, l in zip(ids, labels)]})
    labelled += len(ids)


for start in range(0, len(rows), args.batch):
    chunk = rows[start:start + args.batch]
    ids = [row[args.id_column] for row in chunk]
    body = {"rows": [{k: value(v) for k, v in row.items() if k != args.label} for row in chunk], "ids": ids}
    answer = post("/v1/models/%s/predict" % args.model, body)
    versions[answer["model_version"]] += len(chunk)
    pending.append((ids, [value(row[args.label]) for row in chunk]))
    if len(pending) > args.label_delay:
        send_labels(pending.popleft())
while pending:
    send_labels(pending.popleft())

print("replayed %d rows: %s; %d labels fed back" % (
    len(rows), ", ".join("%s scored %d" % item for item in sorted(versions.items())), labelled))
