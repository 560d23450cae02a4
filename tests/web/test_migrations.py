"""Migrations build the schema the models describe, on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from config import TestConfig


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database of the same kind as the suite's."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = make_url(base)
    name = f"{url.database}_migrations"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def migrations_app(empty_database_url):
    """The app on the empty database, inside its context; its engine is disposed even when a test fails (a
    connection left open would surface later as a ResourceWarning in some unrelated test)."""
    config = TestConfig()
    config.SQLALCHEMY_DATABASE_URI = empty_database_url
    app = create_app(config)
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def _drift(app) -> list:
    with db.engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)


def test_upgrade_matches_models_then_downgrade_and_upgrade_again(migrations_app):
    app = migrations_app
    upgrade()
    assert _drift(app) == [], "models and migrations differ: run `flask db migrate`"
    tables = set(inspect(db.engine).get_table_names())
    assert {
        "users",
        "cohorts",
        "question_versions",
        "answers",
        "scenario_versions",
        "scenario_attempts",
    } <= tables
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _drift(app) == []


def test_0024_stores_a_returned_draft_as_returned_and_back(migrations_app):
    """Drafts sent back by a reviewer were stored as `rejected` while every screen said "returned"."""
    upgrade(revision="0023")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, password_hash, active, created_at) "
                "VALUES (1, 'a@x.test', 'A', 'x', true, '2026-01-01 00:00:00')"
            )
        )
        for draft_id, status in ((1, "rejected"), (2, "in-review")):
            conn.execute(
                text(
                    "INSERT INTO drafts (id, kind, title, status, author_id, text, created_at, updated_at) "
                    "VALUES (:id, 'question', 'T', :status, 1, '', '2026-01-01 00:00:00', "
                    "'2026-01-01 00:00:00')"
                ),
                {"id": draft_id, "status": status},
            )

    def statuses() -> list[str]:
        with db.engine.connect() as conn:
            return list(conn.execute(text("SELECT status FROM drafts ORDER BY id")).scalars())

    upgrade(revision="0024")
    assert statuses() == ["returned", "in-review"]
    downgrade(revision="0023")
    assert statuses() == ["rejected", "in-review"]
