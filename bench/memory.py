"""memory_and_start: the resident memory of each gunicorn worker after it served the signed-in pages, with
and without --preload, beside hello-world's; and the CPU a fresh process spends importing the app and
running create_app() (time.process_time in a new interpreter, median of 3).

Memory is VmRSS from /proc/<pid>/status of each worker (children of the gunicorn master) after wrk drove
the trainee home, a practice page, the readiness report and the trainer dashboard for LOAD_SECONDS each.
The target applies to the way the README serves the app (no --preload); --preload is reported beside it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench import fixtures
from bench.load import wrk
from bench.server import ROOT, Server, Session, serve

LOAD_SECONDS = int(os.environ.get("BENCH_MEMORY_SECONDS", "3"))
START_RUNS = 3
START_SCRIPT = """
import time
started = time.process_time()
from app import create_app
create_app()
print(time.process_time() - started)
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no VmRSS for process {pid}")


def workers_rss(server: Server) -> list[float]:
    pids = server.worker_pids()
    if not pids:
        raise RuntimeError(f"gunicorn {server.pid} has no workers")
    return [rss_mb(pid) for pid in pids]


def loaded_rss(env: dict[str, str], practice_path: str, port: int, preload: bool, log: Path) -> list[float]:
    with serve("app:create_app()", port, env, preload=preload, log=log) as server:
        trainee, trainer = Session(server.base), Session(server.base)
        trainee.sign_in("trainee1@demo.test", "demo-password")
        trainer.sign_in("trainer@demo.test", "demo-password")
        for session, path in (
            (trainee, "/home/trainee"),
            (trainee, practice_path),
            (trainee, "/readiness/"),
            (trainer, "/trainer/cohorts/1"),
        ):
            wrk(server.base + path, {"Cookie": session.cookie_header}, seconds=LOAD_SECONDS)
        return workers_rss(server)


def hello_rss(port: int) -> list[float]:
    with serve("bench.hello:app", port) as server:
        wrk(server.base + "/", {}, seconds=LOAD_SECONDS)
        return workers_rss(server)


def create_app_cpu_s(env: dict[str, str]) -> list[float]:
    runs = []
    for _ in range(START_RUNS):
        output = subprocess.run(
            [sys.executable, "-c", START_SCRIPT],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        runs.append(float(output.strip().splitlines()[-1]))
    return runs


def run(env: dict[str, str], workdir: Path) -> dict:
    practice = fixtures.practice_sessions(env["DATABASE_URL"], "trainee1@demo.test", sessions=1)
    log = workdir / "memory-gunicorn.log"
    plain = loaded_rss(env, practice.item_path(0, 0), 5911, preload=False, log=log)
    preloaded = loaded_rss(env, practice.item_path(0, 0), 5912, preload=True, log=log)
    hello = hello_rss(5913)
    starts = create_app_cpu_s(env)
    result = {
        "worker_rss_mb": max(plain),
        "workers_rss_mb": plain,
        "worker_rss_preload_mb": max(preloaded),
        "workers_rss_preload_mb": preloaded,
        "hello_world_worker_rss_mb": max(hello),
        "create_app_cpu_s": round(statistics.median(starts), 3),
        "create_app_cpu_s_runs": [round(s, 3) for s in starts],
        "load_seconds_per_page": LOAD_SECONDS,
    }
    print(
        f"memory_and_start: worker RSS {max(plain)} MB ({max(preloaded)} MB with --preload; hello-world "
        f"{max(hello)} MB); create_app {result['create_app_cpu_s']} s CPU (targets <= 100 MB, <= 0.8 s)",
        flush=True,
    )
    return result
