"""`make bench`: requests per second of the app's pages, as a ratio to a Flask hello-world, and what
each page costs in-process; then how pages grow with history, memory and start-up, and PostgreSQL.

Both the app and hello-world are served the same way (gunicorn, 2 sync workers, on this machine, in the
same run) and driven by wrk. The app runs on a fresh SQLite database prepared like `make run`
(migrations, content sync, demo data); a pristine copy of it is the start of every scale measurement.
Results are judged against bench/targets.py, printed, and merged into bench/results.json.

BENCH_ONLY=key1,key2 runs only the parts that produce those keys (hello_world comes with any page).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import calibrate_bench, content_sync, cpu, dashboard, fixtures, memory, noop_app, pg, scale
from bench.load import CONNECTIONS, SECONDS, post_script, wrk, wrk_run
from bench.server import ROOT, WORKERS, Session, serve
from bench.targets import judge

RESULTS = ROOT / "bench" / "results.json"
PAGE_KEYS = ("home", "practice_page", "dashboard", "answer_post", "scenario_step")
PARTS = {  # part -> the keys it writes
    "pages": ("hello_world", *PAGE_KEYS),
    "noop": ("noop_signed_in",),
    "answers_scale": ("practice_page_scale", "answer_post_scale"),
    "history_scale": ("dashboard_history_scale",),
    "readiness_scale": ("readiness_view_scale",),
    "memory": ("memory_and_start",),
    "pg": ("answer_post_pg",),
    "content_sync": ("content_sync",),
    "dashboard_scale": ("dashboard_scale",),
    "calibrate": ("calibrate_1m", "calibrate_1m_s", "calibrate_1m_girth_s"),
}


@dataclass
class Page:
    """One page to measure: who is signed in, and how to build the request (GET path or POST lua)."""

    key: str
    path: str
    email: str | None = "trainee1@demo.test"
    method: str = "GET"
    prepare: Callable[[Session], dict] | None = None  # returns {"paths": [...], "body": ...} for POSTs
    headers: dict[str, str] = field(default_factory=dict)


def pages(env: dict[str, str]) -> list[Page]:
    """The pages the issues asked to measure. Records are prepared in the database first."""
    practice = fixtures.practice_sessions(env["DATABASE_URL"], "trainee1@demo.test", sessions=600)
    attempts = fixtures.scenario_attempts(env["DATABASE_URL"], "trainee2@demo.test", count=12_000)
    return [
        Page("home", "/home/trainee"),
        Page("practice_page", "", prepare=lambda s: {"path": practice.item_path(0, 0)}),
        Page("dashboard", "/trainer/cohorts/1", email="trainer@demo.test"),
        Page(
            "answer_post",
            "",
            method="POST",
            prepare=lambda s: {
                "paths": practice.all_item_paths(),
                "body": f"chosen=A&confidence=medium&served_at=0&csrf_token={s.token('/practice/')}",
            },
        ),
        Page(
            "scenario_step",
            "",
            email="trainee2@demo.test",
            method="POST",
            prepare=lambda s: {
                "paths": attempts.paths,
                "body": f"ref={attempts.ref}&step=0&served_at=0&csrf_token={s.token('/scenarios/')}",
            },
        ),
    ]


def measure_pages(env: dict[str, str], keys: set[str], log: Path) -> dict[str, dict]:
    """req/s and ratio to hello-world of the selected pages over HTTP, then their in-process cpu_ms."""
    results: dict[str, dict] = {"hello_world": hello_world()}
    with serve("app:create_app()", 5902, env, log=log) as server:
        for page in pages(env):
            if page.key not in keys:
                continue
            cpu_before = server.workers_cpu_s()
            measured = page_rate(server.base, page)
            rate = measured["req_s"]
            results[page.key] = {
                "req_s": rate,
                "ratio": round(rate / results["hello_world"]["req_s"], 3),
                "server_cpu_ms_per_request": round(
                    (server.workers_cpu_s() - cpu_before) * 1000 / max(measured["requests"], 1), 2
                ),
            }
            print(f"{page.key:>16}: {rate:9.1f} req/s  ratio {results[page.key]['ratio']:.3f}", flush=True)
    timings = cpu.pages(env["DATABASE_URL"], tuple(k for k in PAGE_KEYS if k in keys))
    for key, timing in timings.items():
        results[key].update(cpu_ms=timing.cpu_ms, wall_ms=timing.wall_ms, cpu_requests=timing.n)
    return results


def hello_world() -> dict:
    with serve("bench.hello:app", 5901) as server:
        return {"req_s": wrk(server.base + "/", {})}


def page_rate(base: str, page: Page) -> dict:
    session = Session(base)
    if page.email:
        session.sign_in(page.email, "demo-password")
    request = page.prepare(session) if page.prepare else {"path": page.path}
    headers = {"Cookie": session.cookie_header, **page.headers}  # after prepare: it may set cookies
    if page.method != "POST":
        return wrk_run(base + request["path"], headers)
    script = post_script(request["paths"], request["body"])
    try:
        return wrk_run(base + request["paths"][0], headers, script)
    finally:
        os.unlink(script)


def noop_signed_in(env: dict[str, str], hello_req_s: float, log: Path) -> dict:
    """The fixed cost of any signed-in request: a login_required route returning two bytes."""
    with serve("bench.noop_app:create_noop_app()", 5903, env, log=log) as server:
        session = Session(server.base)
        session.sign_in("trainee1@demo.test", "demo-password")
        rate = wrk(server.base + noop_app.PATH, {"Cookie": session.cookie_header})
    app = cpu.bench_app(env["DATABASE_URL"], noop_app.create_noop_app)
    timing = cpu.measure(cpu.Browser(app, "trainee1@demo.test").get(noop_app.PATH))
    result = {
        "req_s": rate,
        "hello_world_req_s": hello_req_s,
        "ratio": round(rate / hello_req_s, 3),
        "cpu_ms": timing.cpu_ms,
        "wall_ms": timing.wall_ms,
        "cpu_requests": timing.n,
    }
    print(
        f"  noop_signed_in: {rate:9.1f} req/s  ratio {result['ratio']:.3f}; {timing.cpu_ms:.2f} ms CPU",
        flush=True,
    )
    return result


def merge_results(new: dict) -> dict:
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    current.update(
        {key: judge(key, value) if isinstance(value, dict) else value for key, value in new.items()}
    )
    current["_meta"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "seconds_per_page": SECONDS,
        "connections": CONNECTIONS,
        "workers": WORKERS,
        "cpu_requests": cpu.REQUESTS,
        "scale_requests": scale.SCALE_REQUESTS,
        "load_average_1m_at_end": pg.load_average(),
    }
    RESULTS.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    return current


def machine() -> str:
    cpu_name = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{os.cpu_count()} cores, {cpu_name}"


def selected(only: str | None) -> set[str]:
    """The keys to measure: all, or those BENCH_ONLY names (unknown names are an error, not ignored)."""
    every = {key for keys in PARTS.values() for key in keys}
    if not only:
        return every
    wanted = {key.strip() for key in only.split(",") if key.strip()}
    unknown = wanted - every
    if unknown:
        raise SystemExit(
            f"BENCH_ONLY: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(every))}"
        )
    return wanted


def main() -> None:
    keys = selected(os.environ.get("BENCH_ONLY"))
    wants = {part: bool(keys & set(part_keys)) for part, part_keys in PARTS.items()}
    workdir = Path(tempfile.mkdtemp(prefix="oda-bench-"))
    log = workdir / "gunicorn.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "APP_ENV": "development",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "FLASK_APP": "app:create_app",
    }
    results: dict = {}
    # Preparing PostgreSQL takes minutes: it runs beside SQLite's preparation, before any measurement.
    background = ThreadPoolExecutor(max_workers=1)
    pg_ready = background.submit(pg.prepare, env) if wants["pg"] else None
    needs_sqlite = any(
        wants[p] for p in ("pages", "noop", "answers_scale", "history_scale", "readiness_scale", "memory")
    )
    if needs_sqlite:
        fixtures.prepare_database(env)
        scale.copy_database(workdir / "bench.sqlite3", workdir / "prepared.sqlite3")
    prepared = workdir / "prepared.sqlite3"
    try:
        if pg_ready:
            pg_ready.result()  # raises what the preparation raised
        background.shutdown()
        hello = None
        if wants["pages"]:
            results.update(measure_pages(env, keys, log))
            hello = results["hello_world"]["req_s"]
        elif wants["noop"] or wants["pg"]:  # this run's yardstick, kept only in the keys that use it
            hello = hello_world()["req_s"]
        if wants["noop"]:
            results["noop_signed_in"] = noop_signed_in(env, hello, log)
        if wants["answers_scale"]:
            results.update(scale.answers_scale(prepared, workdir))
        if wants["history_scale"]:
            results["dashboard_history_scale"] = scale.dashboard_history_scale(prepared, workdir)
        if wants["readiness_scale"]:
            results["readiness_view_scale"] = scale.readiness_view_scale(prepared, workdir)
        if wants["memory"]:
            # On a copy of the prepared database: after the page runs trainee1's report is stale (their
            # answer POSTs), and a worker recomputing it in the GET (no Redis here) would load numpy and
            # scipy, so memory would depend on which parts ran before it.
            fresh = scale.copy_database(prepared, workdir / "memory.sqlite3")
            results["memory_and_start"] = memory.run({**env, "DATABASE_URL": fresh}, workdir)
        if wants["pg"]:
            results["answer_post_pg"] = pg.run(env, hello, workdir)
        if wants["content_sync"]:
            results["content_sync"] = content_sync.run()
        if wants["dashboard_scale"]:
            results["dashboard_scale"] = dashboard.run()
        if wants["calibrate"]:
            calibration = calibrate_bench.measure()
            print(
                f"calibrate_1m: ours {calibration['calibrate_1m_s']} s, girth {calibration['calibrate_1m_girth_s']} s"
            )
            results["calibrate_1m"] = calibration
            results["calibrate_1m_s"] = calibration["calibrate_1m_s"]
            results["calibrate_1m_girth_s"] = calibration["calibrate_1m_girth_s"]
    finally:  # what was measured is kept even when a later part fails
        merged = merge_results(results)
    print(json.dumps({key: merged[key] for key in results}, indent=2, sort_keys=True))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
