#!/usr/bin/env bash
# Kiln's ML benchmarks side by side with the references (xgboost hist, LightGBM, scipy, pandas), printed as one table.
#
#   benchmarks/ml/run.sh [--quick] [--reps N] [--splits N] [--no-profile]
#
#   --quick       one repetition, no 1-thread runs, 3 accuracy splits
#   --reps N      repetitions of the 1M×30 fit and drift runs (default 3; medians reported)
#   --splits N    stratified splits of the mean-AUC comparison on adult and telco (default 10)
#   --no-profile  skip `kiln data profile` peak RSS (it builds the kiln product in release mode)
#
# Environment: KILN_SHARED (default <repo>/../shared: data/ and bench/ml/), PYTHON (default python3),
# KILN_BIN (a kiln executable for the data profile row; default: build the kiln product in release mode).
# Builds kiln-ml-bench (release), copies shared/bench/ml to a temporary folder (shared/ stays untouched),
# exports the split indices and synthetic tables with the Python helpers, then runs Kiln and the reference
# alternately with the same thread count. Without numpy/scipy/scikit-learn/xgboost/pandas only Kiln's side runs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/benchmarks/ml"
QUICK=0
REPS=3
SPLIT_COUNT=10
PROFILE=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1; REPS=1; SPLIT_COUNT=3 ;;
    --reps) REPS=${2:?--reps needs a number}; shift ;;
    --splits) SPLIT_COUNT=${2:?--splits needs a number}; shift ;;
    --no-profile) PROFILE=0 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

SHARED=${KILN_SHARED:-$ROOT/../shared}
if [ ! -d "$SHARED/data" ] || [ ! -d "$SHARED/bench/ml" ]; then
  echo "run.sh: $SHARED has no data/ and bench/ml/; set KILN_SHARED to the shared folder" >&2
  exit 1
fi
SHARED=$(cd "$SHARED" && pwd)
PYTHON=${PYTHON:-python3}
THREADS=2

say() { printf '\n== %s\n' "$*" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime | sed 's/.*average[s]*: //'; }
LOAD_START=$(loadavg)

say "building kiln-ml-bench (release)"
cd "$ROOT"
swift build -c release --static-swift-stdlib --product kiln-ml-bench
BIN="$(swift build -c release --show-bin-path)/kiln-ml-bench"
if [ "$PROFILE" = 1 ] && [ -n "${KILN_BIN:-}" ]; then
  KILN=$KILN_BIN
elif [ "$PROFILE" = 1 ]; then
  say "building kiln (release) for the data profile row"
  swift build -c release --static-swift-stdlib --product kiln
  KILN="$(swift build -c release --show-bin-path)/kiln"
fi
START_SECONDS=$SECONDS

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiln-mlbench-run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cp -R "$SHARED/bench/ml" "$WORK/bench"
chmod -R u+w "$WORK/bench"
RES="$WORK/results"
SYNTH="$WORK/synth"
SPLITS="$WORK/splits"
mkdir -p "$RES" "$SYNTH" "$SPLITS"
export BENCH_OUT="$SYNTH"   # gen_synth.py's .npz cache
export PYTHONDONTWRITEBYTECODE=1

NOTES=()
note() { echo "$*" >&2; NOTES+=("$*"); }
py_has() { command -v "$PYTHON" >/dev/null 2>&1 && "$PYTHON" -c "import $1" >/dev/null 2>&1; }
HAVE_REF=0
if py_has "numpy, scipy, sklearn, xgboost, pandas" && py_has "psutil, threadpoolctl"; then HAVE_REF=1; fi
HAVE_LGBM=0
if [ "$HAVE_REF" = 1 ] && py_has lightgbm; then HAVE_LGBM=1; fi
REQS="$SHARED/bench/ml/requirements.txt"
if [ "$HAVE_REF" = 0 ]; then
  echo "reference not available: pip install -r $REQS (numpy, scipy, scikit-learn, xgboost, pandas, psutil, threadpoolctl); running Kiln's side only" >&2
