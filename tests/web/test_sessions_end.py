"""Sessions that end: a cookie saved before sign-out, a remember-me cookie, or a cookie from before a
password change or an admin reset opens nothing afterwards."""

from __future__ import annotations

from flask import g

from app.extensions import db
from tests import factories
from tests.conftest import csrf_token, login


def _as(client):
    """Requests here share the test's app context: the user and the CSRF token cached in `g` for one client
    must go before another client's request."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    return client


def _cookies(client) -> dict[str, str]:
    return {c.key: c.value for c in client._cookies.values()}


def _replay(app, cookies):
    other = app.test_client()
    for key, value in cookies.items():
        other.set_cookie(key, value)
    return other


def test_a_cookie_saved_before_sign_out_opens_nothing(app, client, world):
    data = {
        "csrf_token": csrf_token(client),
        "email": world.trainee.email,
        "password": factories.PASSWORD,
        "remember": "y",
    }
    assert client.post("/login", data=data).status_code == 302
    saved = _cookies(client)
    assert "remember_token" in saved and _as(_replay(app, saved)).get("/account").status_code == 200
    _as(client).post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert (
        _as(_replay(app, saved)).get("/account").status_code == 302
    )  # back to sign-in: session and token dead
    assert _as(_replay(app, {"remember_token": saved["remember_token"]})).get("/account").status_code == 302


def test_a_password_change_ends_other_sessions_but_not_this_one(app, client, world):
    login(client, world.trainee.email)
    laptop = app.test_client()
    login(_as(laptop), world.trainee.email)
    _as(client).post(
        "/account/password",
        data={
            "csrf_token": csrf_token(client, "/account/password"),
            "current_password": factories.PASSWORD,
            "new_password": "a-new-long-password-1",
            "confirm": "a-new-long-password-1",
        },
    )
    assert _as(client).get("/account").status_code == 200
    assert _as(laptop).get("/account").status_code == 302


def test_an_admin_reset_ends_the_persons_sessions(app, client, world):
    trainee = app.test_client()
    login(trainee, world.trainee.email)
    login(_as(client), world.admin.email)
    page = f"/admin/users/{world.trainee.id}"
    form = client.get(page).get_data(as_text=True)
    assert "new_password" in form
    from app.models import User

    user = db.session.get(User, world.trainee.id)
    data = {
        "csrf_token": csrf_token(client, page),
        "name": user.name,
        "email": user.email,
        "roles": [r.value for r in user.roles],
        "active": "y",
        "new_password": "reset-by-admin-123456",
    }
    client.post(page, data=data)
    assert _as(trainee).get("/account").status_code == 302
