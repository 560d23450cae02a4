"""Start-up stays light: building the app loads no numerical library, so a gunicorn worker that only
shows stored results never pays for numpy and scipy (their modules are imported where they compute);
nor Alembic, which only migrations use, nor RQ and Redis while no job queue is configured, nor lxml,
which only question imports and exports use, nor pylti1p3 (with PyJWT), requests and Authlib, which only
LTI launches and single sign-on use."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NUMERICAL = ("numpy", "scipy")
NOT_SERVING = ("alembic", "flask_migrate", "rq", "lxml", "pylti1p3", "jwt", "requests", "authlib")


def modules_after(script: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after running `script`."""
    probe = f"{script}\nimport json, sys\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(output.strip().splitlines()[-1]))


def test_create_app_loads_no_numerical_library():
    loaded = modules_after("from app import create_app\ncreate_app('test')")
    assert "flask" in loaded  # the probe saw the app being built
    assert not loaded & set(NUMERICAL)


def test_the_readiness_model_still_loads_them_where_it_computes():
    loaded = modules_after("import app.domain.readiness.verdict")
    assert set(NUMERICAL) <= loaded


def test_create_app_loads_none_of_what_only_migrations_jobs_imports_lti_or_sso_use():
    loaded = modules_after("from app import create_app\ncreate_app('test')")
    assert "flask" in loaded and not loaded & {*NOT_SERVING, "redis"}


def test_migrations_and_the_job_worker_load_them_when_used(tmp_path):
    database = f"sqlite:///{tmp_path / 'startup.db'}"
    migrated = modules_after(
        "from app import create_app\nfrom flask_migrate import upgrade\nfrom config import config_for\n"
        f"config = config_for('test')\nconfig.SQLALCHEMY_DATABASE_URI = {database!r}\n"
        "with create_app(config).app_context(): upgrade()"
    )
    assert {"alembic", "flask_migrate"} <= migrated
    assert "rq" in modules_after("import app.job_workers")
    exported = "from app.domain.interchange import export_moodle_xml\nexport_moodle_xml([])"
    assert "lxml" in modules_after(exported)
    assert {"pylti1p3", "jwt"} <= modules_after("from app.services.lti_tool import NewWindowLink")
