"""Start and stop gunicorn servers and sign in over HTTP, for the benchmarks."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
WORKERS = 2


@dataclass
class Server:
    """A running gunicorn: its base URL and the master's process id (its workers are its children)."""

    base: str
    pid: int

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended while we looked
            if int(fields[1]) == self.pid:  # fields after the command: state, ppid, ...
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def workers_cpu_s(self) -> float:
        """CPU seconds the current workers have used so far (compare before and after a load)."""
        return sum(cpu_ticks(pid) for pid in self.worker_pids()) / os.sysconf("SC_CLK_TCK")

    def wait_until_booted(self, workers: int, seconds: float = 120) -> None:
        """Until every worker has finished importing the app (they are idle): the first answer comes from
        the first worker up, and a measurement started then would share the CPU with the others' boot."""
        deadline = time.monotonic() + seconds
        before: dict[int, int] = {}
        while time.monotonic() < deadline:
            now = {pid: cpu_ticks(pid) for pid in self.worker_pids()}
            if len(now) == workers and now == before:
                return
            before = now
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn {self.pid}: {workers} workers not idle within {seconds} s")


def cpu_ticks(pid: int) -> int:
    """User plus system CPU of a process so far, in clock ticks (0 once it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat


@contextmanager
def serve(
    target: str,
    port: int,
    env: dict[str, str] | None = None,
    workers: int = WORKERS,
    preload: bool = False,
    log: Path | None = None,
):
    """Serve `target` with gunicorn (sync workers) on 127.0.0.1:port until the block ends; the server's
    output (the app's JSON log lines) goes to `log` when given."""
    output = log.open("a") if log else None
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *(["--preload"] if preload else []),
            target,
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        start_new_session=True,
        stdout=output,
        stderr=output,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process)
        server = Server(f"http://127.0.0.1:{port}", process.pid)
        server.wait_until_booted(workers)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:  # gunicorn lets workers finish what they hold (30 s); a starved machine may need longer
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        if output:
            output.close()


@contextmanager
def gunicorn(target: str, port: int, env: dict[str, str] | None = None, log: Path | None = None):
    """Serve `target` with gunicorn (2 sync workers) on 127.0.0.1:port; yields the base URL."""
    with serve(target, port, env, log=log) as server:
        yield server.base


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not answer within {seconds} s")


class Session:
    """A signed-in browser-like session: cookies plus the CSRF token of the last form seen."""

    TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path) as response:
            return response.read().decode()

    def post(self, path: str, data: dict[str, str | list[str]]) -> str:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        with self.opener.open(self.base + path, data=body) as response:
            return response.read().decode()

    def token(self, path: str) -> str:
        match = self.TOKEN.search(self.get(path))
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return match.group(1)

    def sign_in(self, email: str, password: str) -> None:
        html = self.post("/login", {"email": email, "password": password, "csrf_token": self.token("/login")})
        if 'name="password"' in html and "Sign in" in html:
            raise RuntimeError(f"could not sign in as {email}")

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)
