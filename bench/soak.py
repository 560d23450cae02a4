"""`make soak`: 100 simulated trainees against gunicorn (4 workers) on PostgreSQL while faults are injected.

Bounded: about three minutes of load (SOAK_SECONDS), 127.0.0.1 only, every loop bounded in count and
time; it stops by itself and stops every process it started (gunicorn, its own redis-server). Steps:

1. Its own PostgreSQL database (odesk_soak, dropped and created), `flask db upgrade`, content sync, and
   100 trainee accounts hashed with pbkdf2:sha256:1000 instead of scrypt (scrypt costs about 0.23 s of CPU
   per hash, and per sign-in: 100 accounts signing in again and again would measure scrypt, not the app).
2. Its own redis-server on a free port (never the machine's shared one), used as the rate-limit storage.
3. gunicorn, 4 sync workers, on a free 127.0.0.1 port, login limits raised (every trainee shares one address).
4. The trainees (bench/soak_clients.py) while, at known times: one worker is killed with SIGKILL (gunicorn
   starts another), every PostgreSQL backend of odesk_soak is terminated, and Redis is stopped, then started.
5. Checks on the database: every acknowledged answer, exam response and decision is stored, and the
   maintained aggregates (trainee_domain_stats) equal a recount from the answers table.

Writes bench/soak.json. Targets (issue 16): 0 acknowledged-but-lost, 0 aggregate mismatches, server errors
only during the injected faults and under 0.5% of requests. Exit status 1 when a target is missed.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import select

from app.extensions import db
from app.models import Answer, ExamResponse, Role, ScenarioAttempt, TraineeDomainStat, User
from app.services import accounts, progress
from bench.fixtures import app_for
from bench.run import machine
from bench.server import BIN, ROOT, wait_until_up
from bench.soak_clients import Trainee

OUT_PATH = ROOT / "bench" / "soak.json"
DATABASE = "odesk_soak"
PG_ADMIN = os.environ.get("SOAK_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE_URL = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + DATABASE
TRAINEES = int(os.environ.get("SOAK_TRAINEES", "100"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "180"))
THINK = (4.0, 10.0)  # seconds a trainee spends on a question or a decision: about 20 requests a second in all
WORKERS = 4
PASSWORD = "soak-password"
GRACE = 5.0  # seconds after a fault ends in which its errors still count as the fault's
ERROR_BUDGET = 0.005
# When each fault starts, as a share of the run (Redis is down from 0.60 to 0.75).
SCHEDULE = {"kill_worker": 0.25, "terminate_postgres": 0.45, "redis_stop": 0.60, "redis_start": 0.75}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def recreate_database() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")


def terminate_backends() -> int:
    """Every PostgreSQL connection of the app's database, ended from the server side."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (DATABASE,),
        ).fetchall()
    return len(rows)


def prepare(env: dict[str, str]) -> dict[str, int]:
    """Schema, content and the trainee accounts; returns e-mail -> user id."""
    for args in (["db", "upgrade"], ["content", "sync", "--if-present", "--quiet"]):
        subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True, capture_output=True)
    app = app_for(DATABASE_URL)
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"  # see the module docstring
    with app.app_context():
        ids = {}
        for n in range(1, TRAINEES + 1):
            user = accounts.create_user(f"soak{n}@soak.test", PASSWORD, [Role.TRAINEE])
            ids[user.email] = user.id
        db.session.commit()
        db.engine.dispose()
    return ids


