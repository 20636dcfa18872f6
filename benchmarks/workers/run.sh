#!/usr/bin/env bash
# Throughput of remote execution: a 1,000-wide no-op DAG run by `kiln serve --no-local-workers` and 1, 2 and 4
# `kiln worker` processes on PostgreSQL, against the same run executed locally by `kiln run` on SQLite.
#
#   benchmarks/workers/run.sh [--kiln PATH] [--store postgres://…] [--durable] [--width N] [--repeats N]
#                             [--concurrency N]
#
# Without --store it starts a throwaway server with scripts/postgres (KILN_PG_DIR, default /tmp/kiln-pg-bench) and
# stops it at the end: with fsync off (every commit costs CPU only, the worst case for scaling out), or with
# --durable, PostgreSQL's defaults (each commit waits for its WAL to reach the disk, as on a production server).
# Each configuration runs on a new schema. Printed per configuration (median of --repeats): wall time from the run's
# start to its end as the store recorded it, tasks per second, and per task the CPU time (user+sys) of every kiln
# process involved (serve, the workers, the `kiln run --remote` that follows the run) — the figure to trust on a busy
# machine — and of the PostgreSQL server, when the script started it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
kiln="" store="" width=1000 repeats=3 concurrency=16 durable=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kiln) kiln="$2"; shift 2 ;;
    --store) store="$2"; shift 2 ;;
    --durable) durable=1; shift ;;
    --width) width="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --concurrency) concurrency="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$kiln" ]; then
  (cd "$root" && swift build -c release --static-swift-stdlib --product kiln >&2)
  kiln="$root/.build/release/kiln"
fi
started_server=""
if [ -z "$store" ]; then
  export KILN_PG_DIR="${KILN_PG_DIR:-/tmp/kiln-pg-bench}"
  store="$(KILN_PG_DURABLE="$durable" "$root/scripts/postgres" start)"
  started_server=1
fi
work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]:-}"; do [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  if [ -n "$started_server" ]; then "$root/scripts/postgres" stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

python3 - "$width" > "$work/wide.yaml" <<'PY'
import sys
width = int(sys.argv[1])
print("name: wide\ntasks:\n  source: { uses: noop }")
for i in range(width):
    print(f"  t{i}: {{ needs: [source], uses: noop }}")
PY

# CPU ticks (user+sys) of the given pids.
ticks() { local total=0; for pid in "$@"; do read -r -a f < "/proc/$pid/stat"; total=$((total + f[13] + f[14])); done; echo "$total"; }
# CPU ticks of the PostgreSQL server this script started: the postmaster's own and those of the sessions it has reaped,
# plus those of its live sessions (a session that ends between two readings moves from the second sum to the first).
# Empty with --store (the server may be elsewhere).
server_ticks() {
  [ -n "$started_server" ] || return 0
  local postmaster total child
  postmaster="$(head -n 1 "$KILN_PG_DIR/data/postmaster.pid")"
  read -r -a f < "/proc/$postmaster/stat"
  total=$((f[13] + f[14] + f[15] + f[16]))
  for child in $(pgrep -P "$postmaster"); do
    if read -r -a f < "/proc/$child/stat" 2>/dev/null; then total=$((total + f[13] + f[14])); fi
  done
  echo "$total"
}
hz="$(getconf CLK_TCK)"
# Seconds from the run's start to its end, from its run document.
span() { python3 -c '
import json, sys, datetime
d = json.load(sys.stdin)
p = lambda t: datetime.datetime.fromisoformat(t.replace("Z", "+00:00"))
print((p(d["finished_at"]) - p(d["started_at"])).total_seconds())'; }

measure_remote() {
  local workers="$1" url="$2"
  local base="$url"; case "$url" in *\?*) base="$url&" ;; *) base="$url?" ;; esac
  local schema="kiln_bench_$$_$RANDOM"
  local s="${base}search_path=$schema"
  pids=()
  KILN_HOME="$work/home" "$kiln" serve --no-local-workers --http off --tick 1s --log-level error --store "$s" "$work/none" 2>>"$work/serve.log" &
  pids+=($!)
  for i in $(seq "$workers"); do
    KILN_HOME="$work/home" "$kiln" worker --store "$s" --concurrency "$concurrency" --name "w$i" --log-level error 2>>"$work/worker.log" &
    pids+=($!)
  done
  sleep 1
  local before server_before; before="$(ticks "${pids[@]}")"; server_before="$(server_ticks)"
  KILN_HOME="$work/home" /usr/bin/time -f "%U %S" -o "$work/follower.txt" \
    "$kiln" run --remote --json --store "$s" "$work/wide.yaml" 2>/dev/null > "$work/doc.json"
  local after server_after; after="$(ticks "${pids[@]}")"; server_after="$(server_ticks)"
  # The follower (`kiln run --remote`) is a kiln process of the run too.
  local follower; follower="$(python3 -c "import sys; u, s = open(sys.argv[1]).read().split()[-2:]; print(round((float(u) + float(s)) * $hz))" "$work/follower.txt")"
  after=$((after + follower))
  kill -TERM "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  pids=()
  local seconds; seconds="$(span < "$work/doc.json")"
  echo "$seconds $(( after - before )) ${server_after:+$(( server_after - server_before ))}"
}

measure_local() {
  rm -rf "$work/local"
  /usr/bin/time -f "%U %S" -o "$work/time.txt" "$kiln" run --json --parallelism 2 --home "$work/local" "$work/wide.yaml" 2>/dev/null > "$work/doc.json"
  local seconds; seconds="$(span < "$work/doc.json")"
  read -r user sys < "$work/time.txt"
  echo "$seconds $(python3 -c "print(round(($user + $sys) * $hz))")"
}

report() {
  local label="$1"; shift
  python3 - "$label" "$width" "$hz" "$@" <<'PY'
import sys, statistics
label, width, hz = sys.argv[1], int(sys.argv[2]) + 1, int(sys.argv[3])
pairs = [tuple(map(float, a.split())) for a in sys.argv[4:]]
wall = statistics.median(p[0] for p in pairs)
cpu = statistics.median(p[1] for p in pairs) / hz
server = f"{statistics.median(p[2] for p in pairs) / hz / width * 1000:8.2f} ms" if all(len(p) > 2 for p in pairs) else "       -"
print(f"{label:<28} {wall:8.2f} s {width / wall:10.0f} tasks/s {wall / width * 1000:8.2f} ms/task {cpu / width * 1000:8.2f} ms {server}")
PY
}

echo "# $((width + 1)) no-op tasks (1 source + $width wide), median of $repeats; kiln: $kiln"
if [ -n "$started_server" ]; then
  echo "# PostgreSQL: $([ "$durable" = 1 ] && echo "durable (fsync on: each commit waits for the disk)" || echo "fsync off (commits cost CPU only)")"
fi
echo "# configuration                 wall          throughput   wall/task     CPU per task: kiln processes, server"
results=()
for _ in $(seq "$repeats"); do results+=("$(measure_local)"); done
report "local kiln run, SQLite" "${results[@]}"
for workers in 1 2 4; do
  results=()
  for _ in $(seq "$repeats"); do results+=("$(measure_remote "$workers" "$store")"); done
  report "serve + $workers worker(s), PostgreSQL" "${results[@]}"
done
