"""What a server process does around the app: a gunicorn worker forked from a master that built the app
(`--preload`, as the README serves it) starts with connections of its own.

Forking copies the master's open sockets and connection pools. Two processes talking PostgreSQL (or
writing SQLite) over one connection corrupt each other's conversations, so each worker drops what it
inherited without closing it (closing would close it for the master and the other workers too) and
opens its own on first use; this is SQLAlchemy's documented pattern for os.fork() (Engine.dispose with
close=False). The same goes for the Redis clients of background jobs. What needs nothing here: the
Markdown renderer's child process is started per request and never kept; Flask-Limiter's storage is
either per process memory or Redis through redis-py, whose pools notice a fork and reconnect.
"""

from __future__ import annotations

from flask import Flask

from app.extensions import db


def after_fork(app: Flask) -> None:
    """In a freshly forked worker: forget the pooled database connections and Redis clients inherited from
    the master, without closing them (they are still the master's)."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)
    app.extensions.pop("jobs_redis", None)  # app.jobs makes a new client on first use
