"""Shared fixtures: one app and database per session, emptied after every test.

The database is a SQLite file in a temporary folder, or TEST_DATABASE_URL (PostgreSQL in CI). Under
CI=true an unreachable TEST_DATABASE_URL fails the run instead of skipping it.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app import create_app
from app.extensions import db
from app.models import Role
from config import TestConfig
from tests import factories
from tests.content_fixtures import FIXTURES, sync_fixtures

IN_CI = os.environ.get("CI", "").lower() == "true"

# A shared 2-core machine makes per-example timings meaningless; CI runs the same examples every time.
settings.register_profile("project", deadline=None, derandomize=IN_CI)
settings.load_profile("project")


def _reachable(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except OperationalError:
        return False
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if not _reachable(url):
            message = f"TEST_DATABASE_URL={url} is unreachable"
            if IN_CI:
                pytest.fail(message + " (CI=true: this fails the run)", pytrace=False)
            pytest.skip(message)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(database_url):
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.CONTENT_DIR = str(FIXTURES / "content")
    config.SCENARIOS_DIR = str(FIXTURES / "scenarios")
    app = create_app(config)
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts from empty tables (only for tests that use the app)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    ctx = app.app_context()
    ctx.push()
    try:
        yield
    finally:
        db.session.rollback()
        _empty_all_tables()
        db.session.commit()
        db.session.remove()
        ctx.pop()


def _empty_all_tables() -> None:
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":  # FK cycles (questions <-> versions) need CASCADE
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, path: str = "/login") -> str:
    """A valid CSRF token for this client's session, read from a page's form."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_INPUT.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, email: str, password: str = factories.PASSWORD):
    data = {"email": email, "password": password}
    if client.application.config.get("WTF_CSRF_ENABLED", True):
        data["csrf_token"] = csrf_token(client, "/login")
    return client.post("/login", data=data)


@pytest.fixture
def world(app):
    """Two cohorts, each with a trainer and a trainee, plus an author and an admin."""
    return factories.world()


@pytest.fixture
def bank(app):
    """The fixture question bank (and scenarios) synced into the database."""
    return sync_fixtures()


@pytest.fixture
def signed_in(client):
    """sign_in(user) signs the client in as that user and returns the client."""

    def sign_in(user):
        response = login(client, user.email)
        assert response.status_code == 302, f"sign-in as {user.email} failed"
        return client

    return sign_in


__all__ = ["Role", "csrf_token", "login"]


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counted: ...` then `counted.n`: SQL statements the block sent (indico's
    count_queries fixture, simplified): pins hot paths so an N+1 fails a test, not a benchmark."""
    from contextlib import contextmanager

    from sqlalchemy import event

    from app.extensions import db

    class Counted:
        n = 0
        statements: list[str] = []

    @contextmanager
    def counting():
        counted = Counted()
        counted.statements = []

        def count(_conn, _cursor, statement, *_args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                counted.n += 1
                counted.statements.append(statement)

        engine = db.engine
        event.listen(engine, "before_cursor_execute", count)
        try:
            yield counted
        finally:
            event.remove(engine, "before_cursor_execute", count)

    return counting
