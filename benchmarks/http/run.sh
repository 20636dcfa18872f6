#!/usr/bin/env bash
# Load on kiln serve's HTTP API, and the engine's per-task cost with the dashboard open.
#
#   benchmarks/http/run.sh [--clients N] [--duration 10s] [--kiln PATH]
#
# 1. N concurrent clients (wrk, 2 threads) for --duration each against the run document, the run list and the run
#    page of a 40-task run that is executing (a chain of short sleeps), on loopback: requests/s, p50 and p99.
# 2. A 1,000-task no-op run executed by kiln serve, alone and then with the dashboard's own traffic (the run page,
#    a run document poll every 1.5 s and the log stream), 5 rounds alternating: per-task time from the run
#    document, and the medians.
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=20
duration=10s
kiln=.build/release/kiln
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) clients=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --kiln) kiln=$2; shift 2 ;;
    *) echo "usage: $0 [--clients N] [--duration 10s] [--kiln PATH]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
[ -x "$kiln" ] || { echo "no kiln binary at $kiln: swift build -c release --static-swift-stdlib (or pass --kiln PATH)" >&2; exit 2; }
kiln=$(cd "$(dirname "$kiln")" && pwd)/$(basename "$kiln")

work=$(mktemp -d)
trap 'kill $serve 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
mkdir -p "$work/pipelines"
python3 - "$work/pipelines" <<'PY'
import sys
folder = sys.argv[1]
busy = ["name: busy", "tasks:"]
for i in range(40):
    busy.append(f"  t{i:02d}:")
    if i: busy.append(f"    needs: [t{i-1:02d}]")
    busy.append('    run: [sleep, "0.5"]')
open(folder + "/busy.yaml", "w").write("\n".join(busy) + "\n")
wide = ["name: wide", "tasks:", "  first: { uses: noop }"]
for i in range(1000):
    wide.append(f"  w{i:04d}: {{ uses: noop, needs: [first] }}")
wide.append("  last: { uses: noop, needs: [" + ", ".join(f"w{i:04d}" for i in range(1000)) + "] }")
open(folder + "/wide.yaml", "w").write("\n".join(wide) + "\n")
PY
(cd "$work" && exec "$kiln" serve pipelines --http "127.0.0.1:$port" --tick 1s --log-level warning >"$work/serve.log" 2>&1) &
serve=$!
for _ in $(seq 100); do curl -sf "$base/openapi.json" >/dev/null && break; sleep 0.1; done

start() { curl -sf -X POST "$base/v1/runs" -d "{\"pipeline\": \"$1\"}" | python3 -c 'import sys,json; print(json.load(sys.stdin)["id"])'; }
state() { curl -sf "$base/v1/runs/$1" | python3 -c 'import sys,json; print(json.load(sys.stdin)["state"])'; }
wait_done() { while [ "$(state "$1")" != succeeded ]; do sleep 0.2; done; }

echo "HTTP load: $clients clients, $duration each, while a run executes (kiln serve on loopback, $(nproc) cores)"
printf '%-34s %12s %10s %10s\n' endpoint "requests/s" p50 p99
busy=$(start busy)
sleep 1
for path in "/v1/runs/$busy" "/v1/runs?limit=50" "/runs/$busy"; do
  out=$(wrk -t2 -c"$clients" -d"$duration" --latency "$base$path")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  printf '%-34s %12s %10s %10s %s\n' "GET ${path/$busy/RUN}" "$rps" "$p50" "$p99" "$errors"
done
[ "$(state "$busy")" != failed ] || { echo "the busy run failed" >&2; exit 1; }

per_task() {
  curl -sf "$base/v1/runs/$1" | python3 -c '
import sys, json
from datetime import datetime
d = json.load(sys.stdin)
t = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
print("%.1f" % ((t(d["finished_at"]) - t(d["started_at"])) / len(d["tasks"]) * 1e6))'
}
echo
echo "Engine per-task cost of a 1,002-task no-op run executed by kiln serve (µs/task, from the run document)"
wait_done "$busy"
# The dashboard client starts (and finishes starting Python) before its run does, then gets the run id through a
# pipe: what it measures is a browser's traffic on the run, not an interpreter starting next to the engine.
rounds=5
alones=() opens=()
for round in $(seq $rounds); do
  alone=$(start wide); wait_done "$alone"
  rm -f "$work/run-id"; mkfifo "$work/run-id"
  python3 - "$base" "$work/run-id" <<'PY' &
import sys, json, time, threading, urllib.request
base, pipe = sys.argv[1], sys.argv[2]
with open(pipe) as ids:
    run = ids.readline().strip()
def logs():
    try:
        urllib.request.urlopen(f"{base}/v1/runs/{run}/logs?follow=true", timeout=120).read()
    except Exception:
        pass
threading.Thread(target=logs, daemon=True).start()
urllib.request.urlopen(f"{base}/runs/{run}").read()
while True:
    document = json.load(urllib.request.urlopen(f"{base}/v1/runs/{run}"))
    if document["state"] not in ("queued", "running", "waiting"):
        break
    time.sleep(1.5)
PY
  poller=$!
  sleep 1
  watched=$(start wide)
  echo "$watched" > "$work/run-id"
  wait_done "$watched"
  wait $poller || true
  alones+=("$(per_task "$alone")"); opens+=("$(per_task "$watched")")
  echo "round $round: alone ${alones[-1]} µs/task · dashboard open ${opens[-1]} µs/task"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
echo "median of $rounds rounds: alone $(median "${alones[@]}") µs/task · dashboard open $(median "${opens[@]}") µs/task"
