"""Signing in and out, landing on one's home, changing a password."""

from app.models import Role
from tests import factories
from tests.conftest import csrf_token, login


def test_login_page_has_email_and_password_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'type="email"' in html and 'type="password"' in html


def test_each_role_lands_on_its_own_home(client, world):
    homes = {
        world.trainee: "/home/trainee",
        world.author: "/home/author",
        world.trainer: "/home/trainer",
        world.admin: "/admin/",
    }
    for person, home in homes.items():
        response = login(client, person.email)
        assert response.status_code == 302
        landing = client.get("/")
        assert landing.headers["Location"].endswith(home), person.email
        assert client.get(home).status_code == 200
        client.post("/logout", data={"csrf_token": csrf_token(client, home)})


def test_person_with_several_roles_lands_on_most_senior_and_sees_both_navs(client, app):
    person = factories.user(Role.TRAINEE, Role.TRAINER)
    login(client, person.email)
    assert client.get("/").headers["Location"].endswith("/home/trainer")
    html = client.get("/home/trainer").get_data(as_text=True)
    assert 'href="/home/trainee"' in html and 'href="/home/trainer"' in html


def test_wrong_password_is_refused_beside_the_field(client, world):
    response = login(client, world.trainee.email, "not-the-password")
    assert response.status_code == 200
    assert "do not match an active account" in response.get_data(as_text=True)
    assert client.get("/home/trainee").status_code == 302


def test_inactive_account_cannot_sign_in(client, world):
    world.trainee.active = False
    factories.db.session.commit()
    assert login(client, world.trainee.email).status_code == 200


def test_sign_out_ends_the_session(client, world):
    login(client, world.trainee.email)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    assert client.get("/home/trainee").status_code == 302


def test_next_parameter_never_leaves_the_site(client, world):
    token = csrf_token(client)
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"email": world.trainee.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_change_password(client, world):
    login(client, world.trainee.email)
    token = csrf_token(client, "/account/password")
    bad = client.post(
        "/account/password",
        data={
            "current_password": "nope",
            "new_password": "a-new-long-one",
            "confirm": "a-new-long-one",
            "csrf_token": token,
        },
    )
    assert "not your current password" in bad.get_data(as_text=True)
    short = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "short",
            "confirm": "short",
            "csrf_token": token,
        },
    )
    assert "at least 10 characters" in short.get_data(as_text=True)
    ok = client.post(
        "/account/password",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "a-new-long-one",
            "confirm": "a-new-long-one",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    assert login(client, world.trainee.email, "a-new-long-one").status_code == 302


def test_passwords_are_stored_hashed(world):
    assert factories.PASSWORD not in world.trainee.password_hash
    assert world.trainee.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_sign_in_is_rate_limited(app, client, world):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [login(client, world.trainee.email, "wrong-password").status_code for _ in range(5)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert statuses[:3] == [200, 200, 200]
    assert statuses[-1] == 429


def test_wrong_passwords_for_one_account_do_not_lock_out_another_from_the_same_address(app, client, world):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        blocked = [login(client, world.trainee.email, "wrong-password").status_code for _ in range(5)]
        colleague = login(client, world.trainer.email)
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert blocked[-1] == 429 and colleague.status_code == 302


def test_the_address_limit_still_stops_a_password_spray(app, client, world):
    app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "4 per minute"
    try:
        statuses = [login(client, f"person{n}@example.test", "guess").status_code for n in range(6)]
    finally:
        app.config["LOGIN_ADDRESS_RATE_LIMIT"] = "1000 per minute"
    assert statuses[:4] == [200] * 4 and statuses[-1] == 429


def test_behind_a_configured_proxy_the_forwarded_address_is_the_visitors(monkeypatch):
    from flask import request

    from app import create_app
    from config import TestConfig

    config = TestConfig()
    config.PROXY_FIX_HOPS = 1
    app = create_app(config)

    @app.get("/_whoami")
    def whoami():
        return request.remote_addr or ""

    seen = (
        app.test_client().get("/_whoami", headers={"X-Forwarded-For": "203.0.113.9"}).get_data(as_text=True)
    )
    assert seen == "203.0.113.9"


SIGN_IN_WITH_THE_STORE_DOWN = """
import sys
from app import create_app
from app.extensions import db
from app.models import Role
from app.services import accounts
from config import TestConfig

config = TestConfig()
config.SQLALCHEMY_DATABASE_URI = "sqlite://"
config.RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1"  # nothing listens there: the store is down
config.WTF_CSRF_ENABLED = False
if sys.argv[1] == "strict":  # what a default Flask-Limiter does
    config.RATELIMIT_SWALLOW_ERRORS = config.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = False
app = create_app(config)
app.config["PROPAGATE_EXCEPTIONS"] = False
with app.app_context():
    db.create_all()
    accounts.create_user("desk@example.test", "a-long-password-1", [Role.TRAINEE])
    db.session.commit()
    response = app.test_client().post("/login", data={"email": "desk@example.test", "password": "a-long-password-1"})
print(response.status_code)
"""


def test_sign_in_keeps_working_when_the_rate_limit_store_is_down():
    """In a process of its own: the limiter reads its storage once, when the app starts."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    statuses = {
        mode: subprocess.run(
            [sys.executable, "-c", SIGN_IN_WITH_THE_STORE_DOWN, mode],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin", "APP_ENV": "test"},
        ).stdout.strip()
        for mode in ("ours", "strict")
    }
    assert statuses == {"ours": "302", "strict": "500"}  # ours signs in; without the fallback it would fail


def test_every_navigation_link_opens_for_the_person_who_sees_it(app, world, bank):
    import re

    from flask import g

    seen = {}
    for person in (world.trainee, world.author, world.trainer, world.admin):
        g.pop("_login_user", None)
        g.pop("csrf_token", None)
        client = app.test_client()
        login(client, person.email)
        page = client.get(client.get("/").headers["Location"]).get_data(as_text=True)
        nav = re.search(r'<ul class="nav-links">(.*?)</ul>', page, re.S) or re.search(
            r"<nav[^>]*>(.*?)</nav>", page, re.S
        )
        links = re.findall(r'<li><a href="(/[^"]*)"', nav.group(1))
        assert links, f"{person.email} sees no navigation"
        for href in links:
            assert client.get(href).status_code == 200, f"{person.email}: {href}"
        seen[person.email] = set(links)
    assert "/admin/" in seen[world.admin.email] and "/admin/" not in seen[world.trainer.email]
    assert "/practice/" in seen[world.trainee.email] and "/practice/" not in seen[world.author.email]
