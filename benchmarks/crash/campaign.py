#!/usr/bin/env python3
"""Kiln's crash campaign: kill -9 at random moments, recover, and check that nothing ran twice or was lost.

Run through benchmarks/crash/run.sh (which builds kiln when --kiln is not given). Every iteration works in its own
temporary folder with its own home; nothing is written to the repository.

Scenarios
  A       kiln run examples/fraud-detection (a copy), SIGKILL at a random moment, kiln resume until it succeeds.
  A+hook  the same with an on_deploy hook (fixtures/side_effect.py, 2 s) added to the deploy task.
  B       kiln serve on a copy with a trigger that fires at once (every: 1s, cooldown: 1h), SIGKILL serve while the
          triggered run goes on, start kiln serve again, wait for the run, stop serve with SIGTERM.
  C       kiln run of fixtures/lease.yaml (an 8 s command); while it runs, two kiln resume and a kiln serve must all
          leave it (resume exits 3 naming the owner); then kill -9 the kiln run and start two kiln resume and a
          kiln serve at once: exactly one of them executes the rest of the run.
  W       B with `serve --no-local-workers` and two `kiln worker` processes: serve is killed (odd iterations) or
          stopped with SIGTERM and a 50 ms grace (even ones) while the workers go on, then started again; no task
          may run twice on the workers (their debug logs list every attempt that ended): the next serve adopts what
          they were running.

Checks (each iteration)
  1 recovered    the run ends succeeded.
  2 re-execution a task that was succeeded/cached/skipped right after the kill has the same attempts and outputs at
                 the end; the hook / command of C did not run twice at the same time or more often than expected.
  3 mismatch     exactly one registered version of the model has this run as its lineage run; the production alias
                 points at it; the exported file's bytes are its artifact's (SHA-256); the hook saw that file.
  4 orphan       no process with KILN_RUN_ID=<run> in its environment is alive at the end; no *.kiln-staged,
                 *.kiln-backup or *.kiln-previous-* file beside the export; no deployment intent left in kiln.db.
"""
import argparse
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
EXAMPLE = ROOT / "examples" / "fraud-detection"
FIXTURES = HERE / "fixtures"
MODEL = "fraud-detection"
EXPORT = Path("build/serving/fraud-detection.json")  # relative to the pipeline's folder
HOOK_SECONDS = "2"
KEPT_STATES = ("succeeded", "cached", "skipped")


class Iteration:
    """One iteration's folder, processes and findings."""

    def __init__(self, number, scenario, seed, folder):
        self.number = number
        self.scenario = scenario
        self.seed = seed
        self.folder = folder
        self.recovered = False
        self.reexecutions = 0
        self.orphans = 0
        self.mismatches = 0
        self.problems = []  # (category, text)
        self.notes = []
        self.processes = []  # Popen objects started by this iteration
        self.run_id = None
        self.kill_point = None
        self.log_count = 0

    def problem(self, category, text):
        self.problems.append((category, text))
        if category == "re-execution":
            self.reexecutions += 1
        elif category == "orphan":
            self.orphans += 1
        elif category == "mismatch":
            self.mismatches += 1
        elif category != "not recovered":
            raise ValueError(category)

    @property
    def failed(self):
        return bool(self.problems) or not self.recovered


