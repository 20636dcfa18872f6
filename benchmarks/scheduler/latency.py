"""Trigger → first task latency of `kiln serve` (see run.sh)."""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time, uuid
from datetime import datetime

parser = argparse.ArgumentParser()
parser.add_argument("--kiln", required=True)
parser.add_argument("--store")
parser.add_argument("--pushes", type=int, default=20)
args = parser.parse_args()

work = tempfile.mkdtemp(prefix="kiln-trigger-latency-")
env = dict(os.environ, KILN_HOME=os.path.join(work, "home"))
if args.store:
    schema = "kiln_bench_" + uuid.uuid4().hex
    env["KILN_STORE"] = args.store + ("&" if "?" in args.store else "?") + "search_path=" + schema
else:
    env.pop("KILN_STORE", None)


def kiln(*arguments, check=True):
    result = subprocess.run([args.kiln, *arguments], env=env, cwd=work, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit(f"kiln {' '.join(arguments)} failed ({result.returncode}): {result.stderr}")
    return result


def parse_time(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


serve = None
try:
    # A model in production: the example training pipeline registers and deploys one.
    example = os.path.join(work, "fraud-detection")
    shutil.copytree("examples/fraud-detection", example)
    kiln("run", os.path.join(example, "pipeline.yaml"))
    with open(os.path.join(work, "watch.yaml"), "w") as f:
        f.write("name: watch\ntriggers:\n  performance: { model: fraud-detection, metric: probe, below: 0.5, window: 1h }\n"
                "tasks:\n  first: { uses: noop }\n")
    log = open(os.path.join(work, "serve.log"), "w+")
    serve = subprocess.Popen([args.kiln, "serve", "watch.yaml", "--tick", "1h", "--log-level", "debug"],
                             env=env, cwd=work, stderr=log, stdout=subprocess.DEVNULL)
    deadline = time.time() + 60
    while "Triggers evaluated" not in open(log.name).read():
        if time.time() > deadline or serve.poll() is not None:
            sys.exit("kiln serve did not evaluate its triggers: " + open(log.name).read())
        time.sleep(0.05)

    latencies = []
    for index in range(args.pushes):
        pushed = kiln("metrics", "push", "fraud-detection", "probe=0.1").stdout.strip()
        at = parse_time(pushed.rsplit(" at ", 1)[1])
        deadline = time.time() + 30
        while True:
            runs = [r for r in json.loads(kiln("runs", "--json").stdout) if r.get("pipeline") == "watch"]
            if len(runs) > index and runs[0]["state"] in ("succeeded", "failed"):
                break
            if time.time() > deadline:
                sys.exit(f"push {index + 1}: no run finished within 30 s; serve's log:\n" + open(log.name).read()[-3000:])
            time.sleep(0.02)
        document = json.loads(kiln("show", runs[0]["id"], "--json").stdout)
        started = min(parse_time(t["started_at"]) for t in document["tasks"].values() if t.get("started_at"))
        latencies.append((started - at) * 1000)

    latencies.sort()
    store = "PostgreSQL" if args.store else "SQLite"
    print(f"trigger → first task ({store}, {len(latencies)} metric pushes, tick 1 h): "
          f"median {statistics.median(latencies):.1f} ms, min {latencies[0]:.1f} ms, "
          f"p90 {latencies[int(0.9 * (len(latencies) - 1))]:.1f} ms, max {latencies[-1]:.1f} ms")
finally:
    if serve is not None and serve.poll() is None:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
    shutil.rmtree(work, ignore_errors=True)
