"""The built wheel runs the app outside the checkout: templates, static files, config and migrations are
in it, and instance files go where INSTANCE_DIR says, not into site-packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.content_fixtures import ROOT

pytestmark = pytest.mark.slow

CHECK = """
import sys
import app, config
from app import create_app
site = sys.argv[1]
assert app.__file__.startswith(site) and config.__file__.startswith(site), (app.__file__, config.__file__)
client = create_app().test_client()
assert client.get("/healthz").status_code == 200
login = client.get("/login")
assert login.status_code == 200 and b"Sign in" in login.data
assert client.get("/static/css/app.css").status_code == 200
print("served from", site)
"""


def _run(*args, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(map(str, args))}\n{result.stdout}\n{result.stderr}"
    return result


def test_the_wheel_serves_and_migrates_from_site_packages(tmp_path):
    source = tmp_path / "source"  # build from a copy: an in-tree build would leave build/ in the checkout
    for name in ("app", "migrations"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("config.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SECRET_KEY", "APP_ENV", "PYTHONPATH")
    }
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "-q",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        tmp_path / "dist",
        source,
        cwd=tmp_path,
        env=env,
    )
    [wheel] = (tmp_path / "dist").glob("*.whl")
    site = tmp_path / "site"
    _run(
        sys.executable,
        "-m",
        "pip",
        "install",
        "-q",
        "--no-deps",
        "--target",
        site,
        wheel,
        cwd=tmp_path,
        env=env,
    )

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env.update(
        PYTHONPATH=str(site),
        INSTANCE_DIR=str(tmp_path / "instance"),
        FLASK_APP="app:create_app",
        CONTENT_DIR=str(ROOT / "content"),
        SCENARIOS_DIR=str(ROOT / "scenarios"),
    )
    upgrade = _run(sys.executable, "-m", "flask", "db", "upgrade", cwd=elsewhere, env=env)
    assert "Running upgrade" in upgrade.stderr + upgrade.stdout
    assert (tmp_path / "instance" / "academy.sqlite3").exists() and (
        tmp_path / "instance" / "secret_key"
    ).exists()
    served = _run(sys.executable, "-c", CHECK, str(site), cwd=elsewhere, env=env)
    assert "served from" in served.stdout
    assert not (site / "instance").exists()
