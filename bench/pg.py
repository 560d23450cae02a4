"""answer_post_pg: the answer POST on PostgreSQL, served with the worker count the README recommends
(2 x cores + 1: the sync workers spend much of an answer POST waiting for the commit to reach the disk,
and synchronous_commit stays on, so more workers than cores keep the CPU busy meanwhile).

The database named by BENCH_PG_URL (default odesk_bench on 127.0.0.1) is dropped, created, prepared like
`make run`, measured, and dropped again. The ratio is to the same run's hello-world (2 workers). Beside
it: the workers' CPU per request and the machine's load average, since a request that waits for CPU or
for the disk shows up in req/s but not in CPU.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import fixtures
from bench.load import post_script, wrk_run
from bench.server import Session, serve

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/odesk_bench")


def recommended_workers() -> int:
    return 2 * (os.cpu_count() or 1) + 1


def _admin(url: str):
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def recreate(url: str) -> None:
    name = make_url(url).database
    engine = _admin(url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def drop(url: str) -> None:
    engine = _admin(url)
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    engine.dispose()


def synchronous_commit(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(text("SHOW synchronous_commit")).scalar_one()
    engine.dispose()
    return value


def prepare(env: dict[str, str], url: str = PG_URL) -> None:
    """Drop, create and prepare the database like `make run` (run.py starts this beside SQLite's)."""
    recreate(url)
    fixtures.prepare_database({**env, "DATABASE_URL": url})


def run(env: dict[str, str], hello_req_s: float | None, workdir: Path, url: str = PG_URL) -> dict:
    """The answer POST on the prepared database, which is dropped afterwards."""
    try:
        pg_env = {**env, "DATABASE_URL": url}
        practice = fixtures.practice_sessions(url, "trainee1@demo.test", sessions=400)
        workers = recommended_workers()
        commit = synchronous_commit(url)
        with serve(
            "app:create_app()", 5921, pg_env, workers=workers, log=workdir / "pg-gunicorn.log"
        ) as server:
            session = Session(server.base)
            session.sign_in("trainee1@demo.test", "demo-password")
            body = f"chosen=A&confidence=medium&served_at=0&csrf_token={session.token('/practice/')}"
            paths = practice.all_item_paths()
            script = post_script(paths, body)
            cpu_before = server.workers_cpu_s()
            try:
                measured = wrk_run(server.base + paths[0], {"Cookie": session.cookie_header}, script)
            finally:
                os.unlink(script)
            server_cpu_s = server.workers_cpu_s() - cpu_before
    finally:
        drop(url)
    rate = measured["req_s"]
    result = {
        "req_s": rate,
        "hello_world_req_s": hello_req_s,
        "ratio": round(rate / hello_req_s, 3) if hello_req_s else None,
        "latency_p50_ms": measured["latency_p50_ms"],
        "socket_errors": measured["socket_errors"],
        "server_cpu_ms_per_request": round(server_cpu_s * 1000 / max(measured["requests"], 1), 2),
        "load_average_1m": load_average(),
        "workers": workers,
        "synchronous_commit": commit,
        "database": "PostgreSQL " + make_url(url).render_as_string(hide_password=True).split("@")[-1],
    }
    print(
        f"answer_post_pg: {rate:.1f} req/s with {workers} workers (synchronous_commit {commit}), "
        f"ratio {result['ratio']} to hello-world; workers' CPU {result['server_cpu_ms_per_request']} ms per "
        f"request; load average {result['load_average_1m']}",
        flush=True,
    )
    return result


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])
