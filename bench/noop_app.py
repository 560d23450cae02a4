"""The fixed cost of a signed-in request: the app as create_app() builds it, plus one bench-only route
behind login_required that returns a tiny body. Served by `make bench` like the app; never part of app/.

    gunicorn 'bench.noop_app:create_noop_app()'
"""

from __future__ import annotations

from flask import Flask
from flask_login import login_required

from app import create_app
from config import Config

PATH = "/bench/noop"


def create_noop_app(config: Config | str | None = None) -> Flask:
    app = create_app(config)

    @app.get(PATH)
    @login_required
    def bench_noop() -> str:
        return "ok"

    return app
