"""Single sign-on against a real OpenID provider (oidc-provider-mock, served by these tests on a free
127.0.0.1 port): the app discovers it, runs the code flow with PKCE, state and nonce, and validates the
id_token with the provider's published keys. Tampered and expired tokens go through that same validation."""

from __future__ import annotations

import base64
import importlib
import json
import socket
import threading
import warnings
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.deprecate import AuthlibDeprecationWarning
from flask import g
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Role, User
from tests.conftest import csrf_token

with warnings.catch_warnings():
    # oidc-provider-mock (a test dependency) still imports authlib.jose, which Authlib deprecates.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    oidc_provider_mock = importlib.import_module("oidc_provider_mock")

# The provider answers on a thread of this process, so the suite's "warnings are errors" reaches it: the
# mock still calls an Authlib server API that Authlib deprecates (not our code, and not the client side).
pytestmark = pytest.mark.filterwarnings(
    r"ignore:get_jwt_config\(self, grant\) is deprecated:DeprecationWarning"
)

ROLE_MAP = "oda-trainee=trainee, oda-trainer=trainer, oda-authors=author"


class TokenTamper:
    """WSGI middleware in front of the provider: with `mode` "payload" or "foreign-key" the id_token in the
    token endpoint's answer is altered on its way to the app, as an attacker in the middle (or a rogue
    provider) would; with "issuer" the discovery document names another issuer."""

    def __init__(self, app):
        self.app = app
        self.mode: str | None = None
        self.claims: dict = {}

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO")
        if self.mode == "issuer" and path == "/.well-known/openid-configuration":
            return self._rewritten(
                environ, start_response, lambda body: {**body, "issuer": "https://impostor.test"}
            )
        if self.mode in ("payload", "foreign-key") and path == "/oauth2/token":
            return self._rewritten(
                environ, start_response, lambda body: {**body, "id_token": self._altered(body["id_token"])}
            )
        return self.app(environ, start_response)

    def _rewritten(self, environ, start_response, change):
        captured: dict = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)

        answer = self.app(environ, capture)
        try:
            body = json.loads(b"".join(answer))
        finally:
            if hasattr(answer, "close"):
                answer.close()
        data = json.dumps(change(body)).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], headers + [("Content-Length", str(len(data)))])
        return [data]

    def _altered(self, id_token: str) -> str:
        header, payload, signature = id_token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims.update(self.claims)
        if self.mode == "payload":  # the claims changed, the provider's signature kept
            encoded = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
            return f"{header}.{encoded}.{signature}"
        # "foreign-key": signed afresh with a key that is not the provider's, in the provider's header
        original = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
        return jwt.encode(original, claims, RSAKey.generate_key(2048))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def _serve(wsgi_app):
    """The provider on a background thread on 127.0.0.1, stopped and closed afterwards."""
    server = make_server("127.0.0.1", _free_port(), wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture(scope="session")
def provider():
    """A real OpenID provider: (issuer URL, the tamper switch in front of its token endpoint)."""
    tamper = TokenTamper(oidc_provider_mock.app())
    with _serve(tamper) as issuer:
        yield issuer, tamper


@pytest.fixture(scope="session")
def expiring_provider():
    """A provider whose tokens expired ten minutes before they were issued (beyond any clock leeway)."""
    with _serve(oidc_provider_mock.app(access_token_max_age=timedelta(minutes=-10))) as issuer:
        yield issuer


@contextmanager
def _configured(app, issuer: str, **settings):
    saved = {key: app.config[key] for key in app.config if key.startswith("OIDC_")}
    app.config.update(
        {
            "OIDC_ISSUER": issuer,
            "OIDC_CLIENT_ID": "academy",
            "OIDC_CLIENT_SECRET": "test-client-secret",
            "OIDC_PROVIDER_NAME": "Example ID",
            "OIDC_ROLES_CLAIM": "groups",
            "OIDC_ROLE_MAP": ROLE_MAP,
            "OIDC_COHORT_CLAIM": "cohort",
            **settings,
        }
    )
    try:
        yield
    finally:
        app.config.update(saved)


@pytest.fixture
def sso(app, provider):
    issuer, tamper = provider
    with _configured(app, issuer):
        yield issuer, tamper
    tamper.mode, tamper.claims = None, {}


def _claims(email: str, groups=("oda-trainee",), verified=True, **more) -> dict:
    return {
        "email": email,
        "email_verified": verified,
        "name": more.pop("name", "Sam Signon"),
        "groups": list(groups),
        **more,
    }


def _sign_in(client, issuer: str, sub: str, claims: dict):
    """The whole flow as a browser makes it: the app sends the person to the provider, the person picks
    an identity there, the provider sends them back with a code, the app exchanges it and validates."""
    g.pop("_login_user", None)
    with requests.Session() as http:
        http.put(f"{issuer}/users/{sub}", json=claims, timeout=5).raise_for_status()
        start = client.get("/login/sso")
        assert start.status_code == 302, start.get_data(as_text=True)
        authorize = start.headers["Location"]
        assert authorize.startswith(f"{issuer}/oauth2/authorize?")
        answer = http.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/login/sso/callback"
    return client.get(f"{back.path}?{back.query}")


def _signed_in_as(client) -> str | None:
    g.pop("_login_user", None)
    page = client.get("/account")
    if page.status_code != 200:
        return None
    text = page.get_data(as_text=True)
    return text.split("<dt>E-mail</dt><dd>", 1)[1].split("</dd>", 1)[0]


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_without_settings_there_is_no_button_and_no_route(client, app):
    assert not app.config["OIDC_ISSUER"]
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404


def test_the_login_page_offers_the_provider(client, sso):
    assert "Sign in with Example ID" in client.get("/login").get_data(as_text=True)


def test_the_authorization_request_uses_pkce_state_and_nonce(client, sso):
    start = client.get("/login/sso")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["response_type"] == ["code"] and query["client_id"] == ["academy"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == ["http://localhost/login/sso/callback"]


def test_a_first_sign_in_creates_the_account_with_roles_and_cohort_from_the_claims(client, world, sso):
    issuer, _ = sso
    before = _users()
    response = _sign_in(client, issuer, "new-1", _claims("New.Person@Example.test", cohort="Cohort A"))
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert _users() == before + 1
    person = db.session.scalar(select(User).where(User.email == "new.person@example.test"))
    assert person.roles == {Role.TRAINEE} and person.name == "Sam Signon"
    assert person in world.cohort.trainees
    assert _signed_in_as(client) == "new.person@example.test"
    assert client.get("/home/trainee").status_code == 200


def test_a_cohort_no_one_created_is_not_made_up(client, world, sso):
    issuer, _ = sso
    _sign_in(client, issuer, "new-2", _claims("second@example.test", cohort="No Such Cohort"))
    person = db.session.scalar(select(User).where(User.email == "second@example.test"))
    assert person.roles == {Role.TRAINEE}
    assert person not in world.cohort.trainees and person not in world.other_cohort.trainees


def test_an_existing_account_is_matched_by_its_verified_email(client, world, sso):
    issuer, _ = sso
    before = _users()
    response = _sign_in(client, issuer, "tom", _claims("TRAINER@example.test", groups=["oda-trainer"]))
    assert response.status_code == 302 and _users() == before
    assert _signed_in_as(client) == world.trainer.email
    assert client.get("/home/trainer").status_code == 200


def test_roles_the_claims_grant_are_added_and_none_are_taken_away(client, world, sso):
    issuer, _ = sso
    _sign_in(client, issuer, "ann", _claims(world.author.email, groups=["oda-trainee", "unmapped"]))
    assert db.session.get(User, world.author.id).roles == {Role.AUTHOR, Role.TRAINEE}


def test_claims_that_grant_no_role_are_refused_and_no_account_is_created(client, world, sso):
    issuer, _ = sso
    before = _users()
    response = _sign_in(client, issuer, "mkt", _claims("marketing@example.test", groups=["marketing"]))
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "not in any group that gives access to the Order Desk Academy" in page
    assert _users() == before and _signed_in_as(client) is None
    assert _sign_in(client, issuer, "tom", _claims(world.trainer.email, groups=[])).status_code == 403


def test_an_unverified_email_is_refused_even_for_an_existing_account(client, world, sso):
    issuer, _ = sso
    response = _sign_in(
        client, issuer, "impostor", _claims(world.admin.email, groups=["oda-trainer"], verified=False)
    )
    assert response.status_code == 403 and "did not confirm your e-mail address" in response.get_data(
        as_text=True
    )
    assert _signed_in_as(client) is None
    assert db.session.get(User, world.admin.id).roles == {Role.ADMIN}


def test_a_role_map_that_cannot_be_read_refuses_everyone_and_says_whom_to_tell(app, client, world, provider):
    issuer, _ = provider
    with _configured(app, issuer, OIDC_ROLE_MAP="oda-trainee"):
        response = _sign_in(client, issuer, "tess", _claims(world.trainee.email))
    assert response.status_code == 403 and "misconfigured here (OIDC_ROLE_MAP)" in response.get_data(
        as_text=True
    )
    assert _signed_in_as(client) is None


def test_without_provisioning_only_existing_accounts_sign_in(app, client, world, provider):
    issuer, _ = provider
    with _configured(app, issuer, OIDC_PROVISION=False):
        refused = _sign_in(client, issuer, "newbie", _claims("newbie@example.test"))
        assert refused.status_code == 403 and "Ask an admin to create one" in refused.get_data(as_text=True)
        assert _sign_in(client, issuer, "tess", _claims(world.trainee.email)).status_code == 302
    assert _signed_in_as(client) == world.trainee.email


def test_a_deactivated_account_cannot_sign_in_through_the_provider(client, world, sso):
    issuer, _ = sso
    world.trainee.active = False
    db.session.commit()
    response = _sign_in(client, issuer, "tess", _claims(world.trainee.email))
    assert response.status_code == 403 and "deactivated" in response.get_data(as_text=True)
    assert _signed_in_as(client) is None


def test_deactivation_ends_a_session_that_came_through_the_provider(client, world, sso):
    issuer, _ = sso
    _sign_in(client, issuer, "tess", _claims(world.trainee.email))
    assert _signed_in_as(client) == world.trainee.email
    world.trainee.active = False
    db.session.commit()
    assert _signed_in_as(client) is None


@pytest.mark.parametrize("mode", ["payload", "foreign-key"])
def test_a_tampered_id_token_is_refused(client, world, sso, mode, caplog):
    """Claims rewritten to an admin's address: with the provider's signature kept, or signed with another
    key under the provider's key id. Either way the signature check against the provider's keys fails."""
    issuer, tamper = sso
    tamper.mode, tamper.claims = mode, {"email": world.admin.email, "groups": ["oda-trainer"]}
    response = _sign_in(client, issuer, "mallory", _claims("mallory@example.test"))
    assert response.status_code == 400
    assert "its identity token did not pass validation" in response.get_data(as_text=True)
    assert _signed_in_as(client) is None
    assert db.session.scalar(select(User).where(User.email == "mallory@example.test")) is None
    assert "id_token refused: bad_signature" in caplog.text


def test_a_discovery_document_naming_another_issuer_is_refused(app, client, provider):
    issuer, tamper = provider
    tamper.mode = "issuer"
    try:
        with _configured(app, issuer, OIDC_CLIENT_SECRET="a-client-that-fetches-discovery-afresh"):
            response = client.get("/login/sso")
    finally:
        tamper.mode = None
    assert response.status_code == 400 and "names another issuer" in response.get_data(as_text=True)


def test_an_expired_id_token_is_refused(app, client, expiring_provider, caplog):
    with _configured(app, expiring_provider):
        response = _sign_in(client, expiring_provider, "late", _claims("late@example.test"))
    assert response.status_code == 400
    assert "its identity token did not pass validation" in response.get_data(as_text=True)
    assert _signed_in_as(client) is None
    assert "id_token refused: expired_token" in caplog.text


def test_a_callback_with_a_foreign_or_replayed_state_is_refused(app, client, sso):
    issuer, _ = sso
    g.pop("_login_user", None)
    with requests.Session() as http:
        http.put(f"{issuer}/users/replay", json=_claims("replay@example.test"), timeout=5).raise_for_status()
        authorize = client.get("/login/sso").headers["Location"]
        answer = http.post(authorize, data={"sub": "replay"}, allow_redirects=False, timeout=5)
    back = urlsplit(answer.headers["Location"])
    query = parse_qs(back.query)
    forged = client.get(f"{back.path}?code={query['code'][0]}&state=not-the-one-we-sent")
    assert forged.status_code == 400 and _signed_in_as(client) is None
    another_browser = app.test_client()
    assert (
        another_browser.get(f"{back.path}?{back.query}").status_code == 400
    )  # the state is not in its session
    assert _signed_in_as(another_browser) is None


def test_an_error_from_the_provider_signs_nobody_in(client, sso):
    client.get("/login/sso")
    response = client.get("/login/sso/callback?error=access_denied&error_description=The+user+said+no")
    assert response.status_code == 400 and "The user said no" in response.get_data(as_text=True)


def test_an_unreachable_provider_is_said_so(app, client):
    with _configured(app, f"http://127.0.0.1:{_free_port()}"):
        response = client.get("/login/sso")
    assert response.status_code == 400 and "could not be reached" in response.get_data(as_text=True)


def test_sign_out_ends_the_session_here_and_at_the_provider(client, world, sso):
    issuer, _ = sso
    _sign_in(client, issuer, "tess", _claims(world.trainee.email))
    generation = db.session.get(User, world.trainee.id).session_generation
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert response.status_code == 302
    end = urlsplit(response.headers["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{issuer}/oauth2/end_session"
    query = parse_qs(end.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/login"] and query["id_token_hint"][0]
    db.session.expire_all()
    assert db.session.get(User, world.trainee.id).session_generation == generation + 1
    assert _signed_in_as(client) is None
    with requests.Session() as http:  # the provider accepts the logout request it was sent
        assert http.get(response.headers["Location"], timeout=5).status_code == 200


def test_a_password_sign_out_stays_local(client, world, sso, signed_in):
    signed_in(world.trainee)
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert response.headers["Location"] == "/login"
