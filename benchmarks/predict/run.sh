#!/usr/bin/env bash
# Latency of kiln serve's prediction endpoint (POST /v1/models/NAME/predict) on loopback.
#
#   benchmarks/predict/run.sh [--clients 20] [--duration 10s] [--kiln PATH] [--sample-rate 1]
#
# Trains and deploys examples/fraud-detection (GBDT, 20,000 rows) in a throwaway home, starts kiln serve on a free
# loopback port, then wrk (2 threads, --clients connections) POSTs the same body for --duration, after 2 s of the same
# load that are not measured: one raw row, then 100 raw rows, of data/incoming-drifted.csv (the engineered columns
# are recomputed per request, as in production).
# Prints requests/s, rows/s, p50 and p99, and any non-2xx answer. Prediction logging is on (--sample-rate).
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=20
duration=10s
kiln=.build/release/kiln
rate=1
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --kiln) kiln=$2; shift 2 ;;
    --sample-rate) rate=$2; shift 2 ;;
    *) echo "usage: $0 [--clients N] [--duration 10s] [--kiln PATH] [--sample-rate R]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
[ -x "$kiln" ] || { echo "no kiln binary at $kiln: swift build -c release --static-swift-stdlib --product kiln (or pass --kiln PATH)" >&2; exit 2; }
kiln=$(cd "$(dirname "$kiln")" && pwd)/$(basename "$kiln")
script=$(pwd)/benchmarks/predict/post.lua

work=$(mktemp -d)
serve=
trap '[ -n "$serve" ] && kill $serve 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"' EXIT
cp -R examples/fraud-detection "$work/fraud-detection"
mkdir -p "$work/watched"
echo "training and deploying fraud-detection@1 …"
(cd "$work" && "$kiln" run fraud-detection/pipeline.yaml --home "$work/home" >"$work/run.log" 2>&1) \
  || { cat "$work/run.log" >&2; exit 1; }
sync  # the training run's files go to disk now, not during the measurement
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
(cd "$work" && exec "$kiln" serve watched --home "$work/home" --http "127.0.0.1:$port" --log-level warning \
  --prediction-sample-rate "$rate" >"$work/serve.log" 2>&1) &
serve=$!
for _ in $(seq 100); do curl -sf "$base/openapi.json" >/dev/null && break; sleep 0.1; done
python3 - "$work" <<'PY'
import csv, json, sys
work = sys.argv[1]
def value(text):
    if text == "": return None
    if text in ("true", "false"): return text == "true"
    for kind in (int, float):
        try: return kind(text)
        except ValueError: pass
    return text
with open(work + "/fraud-detection/data/incoming-drifted.csv", newline="") as handle:
    rows = [{k: value(v) for k, v in row.items() if k != "is_fraud"} for row in csv.DictReader(handle)]
json.dump(rows[0], open(work + "/one.json", "w"))
json.dump({"rows": rows[:100]}, open(work + "/hundred.json", "w"))
PY
url=$base/v1/models/fraud-detection/predict
curl -sf -X POST "$url" -d @"$work/one.json" >/dev/null || { echo "the endpoint refused the row:" >&2; curl -s -X POST "$url" -d @"$work/one.json" >&2; exit 1; }

echo "POST /v1/models/fraud-detection/predict: $clients clients, $duration each (kiln serve on loopback, $(nproc) cores, sample rate $rate)"
printf '%-10s %12s %12s %10s %10s\n' body "requests/s" "rows/s" p50 p99
for body in one:1 hundred:100; do
  name=${body%%:*} rows=${body##*:}
  BODY_FILE="$work/$name.json" wrk -t2 -c"$clients" -d2s -s "$script" "$url" >/dev/null  # warm-up, not measured
  out=$(BODY_FILE="$work/$name.json" wrk -t2 -c"$clients" -d"$duration" --latency -s "$script" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  printf '%-10s %12s %12.0f %10s %10s %s\n' "$rows row$([ "$rows" = 1 ] || echo s)" "$rps" "$(echo "$rps * $rows" | bc)" "$p50" "$p99" "$errors"
done
sleep 1.5  # one maintenance pass writes the log
echo "prediction log: $(find "$work/home/predictions" -name '*.csv' | wc -l) files (newest kept: 20 per model)"
