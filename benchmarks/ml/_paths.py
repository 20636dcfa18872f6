"""Default locations shared by the helper scripts: the shared/ folder beside the repository (or $KILN_SHARED)
and a scratch folder under the temporary directory (nothing is written into shared/, which is read-only)."""
import os
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SHARED = os.environ.get("KILN_SHARED") or os.path.join(os.path.dirname(REPO), "shared")
DATA = os.path.join(SHARED, "data")
# The reference scripts (gen_synth.py, common.py, bench_train.py); run.sh passes a writable copy with --bench.
BENCH = os.path.join(SHARED, "bench", "ml")
TMP = tempfile.gettempdir()
SPLITS = os.path.join(TMP, "kiln-ml-splits")
SYNTH = os.path.join(TMP, "kiln-mlbench")


def use_bench(bench, out):
    """Makes `bench` importable and sends gen_synth.py's .npz cache to `out` (BENCH_OUT), unless already set."""
    import sys
    os.environ.setdefault("BENCH_OUT", out)
    os.makedirs(os.environ["BENCH_OUT"], exist_ok=True)
    sys.path.insert(0, bench)