class Kiln:
    def __init__(self, binary, home, cwd):
        self.binary = str(binary)
        self.home = str(home)
        self.cwd = str(cwd)

    def call(self, *args, timeout=120, home=True):
        argv = [self.binary, *args] + (["--home", self.home] if home else [])
        try:
            done = subprocess.run(argv, cwd=self.cwd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as error:
            return 124, error.stdout or "", f"timed out after {timeout} s: {' '.join(argv)}"
        return done.returncode, done.stdout, done.stderr

    def json(self, *args, timeout=120):
        rc, out, err = self.call(*args, "--json", timeout=timeout)
        if rc not in (0, 1, 130):
            raise RuntimeError(f"kiln {' '.join(args)} --json exited {rc}: {err.strip()[-400:]}")
        try:
            return json.loads(out)
        except ValueError as error:
            raise RuntimeError(f"kiln {' '.join(args)} --json printed no JSON ({error}): {out[:200]!r} {err[-300:]!r}")

    def runs(self):
        return self.json("runs", "--limit", "100")

    def show(self, run):
        return self.json("show", run)

    def start(self, it, name, *args):
        """Starts `kiln ARGS --home H` in the background, output to FOLDER/NAME.log."""
        it.log_count += 1
        log = open(Path(it.folder) / f"{it.log_count:02d}-{name}.log", "w")
        process = subprocess.Popen(
            [self.binary, *args, "--home", self.home], cwd=self.cwd, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        process.log_path = log.name
        process.name = name
        log.close()
        it.processes.append(process)
        return process


def read_log(process):
    try:
        return Path(process.log_path).read_text(errors="replace")
    except OSError:
        return ""


def kill9(process):
    """SIGKILL one process (by its id) and reap it, so its pid is gone rather than a zombie."""
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()


def processes_of_run(run_id):
    """Live processes whose environment has KILN_RUN_ID=run_id: [(pid, command line)]."""
    if not run_id:
        return []
    found = []
    needle = f"KILN_RUN_ID={run_id}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
            if needle not in environ:
                continue
            with open(f"/proc/{entry}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        found.append((int(entry), command))
    return found


def leftovers(export_path):
    folder = export_path.parent
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir()
                  if p.name.endswith(".kiln-staged") or p.name.endswith(".kiln-backup") or ".kiln-previous-" in p.name)


def intents(home):
    db = Path(home) / "kiln.db"
    if not db.exists():
        return []
    try:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            return connection.execute(
                "SELECT id, model, alias, to_version, state, owner_pid FROM deployment_intents").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        return [("?", "could not read deployment_intents", str(error))]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def jsonl(path):
    records = []
    if Path(path).exists():
        for line in Path(path).read_text().splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                pass
    return records


def running_tasks(document):
    if not document:
        return []
    return sorted(t for t, r in document.get("tasks", {}).items() if r.get("state") in ("running", "waiting"))


def wait_for(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


# --- preparing pipelines -----------------------------------------------------------------------------------------

def copy_example(folder, hook=False, trigger=False):
    target = Path(folder) / "pipeline"
    shutil.copytree(EXAMPLE, target)
    text = (target / "pipeline.yaml").read_text()
    if hook:
        shutil.copy(FIXTURES / "side_effect.py", target / "side_effect.py")
        anchor = "      export_to: build/serving/fraud-detection.json\n"
        assert anchor in text, "the example's deploy task no longer has the expected export_to line"
        text = text.replace(anchor, anchor + f'      on_deploy: [python3, side_effect.py, hook.jsonl, "{HOOK_SECONDS}"]\n')
    if trigger:
        # The example's own triggers (monitoring rules) give way to one that fires at once.
        text = drop_top_level_block(text, "triggers:") + "\ntriggers:\n  every: 1s\n  cooldown: 1h\n"
    (target / "pipeline.yaml").write_text(text)
    return target


def drop_top_level_block(text, key):
    """`text` without the top-level block that starts with the line `key` (its indented and blank lines)."""
    lines = text.splitlines(keepends=True)
    kept, inside = [], False
    for line in lines:
        if line.rstrip("\n") == key:
            inside = True
            continue
        if inside and (line.startswith((" ", "\t")) or not line.strip()):
            continue
        inside = False
        kept.append(line)
    return "".join(kept)


# --- checks ------------------------------------------------------------------------------------------------------

def check_kept_tasks(it, before, after):
    """Check 2: tasks kept at the kill have the same attempts and outputs at the end."""
    if not before:
        return
    for task, record in sorted(before.get("tasks", {}).items()):
        if record.get("state") not in KEPT_STATES:
            continue
        now = after.get("tasks", {}).get(task, {})
        differences = []
        for key in ("state", "attempts", "outputs"):
            if record.get(key) != now.get(key):
                differences.append(f"{key} {json.dumps(record.get(key))[:160]} -> {json.dumps(now.get(key))[:160]}")
        if differences:
            it.problem("re-execution", f"task '{task}' was {record.get('state')} at the kill but changed: "
                       + "; ".join(differences))


def check_registry_and_export(it, kiln, run_id, pipeline_folder, hook_log=None):
    """Check 3 and 4's file part: one version per run, production = that version, file bytes = its artifact."""
    rc, out, err = kiln.call("models", "show", MODEL, "--json")
    if rc != 0:
        it.problem("mismatch", f"kiln models show {MODEL} --json exited {rc}: {err.strip()[-300:]}")
        return
    model = json.loads(out)
    versions = model.get("versions", [])
    mine = [v for v in versions if v.get("run") == run_id]
    if len(mine) != 1:
        it.problem("mismatch", f"{len(mine)} registered versions have run {run_id} as lineage "
                   f"(versions {[v.get('version') for v in mine]}); expected exactly 1")
    production = model.get("aliases", {}).get("production")
    export = Path(pipeline_folder) / EXPORT
    by_number = {v.get("version"): v for v in versions}
    if production is None:
        it.problem("mismatch", f"no production alias after the run (aliases {model.get('aliases')}); "
                   f"the example's gate deploys on a fresh home")
    else:
        if len(mine) == 1 and production != mine[0].get("version"):
            it.problem("mismatch", f"production is version {production}, but this run registered version "
                       f"{mine[0].get('version')}")
        artifact = by_number.get(production, {}).get("artifact", "")
        if not export.exists():
            it.problem("mismatch", f"production is version {production} but {export} does not exist")
        else:
            digest = sha256(export)
            if "sha256:" + digest != artifact:
                it.problem("mismatch", f"{export} has sha256:{digest[:16]}…, production version {production}'s "
                           f"artifact is {artifact[:23]}…")
            stored = Path(kiln.home) / "artifacts" / "sha256" / artifact[7:9] / artifact[9:]
            if stored.exists() and stored.read_bytes() != export.read_bytes():
                it.problem("mismatch", f"{export} differs from the artifact file {stored}")
    history = model.get("alias_history", [])
    moves = [h for h in history if h.get("alias") == "production"]
    if len(moves) != 1:
        it.notes.append(f"production moved {len(moves)} times: {moves}")
    if hook_log is not None:
        records = jsonl(hook_log)
        starts = [r for r in records if r.get("event") == "start"]
        it.notes.append(f"on_deploy ran {len(starts)} time(s)")
        for record in starts:
            version = by_number.get(int(record["version"])) if record.get("version") else None
            if version and record.get("digest") != version.get("artifact", "")[7:]:
                it.problem("mismatch", f"the on_deploy hook (pid {record['pid']}) saw {record.get('digest')} at "
                           f"KILN_MODEL_PATH, not version {record['version']}'s artifact {version.get('artifact')}")
            if record.get("alive"):
                it.problem("orphan", f"the on_deploy hook started (pid {record['pid']}, attempt {record.get('attempt')}) "
                           f"while an earlier on_deploy hook of the same run still ran: pids {record['alive']} "
                           f"(left behind by the killed process and not stopped before the deploy task ran again)")
            end = next((r for r in records if r.get("event") == "end" and r.get("pid") == record["pid"]), None)
            if end and "digest" in end and end["digest"] != record.get("digest"):
                it.notes.append(f"the file at KILN_MODEL_PATH changed under the hook pid {record['pid']} while it ran: "
                                f"{(record.get('digest') or 'none')[:12]} at its start, {(end['digest'] or 'missing')[:12]} "
                                f"at its end")
        if not starts:
            it.problem("mismatch", "the on_deploy hook never ran although the run deployed")


def check_leftovers(it, kiln, run_id, pipeline_folder):
    """Check 5: no process of the run alive, no leftover deployment files, no deployment intent."""
    alive = processes_of_run(run_id)
    if alive:
        time.sleep(0.5)  # a process may be exiting right now
        alive = processes_of_run(run_id)
    for pid, command in alive:
        it.problem("orphan", f"process {pid} ({command}) with KILN_RUN_ID={run_id} is alive after recovery")
        try:
            os.kill(pid, signal.SIGKILL)  # a descendant of a process this campaign started
        except OSError:
            pass
    if pipeline_folder is not None:
        for name in leftovers(Path(pipeline_folder) / EXPORT):
            it.problem("orphan", f"leftover file {Path(pipeline_folder) / EXPORT.parent / name}")
    for row in intents(kiln.home):
        it.problem("orphan", f"deployment intent left in kiln.db: {row}")


def check_final_state(it, after):
    state = after.get("state") if after else None
    if state == "succeeded":
        it.recovered = True
    else:
        tasks = {t: r.get("state") for t, r in (after or {}).get("tasks", {}).items()}
        it.problem("not recovered", f"run {it.run_id} ended {state}: error {after.get('error') if after else None!r}; "
                   f"tasks {tasks}")


# --- scenario A --------------------------------------------------------------------------------------------------

def resume_until_done(it, kiln, run_id, attempts=4):
    document = kiln.show(run_id)
    for attempt in range(1, attempts + 1):
        if document.get("state") == "succeeded":
            return document
        rc, out, err = kiln.call("resume", run_id, timeout=300)
        (Path(it.folder) / f"resume-{attempt}.log").write_text(out + err)
        recovered_lines = [l for l in err.splitlines() if "recovered:" in l]
        if recovered_lines:
            it.notes.append(f"resume {attempt}: " + " | ".join(recovered_lines)[:400])
        if rc != 0:
            it.notes.append(f"kiln resume {run_id} (attempt {attempt}) exited {rc}: {err.strip().splitlines()[-1:] }")
            if rc == 3:
                time.sleep(1)
        document = kiln.show(run_id)
    return document


def scenario_a(it, ctx, rng, hook):
    pipeline = copy_example(it.folder, hook=hook)
    kiln = Kiln(ctx.kiln, Path(it.folder) / "home", it.folder)
    duration = ctx.durations["A+hook" if hook else "A"]
    delay = rng.uniform(0, duration)
    it.notes.append(f"kill after {delay:.3f} s of a typical {duration:.2f} s")
    process = kiln.start(it, "run", "run", str(pipeline / "pipeline.yaml"))
    try:
        process.wait(timeout=delay)
        it.kill_point = "after the end"
        it.notes.append(f"kiln run had already exited ({process.returncode}) at the kill time")
    except subprocess.TimeoutExpired:
        kill9(process)
    runs = kiln.runs()
    if not runs:
        it.kill_point = "before the run was stored"
        it.notes.append("killed before the run was stored; starting kiln run again")
        rc, out, err = kiln.call("run", str(pipeline / "pipeline.yaml"), timeout=300)
        (Path(it.folder) / "rerun.log").write_text(out + err)
        runs = kiln.runs()
        if not runs:
            it.problem("not recovered", f"no run after a second kiln run (exit {rc}): {err.strip()[-300:]}")
            return
    if len(runs) != 1:
        it.problem("mismatch", f"{len(runs)} runs in a home where one kiln run ran: {[r['id'] for r in runs]}")
    it.run_id = runs[0]["id"]
    before = kiln.show(it.run_id)
    (Path(it.folder) / "before.json").write_text(json.dumps(before, indent=1))
    if it.kill_point is None:
        it.kill_point = ",".join(running_tasks(before)) or f"between tasks ({before.get('state')})"
    at_kill = processes_of_run(it.run_id)
    if at_kill:
        it.notes.append(f"left running by the kill: {at_kill}")
    after = resume_until_done(it, kiln, it.run_id)
    (Path(it.folder) / "after.json").write_text(json.dumps(after, indent=1))
    check_final_state(it, after)
    check_kept_tasks(it, before, after)
    check_registry_and_export(it, kiln, it.run_id, pipeline, hook_log=(pipeline / "hook.jsonl") if hook else None)
    check_leftovers(it, kiln, it.run_id, pipeline)


# --- scenario B --------------------------------------------------------------------------------------------------

def first_run(kiln):
    try:
        runs = kiln.runs()
    except RuntimeError:
        return None
    return runs[-1] if runs else None


def stop_serve(it, process, name):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            kill9(process)
            it.problem("mismatch", f"{name} did not stop within 90 s of SIGTERM; killed")
            return
    if process.returncode != 0:
        it.problem("mismatch", f"{name} exited {process.returncode} after SIGTERM (expected 0): "
                   f"{read_log(process).strip()[-300:]}")


def triggered_run(it, kiln, serve):
    """The run serve's trigger launched (its id noted), or None (a problem noted) when none came within 60 s."""
    run = wait_for(lambda: first_run(kiln), 60)
    if not run:
        kill9(serve)
        it.problem("not recovered", f"kiln serve launched no run within 60 s: {read_log(serve).strip()[-400:]}")
        return None
    it.run_id = run["id"]
    return run


def interrupt_serve(it, serve, delay, stop):
    """After `delay` s, SIGKILL serve, or (stop = "SIGTERM") stop it and wait for it to exit."""
    try:
        serve.wait(timeout=delay)
        it.problem("mismatch", f"kiln serve exited by itself ({serve.returncode}): {read_log(serve).strip()[-300:]}")
    except subprocess.TimeoutExpired:
        if stop == "SIGKILL":
            kill9(serve)
        else:
            stop_serve(it, serve, "kiln serve")


def run_at_kill(it, kiln):
    """The run's document right after the kill (kept as before.json), and what was running then."""
    before = kiln.show(it.run_id)
    (Path(it.folder) / "before.json").write_text(json.dumps(before, indent=1))
    it.kill_point = ",".join(running_tasks(before)) or f"between tasks ({before.get('state')})"
    if before.get("state") == "succeeded":
        it.kill_point = "after the end"
    return before


def scenario_b(it, ctx, rng):
    pipeline = copy_example(it.folder, trigger=True)
    kiln = Kiln(ctx.kiln, Path(it.folder) / "home", it.folder)
    duration = ctx.durations["B"]
    delay = rng.uniform(0, duration)
    serve = kiln.start(it, "serve", "serve", str(pipeline / "pipeline.yaml"), "--tick", "200ms", "--grace", "60s")
    if not triggered_run(it, kiln, serve):
        return
    it.notes.append(f"kill serve {delay:.3f} s after the run appeared (typical run {duration:.2f} s)")
    interrupt_serve(it, serve, delay, "SIGKILL")
    before = run_at_kill(it, kiln)
    serve2 = kiln.start(it, "serve-again", "serve", str(pipeline / "pipeline.yaml"), "--tick", "200ms")
    after = wait_for(lambda: (lambda d: d if d.get("state") == "succeeded" else None)(kiln.show(it.run_id)), 240, 0.3)
    time.sleep(0.5)  # a second run, if any, would be launched within a few ticks
    stop_serve(it, serve2, "the restarted kiln serve")
    after = kiln.show(it.run_id)
    (Path(it.folder) / "after.json").write_text(json.dumps(after, indent=1))
    recovered = [l for l in read_log(serve2).splitlines() if "recovered" in l]
    if recovered:
        it.notes.append("serve: " + " | ".join(recovered)[:400])
    runs = kiln.runs()
    if len(runs) != 1:
        it.problem("mismatch", f"the trigger started {len(runs)} runs ({[(r['id'], r['state']) for r in runs]}); "
                   "expected 1 (every: 1s with cooldown: 1h)")
    check_final_state(it, after)
    check_kept_tasks(it, before, after)
    check_registry_and_export(it, kiln, it.run_id, pipeline)
    check_leftovers(it, kiln, it.run_id, pipeline)


# --- scenario W --------------------------------------------------------------------------------------------------

def scenario_w(it, ctx, rng):
    """B with the tasks on two kiln worker processes: serve --no-local-workers is killed (or, every other time,
    stopped with SIGTERM and a grace too short for the task under way) and started again. The workers go on: the
    next serve adopts what they were running, so no task runs twice."""
    pipeline = copy_example(it.folder, trigger=True)
    kiln = Kiln(ctx.kiln, Path(it.folder) / "home", it.folder)
    duration = ctx.durations["B"]
    delay = rng.uniform(0, duration)
    stop = "SIGTERM" if it.number % 2 == 0 else "SIGKILL"
    serve_args = ("serve", str(pipeline / "pipeline.yaml"), "--no-local-workers", "--tick", "200ms", "--grace", "50ms")
    serve = kiln.start(it, "serve", *serve_args)
    workers = [kiln.start(it, f"worker-{n}", "worker", "--name", f"w{n}", "--concurrency", "2", "--log-level", "debug")
               for n in (1, 2)]
    if not triggered_run(it, kiln, serve):
        return
    it.notes.append(f"{stop} serve {delay:.3f} s after the run appeared (typical run {duration:.2f} s)")
    interrupt_serve(it, serve, delay, stop)
    before = run_at_kill(it, kiln)
    serve2 = kiln.start(it, "serve-again", *serve_args)
    wait_for(lambda: (lambda d: d if d.get("state") == "succeeded" else None)(kiln.show(it.run_id)), 240, 0.3)
    stop_serve(it, serve2, "the restarted kiln serve")
    for worker in workers:
        stop_serve(it, worker, worker.name)
    after = kiln.show(it.run_id)
    (Path(it.folder) / "after.json").write_text(json.dumps(after, indent=1))
    check_final_state(it, after)
    check_kept_tasks(it, before, after)
    # Every task runs on a worker that outlives serve: none may run twice. (A second attempt alone proves nothing:
    # serve may die after storing an attempt's start and before queueing it; that attempt never ran.)
    ran = {}
    for worker in workers:
        for line in read_log(worker).splitlines():
            if "Attempt ended" in line and f"run.id={it.run_id}" in line:
                task = re.search(r"task\.id=(\S+)", line).group(1)
                attempt = re.search(r"task\.attempt=(\d+)", line).group(1)
                ran.setdefault(task, []).append(f"#{attempt} on {worker.name}")
    for task, attempts in sorted(ran.items()):
        if len(attempts) > 1:
            it.problem("re-execution", f"task '{task}' ran {len(attempts)} times on workers: {', '.join(attempts)}")
    missing = sorted(t for t, r in after.get("tasks", {}).items() if r.get("state") == "succeeded" and t not in ran)
    if missing:
        it.problem("mismatch", f"tasks succeeded without a worker running them: {missing}")
    check_registry_and_export(it, kiln, it.run_id, pipeline)
    check_leftovers(it, kiln, it.run_id, pipeline)


# --- scenario C --------------------------------------------------------------------------------------------------

def scenario_c(it, ctx, rng):
    pipeline = Path(it.folder) / "pipeline"
    pipeline.mkdir()
    shutil.copy(FIXTURES / "lease.yaml", pipeline / "pipeline.yaml")
    shutil.copy(FIXTURES / "side_effect.py", pipeline / "side_effect.py")
    executions = pipeline / "executions.jsonl"
    kiln = Kiln(ctx.kiln, Path(it.folder) / "home", it.folder)
    owner = kiln.start(it, "run", "run", str(pipeline / "pipeline.yaml"))

    def starts():
        return [r for r in jsonl(executions) if r.get("event") == "start"]

    if not wait_for(starts, 60):
        kill9(owner)
        it.problem("not recovered", f"the long command never started: {read_log(owner).strip()[-300:]}")
        return
    it.run_id = kiln.runs()[0]["id"]
    # Phase 1: the owner (kiln run) is alive; two resumes and a serve must leave the run alone.
    serve1 = kiln.start(it, "serve", "serve", str(pipeline), "--tick", "200ms")
    contenders = [kiln.start(it, f"resume-{n}", "resume", it.run_id) for n in (1, 2)]
    for process in contenders:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            kill9(process)
        text = read_log(process)
        if process.returncode != 3 or "is being executed by kiln run" not in text:
            it.problem("mismatch", f"while kiln run (pid {owner.pid}) executes the run, {process.name} exited "
                       f"{process.returncode} (expected 3, naming the owner): {text.strip()[-400:]}")
        elif str(owner.pid) not in text:
            it.problem("mismatch", f"{process.name}'s refusal does not name the owner's pid {owner.pid}: "
                       f"{text.strip()[-300:]}")
    if not wait_for(lambda: "Run executed elsewhere" in read_log(serve1), 10):
        it.problem("mismatch", f"kiln serve did not report leaving the run to its owner: {read_log(serve1).strip()[-400:]}")
    first = starts()
    if len(first) != 1:
        it.problem("re-execution", f"while the owner was alive the command ran {len(first)} times: {first}")
    if owner.poll() is not None:
        it.problem("mismatch", f"kiln run ended ({owner.returncode}) before the kill; the command should still run")
    # Phase 2: kill -9 the owner mid-command, then two resumes and a new serve at once (the first serve runs on).
    kill9(owner)
    before = kiln.show(it.run_id)
    (Path(it.folder) / "before.json").write_text(json.dumps(before, indent=1))
    it.kill_point = ",".join(running_tasks(before)) or "between tasks"
    racers = [kiln.start(it, f"resume-{n}", "resume", it.run_id) for n in (3, 4)]
    serve2 = kiln.start(it, "serve-2", "serve", str(pipeline), "--tick", "200ms")
    for process in racers:
        try:
            process.wait(timeout=240)
        except subprocess.TimeoutExpired:
            kill9(process)
            it.problem("mismatch", f"{process.name} did not finish within 240 s")
    after = wait_for(lambda: (lambda d: d if d.get("state") == "succeeded" else None)(kiln.show(it.run_id)), 240, 0.3)
    stop_serve(it, serve2, "the second kiln serve")
    stop_serve(it, serve1, "the first kiln serve")
    after = kiln.show(it.run_id)
    (Path(it.folder) / "after.json").write_text(json.dumps(after, indent=1))
    check_final_state(it, after)
    check_kept_tasks(it, before, after)
    # Who executed the run after the kill: the parent of each later execution of the command, and every resume that
    # did not exit with the refusal.
    by_pid = {p.pid: p.name for p in [serve1, serve2, *racers]}
    records = starts()
    later = records[1:]
    executors = {by_pid.get(r.get("ppid"), f"pid {r.get('ppid')}") for r in later}
    outcomes = []
    for process in racers:
        text = read_log(process)
        outcomes.append(f"{process.name} exit {process.returncode}")
        if process.returncode == 0:
            executors.add(process.name)
        elif process.returncode == 3 and "is being executed by" in text:
            pass  # refused: another process holds the run
        elif process.returncode == 3 and "was taken over" in text:
            executors.add(process.name)
            it.problem("re-execution", f"{process.name} took the run over from the dead owner and began executing "
                       f"it, then another process took it over as well: {text.strip()[-400:]}")
        elif "no longer owns run" in text:
            it.problem("mismatch", f"{process.name} took the run over from the dead owner, then lost it to another "
                       f"process that took it over as well, and exited {process.returncode}: {text.strip()[-400:]}")
        else:
            it.problem("mismatch", f"{process.name} exited {process.returncode}: {text.strip()[-300:]}")
    for serve in (serve1, serve2):
        for line in read_log(serve).splitlines():
            if it.run_id in line and "Run ended" in line:
                executors.add(serve.name)
            elif it.run_id in line and "Run could not be executed" in line:
                executors.add(serve.name)
                it.notes.append(f"{serve.name}: {line.strip()[:300]}")
    it.notes.append(f"after the kill: {', '.join(outcomes)}; executed by {sorted(executors)}; "
                    f"command executions {[(r['pid'], r.get('ppid'), r.get('attempt')) for r in records]}")
    if len(executors) != 1:
        it.problem("re-execution", f"{len(executors)} processes executed the run after the owner died: "
                   f"{sorted(executors)} ({', '.join(outcomes)})")
    if len(records) != 2:
        it.problem("re-execution", f"the command ran {len(records)} times (expected 2: the killed owner's and one "
                   f"re-execution): {[(r['pid'], r.get('ppid'), r.get('attempt')) for r in records]}")
    for record in records:
        if record.get("alive"):
            it.problem("re-execution", f"the command started (pid {record['pid']}) while an earlier execution "
                       f"still ran: pids {record['alive']}")
    check_leftovers(it, kiln, it.run_id, None)


# --- baseline durations ------------------------------------------------------------------------------------------

def measure(ctx, workdir):
    """Typical durations, measured at the start: the median of three full kiln runs (with and without the hook), and
    one triggered run under kiln serve (from the moment the run appears)."""
    durations = {}
    for name, hook, repeats in (("A", False, 3), ("A+hook", True, 3)):
        times = []
        for _ in range(repeats):
            folder = Path(tempfile.mkdtemp(prefix=f"measure-{name.replace('+', '-')}-", dir=workdir))
            pipeline = copy_example(folder, hook=hook)
            kiln = Kiln(ctx.kiln, folder / "home", folder)
            started = time.monotonic()
            rc, out, err = kiln.call("run", str(pipeline / "pipeline.yaml"), "--json", timeout=600)
            times.append(time.monotonic() - started)
            if rc != 0:
                sys.exit(f"campaign: the baseline run of scenario {name} failed (exit {rc}): {err[-800:]}")
            document = json.loads(out)
            if document["tasks"]["deploy"].get("outputs", {}).get("deployed") is not True:
                sys.exit(f"campaign: the baseline run of scenario {name} did not deploy: {document['tasks']['deploy']}")
            shutil.rmtree(folder, ignore_errors=True)
        durations[name] = sorted(times)[len(times) // 2]  # the median: one slow start does not stretch the window
    folder = Path(tempfile.mkdtemp(prefix="measure-B-", dir=workdir))
    pipeline = copy_example(folder, trigger=True)
    kiln = Kiln(ctx.kiln, folder / "home", folder)
    probe = Iteration(0, "B", 0, str(folder))
    serve = kiln.start(probe, "serve", "serve", str(pipeline / "pipeline.yaml"), "--tick", "200ms")
    run = wait_for(lambda: first_run(kiln), 60)
    if not run:
        kill9(serve)
        sys.exit(f"campaign: kiln serve launched no run: {read_log(serve)[-800:]}")
    started = time.monotonic()
    done = wait_for(lambda: kiln.show(run["id"]).get("state") in ("succeeded", "failed"), 600, 0.1)
    durations["B"] = time.monotonic() - started
    serve.send_signal(signal.SIGTERM)
    serve.wait(timeout=90)
    if not done or kiln.show(run["id"]).get("state") != "succeeded":
        sys.exit(f"campaign: the baseline triggered run did not succeed: {read_log(serve)[-800:]}")
    shutil.rmtree(folder, ignore_errors=True)
    return durations


# --- main --------------------------------------------------------------------------------------------------------

def scenario_of(number, scenarios):
    """C at iterations 3, 53, 103, …; B at every 5th; W at 2, 7, 12, …; A (alternately with the on_deploy hook)
    otherwise."""
    if number % 50 == 3 and "C" in scenarios:
        return "C"
    if number % 5 == 0 and "B" in scenarios:
        return "B"
    if number % 5 == 2 and "W" in scenarios:
        return "W"
    if "A" in scenarios:
        return "A+hook" if number % 2 == 0 else "A"
    return sorted(scenarios)[number % len(scenarios)]

def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kiln", required=True, help="the kiln binary")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--seed", type=int, default=None, help="default: chosen from the clock and printed")
    parser.add_argument("--keep", action="store_true", help="keep every iteration's folder (failed ones are always kept)")
    parser.add_argument("--only", type=int, action="append", help="run only iteration N (repeatable), to replay one")
    parser.add_argument("--scenarios", default="ABCW", help="which scenarios to use (default ABCW)")
    parser.add_argument("--durations", help="typical durations to use instead of measuring them, as printed by an "
                        "earlier campaign: A=0.88,A+hook=3.21,B=1.03 (for replaying an iteration at the same moment)")
    args = parser.parse_args()

    kiln = Path(args.kiln).resolve()
    if not os.access(kiln, os.X_OK):
        sys.exit(f"campaign: {kiln} is not an executable kiln binary")
    seed = args.seed if args.seed is not None else int(time.time()) % 100000
    scenarios = set(args.scenarios.upper().replace("+HOOK", ""))
    workdir = Path(tempfile.mkdtemp(prefix="kiln-crash-"))

    class Context:
        pass

    ctx = Context()
    ctx.kiln = kiln
    began = time.monotonic()
    print(f"crash campaign: {args.iterations} iterations, seed {seed}, kiln {kiln}, folders under {workdir}",
          flush=True)
    if args.durations:
        ctx.durations = {k: float(v) for k, v in (item.split("=") for item in args.durations.split(","))}
    else:
        ctx.durations = measure(ctx, workdir)
    durations = ",".join(f"{k}={v:.3f}" for k, v in ctx.durations.items())
    print("typical durations: " + ", ".join(f"{k} {v:.2f} s" for k, v in ctx.durations.items()), flush=True)

    numbers = args.only or list(range(1, args.iterations + 1))
    results = []
    for number in numbers:
        scenario = scenario_of(number, scenarios)
        rng = random.Random(f"{seed}-{number}")
        folder = workdir / f"iter-{number:03d}-{scenario.replace('+', '-')}"
        folder.mkdir()
        it = Iteration(number, scenario, seed, str(folder))
        started = time.monotonic()
        try:
            if scenario == "C":
                scenario_c(it, ctx, rng)
            elif scenario == "B":
                scenario_b(it, ctx, rng)
            elif scenario == "W":
                scenario_w(it, ctx, rng)
            else:
                scenario_a(it, ctx, rng, hook=(scenario == "A+hook"))
        except Exception as error:  # a broken iteration is reported, not fatal for the campaign
            import traceback
            it.problem("not recovered", f"the iteration raised {type(error).__name__}: {error}")
            (folder / "traceback.txt").write_text(traceback.format_exc())
        finally:
            for process in it.processes:
                if process.poll() is None:
                    kill9(process)
            for pid, command in processes_of_run(it.run_id):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        it.elapsed = time.monotonic() - started
        results.append(it)
        status = "ok" if not it.failed else "FAIL"
        print(f"[{number:3d}] {scenario:6s} {status:4s} {it.elapsed:6.1f} s  killed during: {it.kill_point}  "
              f"run {it.run_id}", flush=True)
        if it.failed:
            for category, text in it.problems:
                print(f"      {category}: {text}", flush=True)
        (folder / "result.json").write_text(json.dumps({
            "iteration": number, "scenario": scenario, "seed": seed, "run": it.run_id, "kill_point": it.kill_point,
            "recovered": it.recovered, "problems": it.problems, "notes": it.notes, "seconds": it.elapsed}, indent=1))
        if not it.failed and not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    failures = [it for it in results if it.failed]
    print()
    points = {}
    for it in results:
        points.setdefault(f"{it.scenario}: {it.kill_point}", 0)
        points[f"{it.scenario}: {it.kill_point}"] += 1
    print("kill points (scenario: tasks running at the kill):")
    for key in sorted(points):
        print(f"  {points[key]:3d}  {key}")
    if failures:
        print()
        print(f"{len(failures)} failed iteration(s):")
        for it in failures:
            print(f"- iteration {it.number} (seed {it.seed}, scenario {it.scenario}, killed during {it.kill_point}, "
                  f"run {it.run_id}), folder {it.folder}")
            print(f"  replay: benchmarks/crash/run.sh --kiln {kiln} --seed {it.seed} --only {it.number} "
                  f"--durations {durations}")
            for category, text in it.problems:
                print(f"  {category}: {text}")
            for note in it.notes:
                print(f"  note: {note}")
    total = len(results)
    recovered = sum(1 for it in results if it.recovered)
    reexecutions = sum(it.reexecutions for it in results)
    orphans = sum(it.orphans for it in results)
    mismatches = sum(it.mismatches for it in results)
    elapsed = time.monotonic() - began
    print()
    print(f"runtime {elapsed / 60:.1f} min; scenarios " + ", ".join(
        f"{s} {sum(1 for it in results if it.scenario == s)}" for s in ("A", "A+hook", "B", "C", "W")))
    if not failures and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"{recovered}/{total} recovered, {reexecutions} re-executions, {orphans} orphans, {mismatches} mismatches")
    return 0 if recovered == total and reexecutions == 0 and orphans == 0 and mismatches == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
