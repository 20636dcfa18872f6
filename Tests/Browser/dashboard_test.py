#!/usr/bin/env python3
"""The dashboard in a real browser: headless Chromium driven by Selenium against a real `kiln serve`.

Usage: dashboard_test.py KILN_BINARY ARTIFACT_DIR

Starts kiln serve on a copy of the fraud-detection example (a free loopback port, a throwaway home), starts a run
that waits for manual approval through the API, then in the browser: the pipelines page lists it with a strip of run
states; the run page's SVG has the 12 task nodes with their states; clicking Approve continues the run to success;
the model page shows its metric chart. Screenshots go to ARTIFACT_DIR. Exit 0 when every check passes.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def api(base, method, path, body=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_for(what, predicate, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out waiting for " + what)


def check(condition, message):
    if not condition:
        raise AssertionError(message)
    print("ok -", message)


def main():
    kiln, artifacts = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    os.makedirs(artifacts, exist_ok=True)
    work = tempfile.mkdtemp(prefix="kiln-browser-")
    shutil.copytree(os.path.join(ROOT, "examples", "fraud-detection"), os.path.join(work, "fraud-detection"),
                    ignore=shutil.ignore_patterns("build", ".kiln"))
    port = free_port()
    base = "http://127.0.0.1:%d" % port
    log = open(os.path.join(artifacts, "serve.log"), "w")
    serve = subprocess.Popen([kiln, "serve", "fraud-detection", "--http", "127.0.0.1:%d" % port, "--tick", "1s",
                              "--home", os.path.join(work, ".kiln")], cwd=work, stdout=log, stderr=subprocess.STDOUT)
    driver = None
    try:
        wait_for("the HTTP API", lambda: _reachable(base), timeout=60)
        run = api(base, "POST", "/v1/runs", {"pipeline": "fraud-detection", "params": {"approval": "manual"},
                                            "reason": "browser test"})["id"]
        wait_for("the run to wait for approval", lambda: api(base, "GET", "/v1/runs/" + run)["state"] == "waiting")

        options = Options()
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"):
            options.add_argument(argument)
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if binary:
            options.binary_location = binary
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
        driver.set_page_load_timeout(60)

        driver.get(base + "/")
        row = driver.find_element(By.CSS_SELECTOR, 'tr[data-pipeline="fraud-detection"]')
        check(row.find_elements(By.CSS_SELECTOR, ".strip .cell.state-waiting"), "the pipelines page shows the waiting run in the strip")
        driver.save_screenshot(os.path.join(artifacts, "pipelines.png"))

        driver.get(base + "/runs/" + run)
        nodes = driver.find_elements(By.CSS_SELECTOR, "svg.dag g.node")
        states = {node.get_attribute("data-task"): node.get_attribute("data-state") for node in nodes}
        check(len(nodes) == 12, "the run page's SVG has the 12 task nodes (%d)" % len(nodes))
        check(states.get("deploy") == "waiting" and states.get("train") == "succeeded",
              "the nodes carry their states (deploy waiting, train succeeded)")
        time_text = driver.find_element(By.CSS_SELECTOR, "dl.facts time").text
        check("T" not in time_text or "Z" not in time_text, "times are shown in the viewer's zone (%s)" % time_text)
        driver.save_screenshot(os.path.join(artifacts, "run-waiting.png"))

        driver.find_element(By.CSS_SELECTOR, ".decision input.reason").send_keys("looks good")
        driver.find_element(By.CSS_SELECTOR, 'button[data-action="approve"]').click()
        wait_for("the run to succeed", lambda: api(base, "GET", "/v1/runs/" + run)["state"] == "succeeded")
        WebDriverWait(driver, 60).until(
            lambda d: d.find_element(By.CSS_SELECTOR, 'svg.dag g.node[data-task="deploy"]').get_attribute("data-state") == "succeeded")
        check(True, "clicking Approve continued the run; the page shows deploy succeeded")
        decision = api(base, "GET", "/v1/runs/" + run)["tasks"]["deploy"]["decision"]
        check(decision["approved"] and decision["reason"] == "looks good", "the decision and its reason were recorded")
        driver.get(base + "/runs/" + run)
        check(driver.find_element(By.CSS_SELECTOR, "#run-state .badge").text == "succeeded", "the reloaded run page says succeeded")
        driver.save_screenshot(os.path.join(artifacts, "run-succeeded.png"))

        second = api(base, "POST", "/v1/runs", {"pipeline": "fraud-detection", "reason": "a second version"})["id"]
        wait_for("the second run", lambda: api(base, "GET", "/v1/runs/" + second)["state"] in ("succeeded", "failed"))
        driver.get(base + "/models/fraud-detection")
        charts = driver.find_elements(By.CSS_SELECTOR, 'figure.chart[data-metric="f1"] svg circle')
        check(len(charts) == 2, "the model page charts f1 across its 2 versions")
        driver.save_screenshot(os.path.join(artifacts, "model.png"))
        print("all dashboard checks passed; screenshots in", artifacts)
    finally:
        if driver:
            driver.quit()
        serve.terminate()
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
        shutil.rmtree(work, ignore_errors=True)


def _reachable(base):
    try:
        urllib.request.urlopen(base + "/openapi.json", timeout=2).read()
        return True
    except OSError:
        return False


if __name__ == "__main__":
    main()
