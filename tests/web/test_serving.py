"""Serving with --preload: every gunicorn worker forked from the master that built the app starts with
database connections (and Redis clients) of its own, and the master's stay usable (app/serving.py)."""

from __future__ import annotations

import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

from flask import Flask
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.serving import after_fork
from config import TestConfig

ROOT = Path(__file__).resolve().parents[2]


def app_on_file(tmp_path: Path) -> Flask:
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'served.sqlite3'}"
    return create_app(config)


def pooled_in_child(app: Flask, dispose: bool) -> int:
    """Fork like gunicorn does; the child reports how many connections it finds pooled (after after_fork
    when `dispose`), then uses the database once."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 1
        try:
            if dispose:
                after_fork(app)
            with app.app_context():
                pooled = db.engine.pool.checkedin()
                db.session.execute(text("SELECT 1"))
                db.session.remove()
            os.write(write, str(pooled).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    reported = os.read(read, 16).decode()
    os.close(read)
    assert os.waitstatus_to_exitcode(status) == 0
    return int(reported)


def test_a_forked_worker_opens_its_own_connection_and_leaves_the_masters_alone(tmp_path):
    app = app_on_file(tmp_path)
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # the master holds a pooled connection before forking
        db.session.remove()
        assert db.engine.pool.checkedin() == 1
    try:
        assert pooled_in_child(app, dispose=False) == 1  # what a worker would share without the hook
        assert pooled_in_child(app, dispose=True) == 0
        with app.app_context():  # the master's connection was not closed by the worker
            assert db.session.execute(text("SELECT 1")).scalar() == 1
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()


def test_after_fork_forgets_the_job_redis_clients(tmp_path):
    app = app_on_file(tmp_path)
    app.extensions["jobs_redis"] = {"redis://example": object()}  # as app.jobs keeps its clients
    after_fork(app)
    assert "jobs_redis" not in app.extensions


def gunicorn_post_fork():
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_fork"]


def test_the_gunicorn_config_runs_after_fork_on_the_preloaded_app_only(tmp_path, monkeypatch):
    post_fork = gunicorn_post_fork()
    calls = []
    monkeypatch.setattr("app.serving.after_fork", calls.append)
    app = app_on_file(tmp_path)
    post_fork(None, SimpleNamespace(app=SimpleNamespace(callable=app)))
    post_fork(None, SimpleNamespace(app=SimpleNamespace(callable=None)))  # not preloaded: nothing to drop
    post_fork(None, SimpleNamespace(app=SimpleNamespace(callable=Flask("hello"))))  # bench's hello-world
    assert calls == [app]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_serves_the_preloaded_app_with_the_repositorys_config(tmp_path):
    """The README's way: gunicorn --preload, two workers, reading ./gunicorn.conf.py (its post_fork)."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.sqlite3'}",
        "APP_ENV": "development",
    }
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "--preload",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        answers = []
        deadline = time.monotonic() + 90
        while len(answers) < 20 and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    answers.append(response.status)
            except OSError:
                assert server.poll() is None, "gunicorn exited"
                time.sleep(0.3)
        assert answers == [200] * 20
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        _, errors = server.communicate(timeout=60)
    assert "Traceback" not in errors
