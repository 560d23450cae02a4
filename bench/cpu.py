"""In-process CPU per request: time.process_time() around each request made through the Flask test
client against the benchmark's prepared database. A page's cpu_ms is the median over >= 300 requests
(after a few warm-up requests that fill the template and query caches); wall time is kept beside it.

CPU rather than wall time because this machine is shared: another process on the cores stretches wall
time but not the CPU our process spends. With SQLite the queries run in this process, so their cost is
counted; with PostgreSQL only the client's side would be.
"""

from __future__ import annotations

import io
import logging
import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from bench import fixtures
from config import config_for

REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", "300"))
WARM_UP = 10
PASSWORD = "demo-password"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PAGES = ("home", "practice_page", "dashboard", "answer_post", "scenario_step")


def bench_app(database_url: str, factory: Callable[..., Flask] = create_app) -> Flask:
    """The app as gunicorn serves it in the benchmark (development config), on `database_url`."""
    config = config_for("development")
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.LOGIN_RATE_LIMIT = "1000 per minute"  # the benchmark signs the same people in many times
    app = factory(config)
    quiet_logs()
    return app


def quiet_logs() -> None:
    """The app's log lines are still formatted and written (a request pays for them), but to a stream
    that discards them instead of the terminal the benchmark reports on."""
    for handler in logging.getLogger("app").handlers:
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler.stream, Discard):
            handler.setStream(Discard())


class Discard(io.TextIOBase):
    """A text stream that accepts and drops everything, with no file behind it."""

    def write(self, text: str) -> int:
        return len(text)


class Browser:
    """A signed-in test client, and the CSRF token its forms carry."""

    def __init__(self, app: Flask, email: str, password: str = PASSWORD):
        self.client: FlaskClient = app.test_client()
        html = self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": self.token("/login")}
        ).get_data(as_text=True)
        if 'name="password"' in html and "Sign in" in html:
            raise RuntimeError(f"could not sign in as {email}")

    def token(self, path: str) -> str:
        html = self.client.get(path).get_data(as_text=True)
        match = TOKEN.search(html)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def get(self, path: str, expect: int = 200) -> Callable[[int], None]:
        """A request for measure(): GET `path`, failing unless it answers `expect`."""

        def request(_index: int) -> None:
            check(self.client.get(path), expect, path)

        return request

    def post_each(self, paths: list[str], data: dict[str, str], expect: int = 302) -> Callable[[int], None]:
        """A request for measure(): the i-th request POSTs `data` to paths[i] (each path once)."""

        def request(index: int) -> None:
            check(self.client.post(paths[index], data=data), expect, paths[index])

        return request


def check(response, expect: int, path: str) -> None:
    if response.status_code != expect:
        raise RuntimeError(
            f"{path} answered {response.status_code}, expected {expect}:\n{response.get_data(as_text=True)[:500]}"
        )


@dataclass
class Timing:
    cpu_ms: float
    wall_ms: float
    n: int


def measure(request: Callable[[int], None], n: int = REQUESTS, warm_up: int = WARM_UP) -> Timing:
    """Median CPU and wall milliseconds of request(i) over n calls, after `warm_up` calls not counted."""
    cpu, wall = [], []
    for index in range(warm_up + n):
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        request(index)
        if index >= warm_up:
            cpu.append(time.process_time() - started_cpu)
            wall.append(time.perf_counter() - started_wall)
    return Timing(round(statistics.median(cpu) * 1000, 3), round(statistics.median(wall) * 1000, 3), len(cpu))


def measure_pair(
    small: Callable[[int], None], large: Callable[[int], None], n: int, warm_up: int = WARM_UP
) -> tuple[Timing, Timing]:
    """measure() of two requests taken in turns (small, large, small, ...), so that a change in the load
    of this shared machine during the run falls on both alike."""
    samples: dict[int, tuple[list[float], list[float]]] = {0: ([], []), 1: ([], [])}
    for index in range(warm_up + n):
        for side, request in enumerate((small, large)):
            started_cpu, started_wall = time.process_time(), time.perf_counter()
            request(index)
            if index >= warm_up:
                samples[side][0].append(time.process_time() - started_cpu)
                samples[side][1].append(time.perf_counter() - started_wall)
    small_timing, large_timing = (
        Timing(round(statistics.median(c) * 1000, 3), round(statistics.median(w) * 1000, 3), len(c))
        for c, w in samples.values()
    )
    return small_timing, large_timing


def pages(database_url: str, keys: tuple[str, ...] = PAGES) -> dict[str, Timing]:
    """cpu_ms of the pages run.py serves with gunicorn, each against fresh records where it writes."""
    needed = REQUESTS + WARM_UP
    practice = fixtures.practice_sessions(database_url, "trainee1@demo.test", sessions=-(-needed // 20))
    attempts = fixtures.scenario_attempts(database_url, "trainee2@demo.test", count=needed)
    app = bench_app(database_url)
    trainee, trainer, player = (
        Browser(app, "trainee1@demo.test"),
        Browser(app, "trainer@demo.test"),
        Browser(app, "trainee2@demo.test"),
    )
    requests = {
        "home": lambda: trainee.get("/home/trainee"),
        "practice_page": lambda: trainee.get(practice.item_path(0, 0)),
        "dashboard": lambda: trainer.get("/trainer/cohorts/1"),
        "answer_post": lambda: trainee.post_each(
            practice.all_item_paths(),
            {
                "chosen": "A",
                "confidence": "medium",
                "served_at": "0",
                "csrf_token": trainee.token("/practice/"),
            },
        ),
        "scenario_step": lambda: player.post_each(
            attempts.paths,
            {"ref": attempts.ref, "step": "0", "served_at": "0", "csrf_token": player.token("/scenarios/")},
        ),
    }
    timings = {}
    for key in keys:
        timings[key] = measure(requests[key]())
        print(
            f"{key:>16}: {timings[key].cpu_ms:7.2f} ms CPU per request (median of {timings[key].n})",
            flush=True,
        )
    return timings
