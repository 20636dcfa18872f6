#!/usr/bin/env bash
# Kiln's crash campaign: kill -9 Kiln at random moments and check that recovery neither loses nor repeats work.
#
#   benchmarks/crash/run.sh [--kiln PATH] [--iterations N] [--seed S] [--keep] [--only I] [--scenarios ABC]
#                           [--durations A=X,A+hook=Y,B=Z]
#
#   --kiln PATH      the kiln binary (default: build it with swift build -c release --static-swift-stdlib --product kiln)
#   --iterations N   iterations (default 100): C at 3, 53, …; B every 5th; W at 2, 7, 12, …; A (every other one with
#                    an on_deploy hook)
#   --seed S         seed of the kill moments (default: from the clock, printed); with --only I replays iteration I
#   --keep           keep every iteration's temporary folder (failed iterations' folders are always kept)
#   --scenarios XY   only these scenarios (A, B, C, W)
#   --durations ...  typical durations to use instead of measuring them (the failure report prints them for replays)
#
# A: kiln run of a copy of examples/fraud-detection, SIGKILL at a uniform random moment of its typical duration,
#    then kiln resume until it succeeds. B: the same under kiln serve (a trigger that fires at once), SIGKILL serve,
#    start serve again. W: B with serve --no-local-workers and two kiln worker processes, serve killed or stopped
#    (SIGTERM, 50 ms grace) mid-run; no task may run twice on the workers. C: while kiln run executes a long command, two kiln resume and a kiln serve must leave the
#    run (exit 3 naming the owner); after kill -9 of kiln run, of two resumes and a serve started at once exactly one
#    executes the rest. Each iteration checks: the run succeeds; tasks done before the kill keep their attempts and
#    outputs; one registered version per run; production alias = exported file (SHA-256 of the artifact); no process
#    with KILN_RUN_ID=<run> left, no *.kiln-staged/-backup/-previous-* file, no deployment intent.
# Prints per-failure details, then "N/N recovered, R re-executions, O orphans, M mismatches"; exit 1 when any is bad.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/benchmarks/crash"
KILN=""
PASS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --kiln) KILN=${2:?--kiln needs a path}; shift ;;
    --iterations|--seed|--only|--scenarios|--durations) PASS+=("$1" "${2:?$1 needs a value}"); shift ;;
    --keep) PASS+=("$1") ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

command -v python3 >/dev/null || { echo "run.sh: python3 is needed" >&2; exit 1; }
if [ -z "$KILN" ]; then
  echo "run.sh: building kiln (release)" >&2
  (cd "$ROOT" && swift build -c release --static-swift-stdlib --product kiln >&2)
  KILN="$(cd "$ROOT" && swift build -c release --show-bin-path)/kiln"
fi
[ -x "$KILN" ] || { echo "run.sh: $KILN is not an executable" >&2; exit 1; }

export PYTHONDONTWRITEBYTECODE=1
exec python3 "$HERE/campaign.py" --kiln "$KILN" ${PASS[@]+"${PASS[@]}"}
