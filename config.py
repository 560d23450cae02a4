"""Settings for each environment, read from the environment when the app is created (never at import)."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET_KEY = "dev-only-not-secret"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults shared by every environment. Each setting can be overridden by an environment variable."""

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or self.default_database_url()
        # A server database may drop idle connections: check each one on checkout. A SQLite file cannot.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": not self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")}
        self.CONTENT_DIR = os.environ.get("CONTENT_DIR", str(BASE_DIR / "content"))
        self.SCENARIOS_DIR = os.environ.get("SCENARIOS_DIR", str(BASE_DIR / "scenarios"))
        # Flask-Limiter: memory per process by default; set a redis:// URL when running several workers/hosts.
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session: long exams must not expire them
        self.PASSWORD_HASH_METHOD = "scrypt"
        self.MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    @staticmethod
    def default_database_url() -> str:
        return f"sqlite:///{BASE_DIR / 'instance' / 'academy.sqlite3'}"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the reloader is opt-in (FLASK_DEBUG=1); `make run` serves like production would


class TestConfig(Config):
    __test__ = False  # not a pytest test class
    ENV_NAME = "test"
    TESTING = True

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "test-secret-key"
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.LOGIN_RATE_LIMIT = "1000 per minute"
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # scrypt is slow on purpose; tests need not be


class ProductionConfig(Config):
    ENV_NAME = "production"

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        if self.SECRET_KEY == DEFAULT_SECRET_KEY or len(self.SECRET_KEY) < 32:
            raise RuntimeError(
                "SECRET_KEY must be set to a random value of at least 32 characters in production, "
                "e.g. SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
            )


CONFIGS = {"development": DevelopmentConfig, "test": TestConfig, "production": ProductionConfig}


def config_for(name: str | None = None) -> Config:
    """Build the config named by the argument or by APP_ENV (development when unset)."""
    name = name or os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise RuntimeError(f"APP_ENV={name!r} is not one of {', '.join(CONFIGS)}") from None
