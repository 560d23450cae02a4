"""Health endpoint, security headers, error pages and config rules."""

import pytest
from sqlalchemy.exc import OperationalError

from app.extensions import db
from config import ProductionConfig


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_security_headers_and_csp_without_inline_script(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.get_data(as_text=True)


def test_session_cookie_is_httponly_and_lax(client, world):
    from tests.conftest import login

    response = login(client, world.trainee.email)
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Go to your home page" in response.get_data(as_text=True)


def test_production_refuses_the_default_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        ProductionConfig()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    config = ProductionConfig()
    assert config.SESSION_COOKIE_SECURE is True


def test_assets_are_served_by_the_app(client):
    html = client.get("/login").get_data(as_text=True)
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    for asset in ("/static/css/app.css", "/static/js/app.js"):
        response = client.get(asset)
        assert response.status_code == 200
        response.close()


def test_development_makes_its_own_random_key_once_and_refuses_a_known_one(monkeypatch, tmp_path):
    import config as settings

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path))
    first, again = settings.DevelopmentConfig(), settings.DevelopmentConfig()
    assert len(first.SECRET_KEY) == 64 and first.SECRET_KEY == again.SECRET_KEY
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    for known in settings.KNOWN_KEYS:
        monkeypatch.setenv("SECRET_KEY", known)
        with pytest.raises(RuntimeError, match="written in the repository"):
            settings.DevelopmentConfig()
        with pytest.raises(RuntimeError, match="written in the repository"):
            ProductionConfig()


@pytest.mark.parametrize(
    "path", ["/practice/sessions/2147483648", "/exams/99999999999/results", "/scenarios/attempts/2147483648"]
)
def test_an_id_past_the_integer_range_is_404_not_500(client, world, signed_in, path):
    signed_in(world.trainee)
    assert client.get(path).status_code == 404


def test_a_nul_byte_in_a_form_is_a_clear_400_even_signed_out(client):
    response = client.post("/login", data={"email": "a\x00@b.test", "password": "x"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)


def test_csv_cells_that_look_like_formulas_are_neutralised():
    from app.trainer.routes import spreadsheet_safe

    assert [spreadsheet_safe(c) for c in ["=HYPERLINK(1)", "+1", "-2", "@x", "Plain", 5, -3.5]] == [
        "'=HYPERLINK(1)",
        "'+1",
        "'-2",
        "'@x",
        "Plain",
        5,
        -3.5,
    ]


def test_authored_html_cannot_borrow_the_apps_classes_and_links_are_marked():
    from app.domain.markdown_render import MarkdownRenderer

    html = MarkdownRenderer().render('<div class="flash">Sign in again</div>\n\n[x](https://e.test)')
    assert "class=" not in html and 'rel="noopener noreferrer external"' in html


def test_a_database_failure_gives_a_page_that_needs_no_database(app, client, world, signed_in, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from app.services import accounts

    signed_in(world.trainee)

    def down(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(accounts, "cohorts_of_trainee", down)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/home/trainee")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Something went wrong on our side" in page
    assert response.headers["X-Request-ID"] in page and "Sign out" not in page  # no menu: no user lookup


def test_postgresql_connections_have_connect_and_statement_timeouts(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://academy@db.internal/academy")
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT_MS", "9000")
    from config import DevelopmentConfig

    options = DevelopmentConfig().SQLALCHEMY_ENGINE_OPTIONS
    assert options["connect_args"] == {"connect_timeout": 2, "options": "-c statement_timeout=9000"}
