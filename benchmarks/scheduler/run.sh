#!/usr/bin/env bash
# Trigger → first task latency of `kiln serve`: a metric pushed below a `performance:` threshold wakes the daemon
# (its tick is 1 h, so only the wake-up can start the run), which starts a run of a one-task pipeline. The latency is
# the first task's start minus the pushed sample's timestamp, both recorded by Kiln.
#
#   benchmarks/scheduler/run.sh [--store URL] [--pushes N]
#
# Without --store it uses a fresh SQLite home; `--store "$(scripts/postgres start)"` measures PostgreSQL (a schema
# of its own is used, so the database may hold other data). Needs python3 and a release build (built when missing).
set -euo pipefail
cd "$(dirname "$0")/../.."
store=""
pushes=20
while [ $# -gt 0 ]; do
  case "$1" in
    --store) store="$2"; shift 2 ;;
    --pushes) pushes="$2"; shift 2 ;;
    *) echo "usage: $0 [--store URL] [--pushes N]" >&2; exit 2 ;;
  esac
done
kiln=${KILN:-$PWD/.build/release/kiln}
[ -x "$kiln" ] || swift build -c release --static-swift-stdlib --product kiln
exec python3 benchmarks/scheduler/latency.py --kiln "$kiln" --pushes "$pushes" ${store:+--store "$store"}
