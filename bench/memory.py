"""memory_and_start: the resident memory of each gunicorn worker after it served the signed-in pages, with
and without --preload, beside hello-world's; and the CPU a fresh process spends importing the app and
running create_app() (time.process_time in a new interpreter, median of 3).

Memory is VmRSS from /proc/<pid>/status of each worker (children of the gunicorn master) after wrk drove
the trainee home, a practice page, the readiness report and the trainer dashboard for LOAD_SECONDS each.
The target applies to the way the README serves the app (--preload, with the repository's
gunicorn.conf.py, which gunicorn reads from ROOT); without --preload is reported beside it. With
--preload a worker's RSS counts the pages it shares with the master, so its PSS (shared pages divided
among the processes sharing them, /proc/<pid>/smaps_rollup) is reported too: what a worker adds.

Start-up CPU is measured with the app's bytecode cached, as in any deployment (pip compiles a wheel's
modules on install; Python writes __pycache__ on first import). A machine that sets
PYTHONDONTWRITEBYTECODE, as the one the benchmarks were written on does, would compile the app's ~200
modules from source in every process: that figure is reported beside it (create_app_cpu_s_uncached).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
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


def pss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"no Pss for process {pid}")


def workers_rss(server: Server, measure=rss_mb) -> list[float]:
    pids = server.worker_pids()
    if not pids:
        raise RuntimeError(f"gunicorn {server.pid} has no workers")
    return [measure(pid) for pid in pids]


def loaded_memory(
    env: dict[str, str], practice_path: str, port: int, preload: bool, log: Path
) -> tuple[list[float], list[float]]:
    """(RSS, PSS) of each worker, in MB, after the signed-in pages were driven."""
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
        return workers_rss(server), workers_rss(server, pss_mb)


def hello_rss(port: int) -> list[float]:
    with serve("bench.hello:app", port) as server:
        wrk(server.base + "/", {}, seconds=LOAD_SECONDS)
        return workers_rss(server)


def create_app_cpu_s(env: dict[str, str], bytecode_cache: bool = True) -> list[float]:
    """CPU seconds of importing the app and create_app() in fresh interpreters; with `bytecode_cache` the
    bytecode is written to a folder of its own by a first, unmeasured run and read by the measured ones."""
    if bytecode_cache:
        cache = tempfile.mkdtemp(prefix="oda-pycache-")
        env = {
            **{k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "PYTHONPYCACHEPREFIX": cache,
        }
        subprocess.run(
            [sys.executable, "-c", START_SCRIPT], cwd=ROOT, env=env, check=True, capture_output=True
        )
    else:
        env = {**{k: v for k, v in env.items() if k != "PYTHONPYCACHEPREFIX"}, "PYTHONDONTWRITEBYTECODE": "1"}
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
    preloaded, preloaded_pss = loaded_memory(env, practice.item_path(0, 0), 5912, preload=True, log=log)
    plain, _ = loaded_memory(env, practice.item_path(0, 0), 5911, preload=False, log=log)
    hello = hello_rss(5913)
    starts = create_app_cpu_s(env)
    uncached = create_app_cpu_s(env, bytecode_cache=False)
    result = {
        "worker_rss_mb": max(preloaded),
        "workers_rss_mb": preloaded,
        "workers_pss_mb": preloaded_pss,
        "worker_rss_without_preload_mb": max(plain),
        "workers_rss_without_preload_mb": plain,
        "hello_world_worker_rss_mb": max(hello),
        "create_app_cpu_s": round(statistics.median(starts), 3),
        "create_app_cpu_s_runs": [round(s, 3) for s in starts],
        "create_app_cpu_s_uncached": round(statistics.median(uncached), 3),
        "load_seconds_per_page": LOAD_SECONDS,
    }
    print(
        f"memory_and_start: worker RSS {max(preloaded)} MB with --preload (PSS {max(preloaded_pss)} MB; "
        f"{max(plain)} MB without; hello-world {max(hello)} MB); create_app {result['create_app_cpu_s']} s CPU "
        f"({result['create_app_cpu_s_uncached']} s compiling from source) (targets <= 100 MB, <= 0.8 s)",
        flush=True,
    )
    return result
