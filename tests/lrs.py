"""A real learning record store for the tests: Ralph (PyPI ralph-malph) on a file-system backend, run as a
subprocess (tests/lrs_server.py) from its own virtualenv (.venv-lrs, made by `make lrs`: its pinned FastAPI and pydantic would
clash with ours). The credentials file is made with Ralph's own `ralph auth` in a temporary folder."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RALPH = Path(os.environ.get("RALPH_BIN", ROOT / ".venv-lrs" / "bin" / "ralph"))
SERVER = Path(__file__).resolve().parent / "lrs_server.py"
USERNAME, PASSWORD = "academy", "lrs-test-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Ralph:
    """start(), stop() and start() again on the same port and data folder: an outage and a recovery."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(folder / "app"),
            "RALPH_AUTH_FILE": str(folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data"),
        }
        (folder / "data").mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                str(RALPH),
                "auth",
                "-u",
                USERNAME,
                "-p",
                PASSWORD,
                "-s",
                "all",
                "-A",
                "lrs-admin",
                self.url,
                "-w",
            ],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=60,
            cwd=folder,
        )

    def start(self) -> None:
        with open(self.folder / "ralph.log", "ab") as log:
            self.process = subprocess.Popen(
                [str(RALPH.parent / "python"), str(SERVER), str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph exited: {(self.folder / 'ralph.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/__heartbeat__", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("Ralph did not answer on /__heartbeat__ within 60 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def get(self, path: str, **query: str) -> dict:
        token = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(
            f"{self.url}{path}?{urllib.parse.urlencode(query)}",
            headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def statement(self, statement_id: str) -> dict:
        found = self.get("/xAPI/statements", statementId=statement_id)
        return found["statements"][0] if "statements" in found else found

    def all_statements(self) -> list[dict]:
        """Every statement stored, following `more` links."""
        found = self.get("/xAPI/statements", limit="500")
        statements = list(found["statements"])
        while found.get("more"):
            more = urllib.parse.urlsplit(found["more"])
            path, query = more.path, more.query
            found = self.get(path, **dict(urllib.parse.parse_qsl(query)))
            statements += found["statements"]
        return statements