elif [ "$HAVE_LGBM" = 0 ]; then
  note "LightGBM not installed (pip install -r $REQS): its column stays empty"
fi

# Accuracy: split indices (and xgboost's figures on the same split).
ACCURACY=0
if py_has "numpy, pandas, sklearn"; then
  say "exporting split indices"
  xgb=()
  [ "$HAVE_REF" = 1 ] && xgb=(--xgb --bench "$WORK/bench" --threads "$THREADS")
  if "$PYTHON" "$HERE/export_splits.py" --data "$SHARED/data" --out "$SPLITS" --split-count "$SPLIT_COUNT" "${xgb[@]}" \
      --json "$RES/ref_accuracy.json" >&2; then
    ACCURACY=1
  else
    note "export_splits.py failed: accuracy skipped"
  fi
else
  note "accuracy skipped: benchmarks/ml/export_splits.py (the split indices) needs numpy, pandas and scikit-learn"
fi
if [ "$ACCURACY" = 1 ]; then
  say "kiln-ml-bench accuracy"
  "$BIN" accuracy --data "$SHARED/data" --splits "$SPLITS" --threads "$THREADS" --split-count "$SPLIT_COUNT" \
    --json > "$RES/kiln_accuracy.json"
fi

# 1,000,000 × 30 tables.
SYNTHETIC=0
if py_has numpy; then
  say "exporting the 1,000,000 × 30 synthetic tables"
  if "$PYTHON" "$HERE/export_synth.py" --bench "$WORK/bench" --out "$SYNTH" >&2; then SYNTHETIC=1; fi
fi
[ "$SYNTHETIC" = 1 ] || note "fit / predict / drift skipped: benchmarks/ml/export_synth.py (the synthetic tables) needs numpy"

kiln_big() { # threads rep
  "$BIN" big --synth "$SYNTH" --threads "$1" --json > "$RES/kiln_big_t$1_r$2.json"
}
peer_big() { # kind file-prefix threads rep — bench_big.py's fresh child process: load, fit, predict, one JSON line
  local out
  if out=$(cd "$WORK/bench" && "$PYTHON" bench_big.py --child "$1" --threads "$3"); then
    printf '%s\n' "$out" | tail -n 1 > "$RES/$2_big_t$3_r$4.json"
    printf '%s\n' "$out" >&2
  else
    note "bench_big.py ($1, $3 threads) failed"
  fi
}
ref_big() { # threads rep: xgboost, then LightGBM (the order flips with the repetition)
  if [ "$HAVE_LGBM" = 1 ] && [ $(($2 % 2)) = 0 ]; then peer_big lgbm lgbm "$@"; fi
  peer_big xgb ref "$@"
  if [ "$HAVE_LGBM" = 1 ] && [ $(($2 % 2)) = 1 ]; then peer_big lgbm lgbm "$@"; fi
}
kiln_drift() { "$BIN" drift --synth "$SYNTH" --json > "$RES/kiln_drift_r$1.json"; }
ref_drift() {
  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
    "$PYTHON" "$HERE/bench_drift_scipy.py" --bench "$WORK/bench" --out "$SYNTH" --json "$RES/ref_drift_r$1.json" >&2 \
    || note "bench_drift_scipy.py failed"
}
# Kiln and the reference alternate, and which goes first alternates with the repetition.
pair() { # kiln-function ref-function args...
  local k=$1 r=$2 rep=${*: -1}; shift 2
  if [ "$HAVE_REF" = 1 ] && [ $((rep % 2)) = 0 ]; then "$r" "$@"; "$k" "$@"; return; fi
  "$k" "$@"
  if [ "$HAVE_REF" = 1 ]; then "$r" "$@"; fi
}

