"""Triggers the two benchmark DAGs through Airflow's REST API and prints trigger → success times."""
import argparse
import json
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

DAGS = [("weft_chain10", "chain of 10 `true`"), ("weft_parallel20", "20 parallel `true`")]


class API:
    def __init__(self, url, user, password):
        self.url, self.user, self.password, self.token = url, user, password, None

    def login(self):
        body = json.dumps({"username": self.user, "password": self.password}).encode()
        req = urllib.request.Request(self.url + "/auth/token", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            self.token = json.load(r)["access_token"]

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            if e.code == 401:
                self.login()
                return self.call(method, path, body)
            return e.code, e.read().decode(errors="replace")


def wait(what, timeout, probe, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(interval)
    sys.exit(f"airflow-bench: timed out after {timeout} s waiting for {what}; see the *.log files (KEEP=1 keeps them)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--started", type=float, default=time.time())
    a = ap.parse_args()
    api = API(a.url, a.user, a.password)

    def logged_in():
        api.login()
        return True
    wait("the API server to answer", 120, logged_in)
    print(f"Airflow API answering {time.time() - a.started:.1f} s after start")
    for dag, _ in DAGS:
        wait(f"DAG {dag} to be parsed", 120, lambda: api.call("GET", f"/api/v2/dags/{dag}")[0] == 200)
        status, body = api.call("PATCH", f"/api/v2/dags/{dag}", {"is_paused": False})
        if status != 200:
            sys.exit(f"airflow-bench: cannot unpause {dag}: {status} {body}")

    print(f"Apache Airflow 3.3.2 (LocalExecutor, SQLite; trigger → success via the REST API, {a.runs} runs each)")
    results = {}
    for dag, label in DAGS:
        times = []
        for i in range(a.runs):
            run_id = f"weft_bench_{uuid.uuid4().hex[:12]}"
            t0 = time.monotonic()
            status, body = api.call("POST", f"/api/v2/dags/{dag}/dagRuns", {"dag_run_id": run_id, "logical_date": None})
            if status != 200:
                sys.exit(f"airflow-bench: trigger of {dag} failed: {status} {body}")
            quoted = urllib.parse.quote(run_id, safe="")
            state = None
            deadline = t0 + 300
            while time.monotonic() < deadline:
                status, body = api.call("GET", f"/api/v2/dags/{dag}/dagRuns/{quoted}")
                state = body.get("state") if status == 200 and isinstance(body, dict) else None
                if state in ("success", "failed"):
                    break
                time.sleep(0.05)
            elapsed = time.monotonic() - t0
            if state != "success":
                sys.exit(f"airflow-bench: run {run_id} of {dag} ended {state!r} after {elapsed:.1f} s")
            times.append(elapsed)
            print(f"  {dag} run {i + 1}: {elapsed:.2f} s", flush=True)
        results[dag] = times
        print(f"  {label:<24} p50 {statistics.median(times):6.2f} s   min {min(times):6.2f} s   max {max(times):6.2f} s",
              flush=True)
    print(json.dumps({"airflow": "3.3.2", "runs": a.runs,
                      "seconds": {d: sorted(t) for d, t in results.items()}}))


if __name__ == "__main__":
    main()