class Redis:
    """A redis-server of the soak's own on a free port: the one the fault stops and starts."""

    def __init__(self, folder: Path):
        self.port, self.folder, self.process = free_port(), folder, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("the soak's redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def gunicorn_workers(master: int) -> list[int]:
    workers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            workers.append(int(stat.parent.name))
    return sorted(workers)


def start_gunicorn(port: int, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as handle:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
                "--log-level",
                "warning",
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_until_up(f"http://127.0.0.1:{port}/login", process)
    return process


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def inject_faults(clock, gunicorn: subprocess.Popen, redis: Redis) -> list[dict]:
    """Each fault at its time in SCHEDULE; returns the windows, in seconds since the load started."""
    windows = []

    def wait_for(share: float) -> float:
        time.sleep(max(0.0, share * SECONDS - clock()))
        return clock()

    start = wait_for(SCHEDULE["kill_worker"])
    victim = gunicorn_workers(gunicorn.pid)[0]
    os.kill(victim, signal.SIGKILL)
    windows.append({"fault": "kill -9 one gunicorn worker", "pid": victim, "start": start, "end": clock()})
    start = wait_for(SCHEDULE["terminate_postgres"])
    ended = terminate_backends()
    windows.append(
        {
            "fault": "terminate every PostgreSQL backend of odesk_soak",
            "backends": ended,
            "start": start,
            "end": clock(),
        }
    )
    start = wait_for(SCHEDULE["redis_stop"])
    redis.stop()
    wait_for(SCHEDULE["redis_start"])
    redis.start()
    windows.append(
        {"fault": "Redis (rate-limit storage) stopped, then started", "start": start, "end": clock()}
    )
    for window in windows:
        window["start"], window["end"] = round(window["start"], 2), round(window["end"], 2)
    return windows


def in_fault(record, windows: list[dict]) -> bool:
    return any(record.start <= w["end"] + GRACE and record.end >= w["start"] for w in windows)


def check_database(trainees: list[Trainee]) -> dict:
    """Acknowledged writes against the stored rows; maintained aggregates against a recount."""
    app = app_for(DATABASE_URL)
    with app.app_context():
        stored_keys = set(db.session.execute(select(Answer.user_id, Answer.submission_key)).all())
        responses = set(db.session.execute(select(ExamResponse.exam_id, ExamResponse.position)).all())
        logs = {a.id: len(a.log) for a in db.session.scalars(select(ScenarioAttempt))}
        acked = [key for t in trainees for key in t.acked.answers]
        lost = [key for key in acked if key not in stored_keys]
        exam_acked = [r for t in trainees for r in t.acked.exam_responses]
        exam_lost = [r for r in exam_acked if r not in responses]
        submitted = {e for t in trainees for e in t.acked.exams_submitted}
        exam_answers_lost = [
            (t.user_id, f"exam:{e}:{p}")
            for t in trainees
            for e, p in t.acked.exam_responses
            if e in submitted and (t.user_id, f"exam:{e}:{p}") not in stored_keys
        ]
        decisions = [d for t in trainees for d in t.acked.decisions]
        decisions_lost = [d for d in decisions if logs.get(d[0], 0) <= d[1]]
        mismatches = []
        for user_id in db.session.scalars(select(User.id).where(User.email.like("%@soak.test"))):
            kept = {
                s.domain: (s.answered, s.correct, s.credit)
                for s in db.session.scalars(
                    select(TraineeDomainStat).where(TraineeDomainStat.user_id == user_id)
                )
            }
            counted = progress.recount(user_id)
            for domain in sorted(set(kept) | set(counted)):
                a, b = kept.get(domain, (0, 0, 0.0)), counted.get(domain, (0, 0, 0.0))
                if a[:2] != b[:2] or abs(a[2] - b[2]) > 1e-6:
                    mismatches.append({"user_id": user_id, "domain": domain, "kept": a, "recount": b})
        result = {
            "answers_acknowledged": len(acked),
            "answers_stored": db.session.scalar(
                select(db.func.count()).select_from(Answer).where(Answer.mode != "exam")
            ),
            "answers_acknowledged_but_lost": len(lost),
            "exam_responses_acknowledged": len(exam_acked),
            "exam_responses_acknowledged_but_lost": len(exam_lost),
            "exams_submitted_acknowledged": len(submitted),
            "exam_answers_acknowledged_but_lost": len(exam_answers_lost),
            "decisions_acknowledged": len(decisions),
            "decisions_acknowledged_but_lost": len(decisions_lost),
            "aggregate_rows_checked": db.session.scalar(
                select(db.func.count()).select_from(TraineeDomainStat)
            ),
            "aggregate_mismatches": len(mismatches),
            "aggregate_mismatch_examples": mismatches[:5],
            "lost_examples": [list(k) for k in (lost + exam_answers_lost)[:5]],
        }
        db.engine.dispose()
    return result


def summarise(trainees: list[Trainee], windows: list[dict], elapsed: float) -> dict:
    records = [r for t in trainees for r in t.records]
    failed = [r for r in records if r.status == 0 or r.status >= 500]
    outside = [r for r in failed if not in_fault(r, windows)]
    latencies = sorted(1000 * (r.end - r.start) for r in records if r.status)
    by_kind: dict[str, list[float]] = {}
    for r in records:
        by_kind.setdefault(r.kind, []).append(1000 * (r.end - r.start))
    redis_window = windows[-1]
    return {
        "requests": len(records),
        "requests_per_second": round(len(records) / elapsed, 1),
        "requests_by_kind": {
            kind: {"count": len(ms), "p50_ms": round(statistics.median(ms), 1)}
            for kind, ms in sorted(by_kind.items())
        },
        "server_errors_5xx": sum(1 for r in failed if r.status),
        "connection_errors": sum(1 for r in failed if not r.status),
        "errors_in_fault_windows": len(failed) - len(outside),
        "errors_by_fault": [
            {
                "fault": w["fault"],
                "errors": [f"{r.kind} {r.status or 'no response'}" for r in failed if in_fault(r, [w])],
            }
            for w in windows
        ],
        "errors_outside_fault_windows": len(outside),
        "errors_outside_examples": [vars(r) for r in outside[:5]],
        "error_rate": round(len(failed) / len(records), 5) if records else 0.0,
        "other_4xx": sum(1 for r in records if 400 <= r.status < 500),
        "latency_ms": {
            "p50": round(statistics.median(latencies), 1),
            "p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
            "max": round(latencies[-1], 1),
        }
        if latencies
        else {},
        "sign_ins_while_redis_down": sum(
            1 for t in trainees for at in t.logins_at if redis_window["start"] <= at <= redis_window["end"]
        ),
    }


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="oda-soak-"))
    redis = Redis(workdir)
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "APP_ENV": "development",
        "SECRET_KEY": secrets.token_hex(32),
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{redis.port}/9",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "LOGIN_ADDRESS_RATE_LIMIT": "100000 per minute",  # every trainee signs in from 127.0.0.1
        "LOG_LEVEL": "WARNING",
        "FLASK_APP": "app:create_app",
    }
    os.environ["SECRET_KEY"] = env["SECRET_KEY"]  # the in-process app (accounts, checks) needs one too
    gunicorn = None
    trainees: list[Trainee] = []
    try:
        load_before = os.getloadavg()[0]  # the machine may be shared: latency depends on it
        print(f"soak: preparing {DATABASE} and {TRAINEES} trainees", flush=True)
        recreate_database()
        ids = prepare(env)
        redis.start()
        gunicorn = start_gunicorn(port, env, workdir / "gunicorn.log")
        began = time.monotonic()

        def clock() -> float:
            return time.monotonic() - began

        trainees = [
            Trainee(f"http://127.0.0.1:{port}", email, PASSWORD, user_id, clock, SECONDS, THINK, seed=n)
            for n, (email, user_id) in enumerate(sorted(ids.items()))
        ]
        for trainee in trainees:
            trainee.start()
        print(f"soak: {TRAINEES} trainees for {SECONDS:.0f} s against gunicorn on port {port}", flush=True)
        windows = inject_faults(clock, gunicorn, redis)
        for trainee in trainees:
            trainee.join(timeout=max(1.0, SECONDS - clock()) + 40)
        elapsed = clock()
        still_running = sum(t.is_alive() for t in trainees)
    finally:
        if gunicorn is not None:
            stop_gunicorn(gunicorn)
        redis.stop()
    tracebacks = (workdir / "gunicorn.log").read_text(errors="replace").count("Traceback")
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "setup": {
            "trainees": TRAINEES,
            "seconds": SECONDS,
            "think_seconds": list(THINK),
            "gunicorn_workers": WORKERS,
            "database": "PostgreSQL " + DATABASE,
            "rate_limit_storage": "own redis-server, db 9",
            "password_hash_for_soak_accounts": "pbkdf2:sha256:1000",
            "grace_seconds_after_fault": GRACE,
        },
        "fault_windows": windows,
        "trainees_still_running_at_end": still_running,
        "machine_load_average_before_and_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "tracebacks_in_server_log": tracebacks,
        **summarise(trainees, windows, elapsed),
        **check_database(trainees),
    }
    result["targets"] = {
        "acknowledged_but_lost": 0,
        "aggregate_mismatches": 0,
        "errors_outside_fault_windows": 0,
        "error_rate_below": ERROR_BUDGET,
    }
    result["targets_met"] = (
        result["answers_acknowledged_but_lost"] == 0
        and result["exam_responses_acknowledged_but_lost"] == 0
        and result["exam_answers_acknowledged_but_lost"] == 0
        and result["decisions_acknowledged_but_lost"] == 0
        and result["aggregate_mismatches"] == 0
        and result["errors_outside_fault_windows"] == 0
        and result["error_rate"] < ERROR_BUDGET
        and still_running == 0
    )
    OUT_PATH.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "requests_by_kind"}, indent=2))
    if not result["targets_met"]:
        print(f"soak: targets missed; the server log is kept in {workdir}", file=sys.stderr)
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
