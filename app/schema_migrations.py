"""Flask-Migrate (Alembic), loaded only when something migrates: `flask db ...`, or code that reads
app.extensions["migrate"] (flask_migrate.upgrade in tests and benchmarks, migrations/env.py).

Alembic is about 11 MB of every process's memory and a share of its start-up; a web worker never
migrates, so it never loads it (bench memory_and_start, tests/web/test_startup.py).
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, current_app

from app.extensions import db

OPTIONS: dict[str, Any] = {"render_as_batch": True}  # batch mode: ALTERs that SQLite cannot do in place


def init_app(app: Flask, directory: str) -> None:
    app.extensions["migrate"] = _Deferred(app, directory)
    app.cli.add_command(_Commands("db", help="Database migrations (Flask-Migrate: upgrade, downgrade, ...)."))


def _load(app: Flask, directory: str) -> Any:
    """Flask-Migrate's own setup: it replaces the deferred entry and the `db` command with the real ones."""
    from flask_migrate import Migrate

    Migrate(app, db, directory=directory, **OPTIONS)
    return app.extensions["migrate"]


class _Deferred:
    """Stands for Flask-Migrate's config in app.extensions until an attribute is read."""

    def __init__(self, app: Flask, directory: str):
        self._app, self._directory, self._loaded = app, directory, None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if self._loaded is None:
            self._loaded = _load(self._app, self._directory)
        return getattr(self._loaded, name)


class _Commands(click.Group):
    """`flask db`: stands for Flask-Migrate's command group, which parses and runs the command line once it
    is invoked (the Flask CLI has pushed the app context by then); `flask --help` lists it unloaded."""

    def make_context(
        self, info_name: str | None, args: list[str], parent=None, **extra: Any
    ) -> click.Context:
        current_app.extensions["migrate"].directory  # loads Flask-Migrate for this app  # noqa: B018
        from flask_migrate.cli import db as group

        return group.make_context(info_name, args, parent=parent, **extra)