if [ "$SYNTHETIC" = 1 ]; then
  plan=("$THREADS")
  [ "$QUICK" = 1 ] || plan+=(1)
  for th in "${plan[@]}"; do
    for rep in $(seq 1 "$REPS"); do
      say "1M×30 fit + predict, $th thread(s), repetition $rep of $REPS"
      pair kiln_big ref_big "$th" "$rep"
    done
  done
  for rep in $(seq 1 "$REPS"); do
    say "drift statistics 1M×30, repetition $rep of $REPS"
    pair kiln_drift ref_drift "$rep"
  done
fi

# CSV → frame: Kiln's reader (what extract-csv reads with) and pandas.read_csv on the same 327,000-row file (the
# fraud-detection example's generator, 19 MB, 12 columns of ints, doubles, booleans and text).
CSVFILE="$WORK/transactions-327k.csv"
"$PYTHON" "$ROOT/examples/fraud-detection/data/generate.py" --rows 327000 --seed 7 > "$CSVFILE"
kiln_csv() { "$BIN" csv --file "$CSVFILE" --reps 5 --json > "$RES/kiln_csv_r$1.json"; }
ref_csv() {
  "$PYTHON" - "$CSVFILE" > "$RES/ref_csv_r$1.json" <<'PY' || note "pandas.read_csv failed"
import json, sys, time
import pandas
times = []
for _ in range(5):
    start = time.perf_counter()
    frame = pandas.read_csv(sys.argv[1])
    times.append(time.perf_counter() - start)
times.sort()
print(json.dumps({"csv_rows": len(frame), "csv_read_best_s": times[0], "csv_read_median_s": times[2]}))
PY
}
if py_has pandas; then
  for rep in $(seq 1 "$REPS"); do
    say "CSV → frame, 327,000 rows, repetition $rep of $REPS"
    pair kiln_csv ref_csv "$rep"
  done
else
  note "CSV row skipped on the pandas side: pandas is not installed"
  kiln_csv 1
fi

# `kiln data profile` of the same file: peak RSS of the whole process (GNU time's maximum resident set size).
if [ "$PROFILE" = 1 ]; then
  say "kiln data profile, peak RSS"
  for rep in $(seq 1 "$REPS"); do
    if /usr/bin/time -f '%M' -o "$WORK/profile_rss.txt" "$KILN" data profile "$CSVFILE" > /dev/null; then
      printf '{"profile_peak_rss_kib": %s, "csv_bytes": %s}\n' "$(tail -n 1 "$WORK/profile_rss.txt")" \
        "$(wc -c < "$CSVFILE")" > "$RES/kiln_profile_r$rep.json"
    else
      note "kiln data profile failed (or /usr/bin/time is missing)"
      break
    fi
  done
fi

LOAD_END=$(loadavg)
mode="repetitions $REPS"
[ "$QUICK" = 1 ] && mode="--quick: 1 repetition, no 1-thread runs"
reference="none"
if [ "$HAVE_REF" = 1 ]; then
  reference=$("$PYTHON" -c 'import xgboost, scipy, pandas; print(f"xgboost {xgboost.__version__} hist / scipy {scipy.__version__} / pandas {pandas.__version__}")')
fi
lightgbm="none"
[ "$HAVE_LGBM" = 1 ] && lightgbm=$("$PYTHON" -c 'import lightgbm; print(f"LightGBM {lightgbm.__version__}")')
cat > "$RES/meta.json" <<JSON
{"load_start": "$LOAD_START", "load_end": "$LOAD_END", "nproc": "$(nproc 2>/dev/null || echo '?')", "mode": "$mode", "reference": "$reference", "lightgbm": "$lightgbm", "seconds": $((SECONDS - START_SECONDS))}
JSON

say "results"
if command -v "$PYTHON" >/dev/null 2>&1; then
  "$PYTHON" "$HERE/report.py" "$RES"
else
  for f in "$RES"/*.json; do echo "$(basename "$f"): $(cat "$f")"; done
fi
if [ ${#NOTES[@]} -gt 0 ]; then
  echo
  printf '%s\n' "${NOTES[@]}"
fi
if [ "$HAVE_REF" = 0 ]; then
  echo
  echo "reference not available: pip install -r $REQS"
fi
