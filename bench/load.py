"""Drive a server with wrk: requests per second of one URL, GET or POSTs each to a fresh path."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))


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


def wrk(url: str, headers: dict[str, str], script: str | None = None, seconds: int = SECONDS) -> float:
    """Requests per second; error responses fail the run, and socket errors (timeouts) are printed."""
    return wrk_run(url, headers, script, seconds)["req_s"]


def wrk_run(url: str, headers: dict[str, str], script: str | None = None, seconds: int = SECONDS) -> dict:
    """wrk's requests per second, median latency and socket errors (a timeout is a request unanswered
    within wrk's 2 s); any non-2xx/3xx response raises, since it would be measuring an error page."""
    command = [ensure_wrk(), "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses during the run\n{output}")
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
        if errors
        else {}
    )
    if any(socket_errors.values()):
        print(f"wrk {url}: socket errors {socket_errors}", flush=True)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {
        "req_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "latency_p50_ms": round(float(p50.group(1)) * scale[p50.group(2)], 2) if p50 else None,
        "socket_errors": socket_errors,
    }


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
