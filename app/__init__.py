"""Order Desk Academy: the application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

from app import api, audit, cli, display, errors, jobs, schema_migrations, security
from app.admin import bp as admin_bp
from app.auth import bp as auth_bp
from app.auth import session as auth_session
from app.authoring import bp as authoring_bp
from app.exams import bp as exams_bp
from app.extensions import csrf, db, limiter, login_manager
from app.health import bp as health_bp
from app.home import bp as home_bp
from app.lti import bp as lti_bp
from app.notifications import bp as notifications_bp
from app.password_reset import bp as password_reset_bp
from app.practice import bp as practice_bp
from app.readiness import bp as readiness_bp
from app.scenarios import bp as scenarios_bp
from app.sso import bp as sso_bp
from app.tokens import bp as tokens_bp
from app.trainer import bp as trainer_bp
from config import Config, config_for

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _ensure_sqlite_folder(database_url: str) -> None:
    """SQLite creates the file but not its folder (instance/ on a fresh clone)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _tune_sqlite(app: Flask) -> None:
    """WAL and synchronous=NORMAL: readers never wait for a writer, and a commit costs no fsync of the
    whole database. The standard settings for SQLite behind a web server; PostgreSQL is untouched."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
            return

        @event.listens_for(engine, "connect")
        def set_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()


def create_app(config: Config | str | None = None) -> Flask:
    """Build the app for a config object, a config name, or APP_ENV."""
    app = Flask(__name__, instance_relative_config=True)
    security.register_converters(app)
    app.config.from_object(config if isinstance(config, Config) else config_for(config))
    if app.config.get("PROXY_FIX_HOPS"):
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    _ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    audit.init_app(app)
    jobs.init_app(app)
    _tune_sqlite(app)
    schema_migrations.init_app(app, str(MIGRATIONS_DIR))
    security.init_app(app)  # before CSRF: a NUL byte gets its own clear 400
    csrf.init_app(app)
    login_manager.init_app(app)
    auth_session.init_app(app)
    limiter.init_app(app)
    errors.init_app(app)
    cli.init_app(app)

    display.init_app(app)
    for blueprint in (
        auth_bp,
        home_bp,
        admin_bp,
        health_bp,
        practice_bp,
        exams_bp,
        scenarios_bp,
        trainer_bp,
        readiness_bp,
        authoring_bp,
        sso_bp,
        password_reset_bp,
        notifications_bp,
        lti_bp,
        tokens_bp,
    ):
        app.register_blueprint(blueprint)
    api.init_app(app)  # the JSON API and its OpenAPI document
    return app
