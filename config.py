"""Settings for each environment, read from the environment when the app is created (never at import)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def instance_dir() -> Path:
    """Where the secret key, the LTI tool key and the SQLite database live: instance/ beside config.py in a
    checkout; set INSTANCE_DIR when the app is installed as a package (site-packages is no place for them)."""
    return Path(os.environ.get("INSTANCE_DIR") or BASE_DIR / "instance")


TEST_SECRET_KEY = "test-secret-key"
# Keys that have been written in this repository: anyone can sign a cookie with them.
KNOWN_KEYS = frozenset({TEST_SECRET_KEY, "dev-only-not-secret"})


def instance_secret_key(folder: Path | None = None) -> str:
    """The development key: random, made once in instance/secret_key (never committed), then reused so
    sessions survive restarts. Two workers starting at once agree: the first to create the file wins."""
    folder = folder or instance_dir()
    path = folder / "secret_key"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    """Defaults shared by every environment. Each setting can be overridden by an environment variable."""

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or self.default_secret_key()
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or self.default_database_url()
        # A server database may drop idle connections: check each one on checkout. A SQLite file cannot.
        # A database that accepts connections but never answers must not hang every page: connect within
        # DB_CONNECT_TIMEOUT seconds, and no statement runs longer than DB_STATEMENT_TIMEOUT_MS.
        server = not self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")
        self.SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": server}
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            self.SQLALCHEMY_ENGINE_OPTIONS["connect_args"] = {
                "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "2")),
                "options": f"-c statement_timeout={int(os.environ.get('DB_STATEMENT_TIMEOUT_MS', '15000'))}",
            }
        self.CONTENT_DIR = os.environ.get("CONTENT_DIR", str(BASE_DIR / "content"))
        self.SCENARIOS_DIR = os.environ.get("SCENARIOS_DIR", str(BASE_DIR / "scenarios"))
        # Flask-Limiter: memory per process by default; set a redis:// URL when running several workers/hosts.
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")  # per account
        self.LOGIN_ADDRESS_RATE_LIMIT = os.environ.get(
            "LOGIN_ADDRESS_RATE_LIMIT", "60 per minute"
        )  # per address
        # JSON API: requests with a missing or bad token, per client address (then 429 for that address).
        self.API_AUTH_FAILURE_RATE_LIMIT = os.environ.get("API_AUTH_FAILURE_RATE_LIMIT", "10 per minute")
        # Redis down must not stop people signing in: count in memory meanwhile (each fallback is logged).
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        # Behind a TLS proxy every visitor would share the proxy's address: trust this many X-Forwarded hops.
        self.PROXY_FIX_HOPS = int(os.environ.get("PROXY_FIX_HOPS", "0"))
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session: long exams must not expire them
        self.PASSWORD_HASH_METHOD = "scrypt"
        self.MAX_CONTENT_LENGTH = 2 * 1024 * 1024
        # Previews and publishing render authors' Markdown in a child process killed after this long.
        self.RENDER_BUDGET_SECONDS = float(os.environ.get("RENDER_BUDGET_SECONDS", "1"))
        self.LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
        self.LOG_JSON = _env_bool("LOG_JSON", True)
        # LTI 1.3: the tool's RSA key (PEM) from a file, else made once in LTI_KEY_DIR/lti_private_key.pem
        # (instance/, never committed); the seconds any call to an LMS (JWKS, token, scores) may take.
        self.LTI_PRIVATE_KEY_FILE = os.environ.get("LTI_PRIVATE_KEY_FILE") or None
        self.LTI_KEY_DIR: str | None = str(instance_dir())
        self.LTI_HTTP_TIMEOUT = float(os.environ.get("LTI_HTTP_TIMEOUT", "10"))

        self._single_sign_on()
        self._mail()
        self.read_jobs_and_xapi()

    def _single_sign_on(self) -> None:
        """OpenID Connect beside passwords; off unless issuer, client id and secret are all set (README)."""
        self.OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
        self.OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
        self.OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
        self.OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "your company account")
        self.OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile")
        self.OIDC_ROLES_CLAIM = os.environ.get("OIDC_ROLES_CLAIM", "groups")
        self.OIDC_ROLE_MAP = os.environ.get(
            "OIDC_ROLE_MAP", ""
        )  # "idp-group=role,...": empty grants nobody a role
        self.OIDC_COHORT_CLAIM = os.environ.get("OIDC_COHORT_CLAIM", "")  # names an existing cohort
        self.OIDC_PROVISION = _env_bool("OIDC_PROVISION", True)  # create accounts on first sign-in

    def _mail(self) -> None:
        """SMTP for password resets, digests, alerts and sign-off requests; no SMTP_HOST, no mail (README)."""
        self.SMTP_HOST = os.environ.get("SMTP_HOST", "")
        self.SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
        self.SMTP_USER = os.environ.get("SMTP_USER", "")
        self.SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
        self.SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", True)
        self.SMTP_TIMEOUT = int(os.environ.get("SMTP_TIMEOUT", "10"))
        self.MAIL_FROM = os.environ.get("MAIL_FROM", "Order Desk Academy <no-reply@localhost>")
        # The site's address for links in e-mails: never the request's Host header, which a sender controls
        # (a forged Host would put a reset link to the attacker's site in a real e-mail). Required by
        # `flask mail ...`; pages fall back to the request's address only when it is unset.
        self.PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")
        self.PASSWORD_RESET_MAX_AGE = int(os.environ.get("PASSWORD_RESET_MAX_AGE", "3600"))  # seconds
        self.PASSWORD_RESET_RATE_LIMIT = os.environ.get(
            "PASSWORD_RESET_RATE_LIMIT", "5 per hour"
        )  # per e-mail
        self.PASSWORD_RESET_ADDRESS_RATE_LIMIT = os.environ.get(
            "PASSWORD_RESET_ADDRESS_RATE_LIMIT", "20 per hour"
        )

    def read_jobs_and_xapi(self) -> None:
        """Background jobs (RQ) and xAPI statements to a learning record store: both off when unset."""
        # No Redis: jobs run inline, in the process, after the request (development on SQLite).
        self.JOBS_REDIS_URL = os.environ.get("JOBS_REDIS_URL") or os.environ.get("REDIS_URL") or None
        self.JOBS_QUEUE = os.environ.get("JOBS_QUEUE", "academy")
        # Seconds before each retry of a failed job; after the last, RQ keeps it in its failed registry.
        self.JOBS_RETRY_DELAYS = [
            int(s) for s in os.environ.get("JOBS_RETRY_DELAYS", "30,120,600").split(",") if s
        ]
        self.JOBS_NIGHTLY_CRON = os.environ.get(
            "JOBS_NIGHTLY_CRON", "30 2 * * *"
        )  # calibration + readiness, UTC
        self.JOBS_WEEKLY_CRON = os.environ.get(
            "JOBS_WEEKLY_CRON", "30 3 * * 1"
        )  # every trainee's weekly snapshot
        self.XAPI_ENDPOINT = (
            os.environ.get("XAPI_ENDPOINT") or None
        )  # the LRS's xAPI root, e.g. https://lrs/xAPI/
        self.XAPI_USERNAME = os.environ.get("XAPI_USERNAME", "")
        self.XAPI_PASSWORD = os.environ.get("XAPI_PASSWORD", "")
        self.XAPI_ACTIVITY_BASE = (os.environ.get("XAPI_ACTIVITY_BASE") or "").rstrip("/") or None
        self.XAPI_ACTOR = os.environ.get("XAPI_ACTOR", "account")  # account (user id) or mbox (e-mail)
        self.XAPI_BATCH_SIZE = int(os.environ.get("XAPI_BATCH_SIZE", "50"))
        self.XAPI_TIMEOUT = float(os.environ.get("XAPI_TIMEOUT", "5"))
        self.XAPI_RETRY_SECONDS = int(
            os.environ.get("XAPI_RETRY_SECONDS", "30")
        )  # first retry; doubles, to 6 h
        if self.XAPI_ENDPOINT and not self.XAPI_ACTIVITY_BASE:
            raise RuntimeError(
                "XAPI_ENDPOINT is set but XAPI_ACTIVITY_BASE is not: set it to the app's public address, e.g. "
                "XAPI_ACTIVITY_BASE=https://academy.example.com (statements name activities and people under it)"
            )
        if self.XAPI_ACTOR not in ("account", "mbox"):
            raise RuntimeError(
                f"XAPI_ACTOR={self.XAPI_ACTOR!r}: use account (the user id) or mbox (the e-mail)"
            )

    def default_secret_key(self) -> str:
        return instance_secret_key()

    def refuse_known_key(self) -> None:
        if self.SECRET_KEY in KNOWN_KEYS:
            raise RuntimeError(
                "SECRET_KEY is a value written in the repository, so anyone could sign a session with it. "
                "Unset it (development makes a random one in instance/secret_key) or set a random value: "
                "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
            )

    @staticmethod
    def default_database_url() -> str:
        return f"sqlite:///{instance_dir() / 'academy.sqlite3'}"


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the reloader is opt-in (FLASK_DEBUG=1); `make run` serves like production would

    def __init__(self) -> None:
        super().__init__()
        self.refuse_known_key()


class TestConfig(Config):
    __test__ = False  # not a pytest test class
    ENV_NAME = "test"
    TESTING = True

    def default_secret_key(self) -> str:
        return TEST_SECRET_KEY  # tests never touch instance/

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = TEST_SECRET_KEY
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.LOGIN_RATE_LIMIT = "1000 per minute"
        self.LOGIN_ADDRESS_RATE_LIMIT = "1000 per minute"
        self.PASSWORD_RESET_RATE_LIMIT = self.PASSWORD_RESET_ADDRESS_RATE_LIMIT = "1000 per minute"
        self.SMTP_HOST = self.OIDC_ISSUER = (
            ""  # a developer's settings never reach the tests; tests set their own
        )
        self.API_AUTH_FAILURE_RATE_LIMIT = "1000 per minute"
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # scrypt is slow on purpose; tests need not be
        self.LTI_KEY_DIR = None  # tests never touch instance/: a tool key made in memory per app


class ProductionConfig(Config):
    ENV_NAME = "production"

    def default_secret_key(self) -> str:
        return ""  # production never makes its own key: it must be given

    def __init__(self) -> None:
        super().__init__()
        self.SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.refuse_known_key()
        if self.SMTP_HOST and not self.PUBLIC_URL:
            raise RuntimeError(
                "SMTP_HOST is set but PUBLIC_URL is not: links in e-mails (password resets) would be built from "
                "the visitor's Host header, which an attacker chooses. Set PUBLIC_URL=https://your.academy.host"
            )
        if len(self.SECRET_KEY) < 32:
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
