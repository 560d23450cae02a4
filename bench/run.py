"""`make bench`: requests per second of the app's pages, as a ratio to a Flask hello-world.

Both are served the same way (gunicorn, 2 sync workers, on this machine, in the same run) and driven
by wrk. The app runs on a fresh SQLite database prepared like `make run` (migrations, content sync,
demo data). Results are printed and merged into bench/results.json; other benchmarks (content sync,
calibration) add their own keys to the same file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import calibrate_bench, content_sync, dashboard, fixtures
from bench.server import BIN, ROOT, Session, gunicorn

RESULTS = ROOT / "bench" / "results.json"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))


@dataclass
class Page:
    """One page to measure: who is signed in, and how to build the request (GET path or POST lua)."""

    key: str
    path: str
    email: str | None = "trainee1@demo.test"
    method: str = "GET"
    prepare: Callable[[Session], dict] | None = None  # returns {"paths": [...], "body": ...} for POSTs
    headers: dict[str, str] = field(default_factory=dict)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
        if not shutil.which("wrk"):
            subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
            subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
        return shutil.which("wrk") or sys.exit("wrk could not be installed")
    sys.exit("wrk is missing: apt-get install wrk")


def wrk(url: str, headers: dict[str, str], script: str | None = None) -> float:
    command = [ensure_wrk(), "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses during the run\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def post_script(paths: list[str], body: str) -> str:
    """A wrk script POSTing `body` to each path in turn; the two wrk threads take alternate paths, so no
    path is posted twice (each is a new answer or decision, not a duplicate)."""
    listing = ", ".join(lua_string(p) for p in paths)
    script = f"""
local paths = {{{listing}}}
local counter = 0
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"  -- added to the -H headers (the cookie)
function setup(thread) thread:set("offset", counter); counter = counter + 1 end
function init(args) index = tonumber(offset) or 0 end
function request()
  local path = paths[(index % #paths) + 1]
  index = index + 2
  return wrk.format("POST", path, nil, {lua_string(body)})
end
"""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    return handle.name


def prepare_database(env: dict[str, str]) -> None:
    for args in (["db", "upgrade"], ["content", "sync", "--if-present", "--quiet"], ["demo", "seed"]):
        subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True, capture_output=True)


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


def measure_pages(env: dict[str, str]) -> dict[str, dict]:
    results: dict[str, dict] = {}
    with gunicorn("bench.hello:app", 5901) as base:
        results["hello_world"] = {"req_s": wrk(base + "/", {})}
    with gunicorn("app:create_app()", 5902, env) as base:
        for page in pages(env):
            session = Session(base)
            if page.email:
                session.sign_in(page.email, "demo-password")
            request = page.prepare(session) if page.prepare else {"path": page.path}
            headers = {"Cookie": session.cookie_header, **page.headers}  # after prepare: it may set cookies
            if page.method == "POST":
                script = post_script(request["paths"], request["body"])
                rate = wrk(base + request["paths"][0], headers, script)
                os.unlink(script)
            else:
                rate = wrk(base + request["path"], headers)
            results[page.key] = {"req_s": rate, "ratio": round(rate / results["hello_world"]["req_s"], 3)}
            print(f"{page.key:>16}: {rate:9.1f} req/s  ratio {results[page.key]['ratio']:.3f}", flush=True)
    return results


def merge_results(new: dict) -> dict:
    current = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    current.update(new)
    current["_meta"] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "seconds_per_page": SECONDS,
        "connections": CONNECTIONS,
        "workers": 2,
    }
    RESULTS.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    return current


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{os.cpu_count()} cores, {cpu}"


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="oda-bench-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "APP_ENV": "development",
        "LOGIN_RATE_LIMIT": "1000 per minute",
        "FLASK_APP": "app:create_app",
    }
    prepare_database(env)
    results = measure_pages(env)
    results["content_sync"] = content_sync.run()
    results["dashboard_scale"] = dashboard.run()
    calibration = calibrate_bench.measure()
    print(
        f"calibrate_1m: ours {calibration['calibrate_1m_s']} s, girth {calibration['calibrate_1m_girth_s']} s"
    )
    results["calibrate_1m"] = calibration
    results["calibrate_1m_s"] = calibration["calibrate_1m_s"]
    results["calibrate_1m_girth_s"] = calibration["calibrate_1m_girth_s"]
    merged = merge_results(results)
    print(json.dumps(merged, indent=2, sort_keys=True))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
