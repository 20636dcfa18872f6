#!/usr/bin/env bash
# Kiln and the orchestrator peers (Prefect, Dagster, Airflow) on the same no-op workloads, measured in one run,
# printed side by side as ratios.
#
#   benchmarks/peers/run.sh [--peers DIR] [--kiln-bench PATH] [--rounds N] [--workloads "W1 W2 W3 W5"]
#
# The peers' scripts live in ../shared/bench/orchestrators/ (next to this repository; --peers DIR elsewhere). A
# peer runs only when its virtual environment exists there (.venv-prefect, .venv-dagster, .venv-airflow, made by
# that folder's run_all.sh); otherwise it is listed as skipped with the reason. Rounds alternate Kiln and each peer
# so that the load of this shared machine falls on both; the table shows medians over the rounds and the ratio
# peer / Kiln of the time per task.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=$(cd "$ROOT/.." && pwd)/shared/bench/orchestrators
BENCH=""
ROUNDS=3
WORKLOADS="W1 W2 W3 W5"
while [ $# -gt 0 ]; do
  case "$1" in
    --peers) PEERS=$2; shift 2 ;;
    --kiln-bench) BENCH=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --workloads) WORKLOADS=$2; shift 2 ;;
    -h|--help) sed -n 2,10p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "peers: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -z "$BENCH" ]; then
  echo "== building kiln-bench (release)" >&2
  (cd "$ROOT" && swift build -c release --static-swift-stdlib --product kiln-bench >&2) || { echo "peers: the build failed" >&2; exit 1; }
  BENCH="$ROOT/.build/release/kiln-bench"
fi
[ -x "$BENCH" ] || { echo "peers: $BENCH is not an executable (give --kiln-bench PATH)" >&2; exit 2; }

available=""
skipped=""
for peer in prefect dagster airflow; do
  venv="$PEERS/.venv-$peer"
  if [ ! -f "$PEERS/bench_$peer.py" ]; then
    skipped="$skipped\n  $peer: no $PEERS/bench_$peer.py (give the peers' folder with --peers DIR)"
  elif [ ! -x "$venv/bin/python" ]; then
    skipped="$skipped\n  $peer: no virtual environment at $venv (create it with $PEERS/run_all.sh, which installs each peer)"
  elif ! "$venv/bin/python" -c "import $peer" 2>/dev/null; then
    skipped="$skipped\n  $peer: $venv exists but cannot import $peer (reinstall it with $PEERS/run_all.sh)"
  else
    available="$available $peer"
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiln-peers.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
RESULTS="$WORK/results.tsv"   # system workload round seconds_per_task
: > "$RESULTS"

mode_of() { case "$1" in dagster) echo inproc ;; airflow) echo static ;; *) echo "" ;; esac; }

run_kiln() {  # round
  "$BENCH" --repeats 5 --parallelism 2 --json > "$WORK/kiln.json" || { echo "peers: kiln-bench failed" >&2; exit 1; }
  python3 - "$WORK/kiln.json" "$1" "$WORKLOADS" >> "$RESULTS" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
wanted = sys.argv[3].split()
for row in data["workloads"]:
    key = row["name"].split()[0]
    if key in wanted:
        print(f"kiln\t{key}\t{sys.argv[2]}\t{row['us_per_task'] / 1e6}")
PY
}

run_peer() {  # peer workload round
  local peer=$1 workload=$2 round=$3 tmp="$WORK/$1-$2-$3" mode
  mkdir -p "$tmp"
  mode=$(mode_of "$peer")
  local args=("$PEERS/bench_$peer.py" "$workload" --reps 1)
  [ -n "$mode" ] && args+=(--mode "$mode")
  (
    cd "$tmp" || exit 1
    for name in $(env | cut -d= -f1 | grep -E '^(PREFECT_|DAGSTER_|AIRFLOW_)'); do unset "$name"; done
    export BENCH_TMP="$tmp" BENCH_RESULT_FILE="$tmp/result.line"
    export PREFECT_HOME="$tmp/prefect_home" DAGSTER_HOME="$tmp/dagster_home" AIRFLOW_HOME="$tmp/airflow_home"
    export AIRFLOW__CORE__LOAD_EXAMPLES=False
    mkdir -p "$DAGSTER_HOME" "$AIRFLOW_HOME"
    timeout 1800 "$PEERS/.venv-$peer/bin/python" "${args[@]}" > "$tmp/stdout" 2> "$tmp/stderr"
  )
  if [ ! -s "$tmp/result.line" ]; then
    echo "  $peer $workload round $round: no result (see the tail of its stderr below)" >&2
    tail -3 "$tmp/stderr" >&2
    return
  fi
  python3 - "$tmp/result.line" "$peer" "$workload" "$round" >> "$RESULTS" <<'PY'
import json, sys
line = open(sys.argv[1]).read()
result = json.loads(line.split(" ", 1)[1])
runs, tasks = result.get("runs") or [], result.get("n_tasks") or 0
if runs and tasks:
    runs.sort()
    print(f"{sys.argv[2]}\t{sys.argv[3]}\t{sys.argv[4]}\t{runs[len(runs) // 2] / tasks}")
PY
}

echo "peers available:${available:- none}" >&2
for round in $(seq 1 "$ROUNDS"); do
  echo "== round $round/$ROUNDS (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  run_kiln "$round"
  for peer in $available; do
    for workload in $WORKLOADS; do
      run_peer "$peer" "$workload" "$round"
      run_kiln "$round"   # Kiln again between peers' cells: both see the same load
    done
  done
done

python3 - "$RESULTS" "$WORKLOADS" "$available" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
workloads, peers = sys.argv[2].split(), sys.argv[3].split()
times = {}
for system, workload, _, seconds in rows:
    times.setdefault((system, workload), []).append(float(seconds))
def median(system, workload):
    values = times.get((system, workload))
    return statistics.median(values) if values else None
def cell(seconds):
    return "—" if seconds is None else (f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms")
header = ["workload", "kiln / task"] + [f"{p} / task" for p in peers] + [f"{p} ÷ kiln" for p in peers]
print("\t".join(header))
for workload in workloads:
    kiln = median("kiln", workload)
    line = [workload, cell(kiln)] + [cell(median(p, workload)) for p in peers]
    for p in peers:
        other = median(p, workload)
        line.append("—" if other is None or not kiln else f"{other / kiln:,.0f}×")
    print("\t".join(line))
PY
if [ -n "$skipped" ]; then
  printf "skipped:%b\n" "$skipped"
fi
