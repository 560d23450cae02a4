"""Sign in through the identity provider: /login/sso starts it, /login/sso/callback finishes it.

Both answer 404 when single sign-on is not configured. Whatever goes wrong at the provider or in the
returned tokens (state, nonce, signature, expiry, issuer, audience) ends on a page that says so; nobody
is signed in."""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import current_user, login_user

from app.extensions import db
from app.policy import NotFound
from app.services import single_sign_on
from app.services.single_sign_on import SignInRefused
from app.sso import provider

bp = Blueprint("sso", __name__)
log = logging.getLogger(__name__)


@bp.app_context_processor
def sign_in_button() -> dict:
    """The login page shows "Sign in with <provider>" only when single sign-on is configured."""
    return {"sso_provider_name": current_app.config["OIDC_PROVIDER_NAME"] if provider.configured() else None}


def _provider_or_404():
    client = provider.client()
    if client is None:
        raise NotFound("Single sign-on is not configured here: sign in with your e-mail and password.")
    return client


def _failed(reason: str):
    name = current_app.config["OIDC_PROVIDER_NAME"]
    message = f"Signing in with {name} did not complete ({reason}). Nobody was signed in: try again."
    return render_template("sso/refused.html", message=message), 400


@bp.get("/login/sso")
def start():
    client = _provider_or_404()
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    from requests import RequestException  # loaded only where single sign-on is used (provider.py)

    try:
        if not provider.issuer_matches(client.load_server_metadata()):
            return _failed("the provider's discovery document names another issuer")
        return client.authorize_redirect(url_for("sso.callback", _external=True))
    except (RequestException, ValueError) as error:  # the provider's discovery document is unreachable
        log.warning("single sign-on: discovery at %s failed: %s", current_app.config["OIDC_ISSUER"], error)
        return _failed("the identity provider could not be reached")


@bp.get("/login/sso/callback")
def callback():
    client = _provider_or_404()
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError
    from requests import RequestException

    try:
        if not provider.issuer_matches(client.load_server_metadata()):
            return _failed("the provider's discovery document names another issuer")
        token = client.authorize_access_token()
    except AuthlibBaseError as error:  # state mismatch, a refusal at the provider, a refused code
        log.warning("single sign-on failed: %s", error)
        return _failed(error.description or error.error or "the provider answered with an error")
    except JoseError as error:  # the id_token: bad signature, expired, wrong issuer, audience or nonce
        log.warning("single sign-on: id_token refused: %s", error)
        return _failed("its identity token did not pass validation")
    except RequestException as error:
        log.warning("single sign-on: provider unreachable: %s", error)
        return _failed("the identity provider could not be reached")
    claims = token.get("userinfo")
    if not claims:  # no id_token, or no nonce of ours to check it against: never trust it
        return _failed("no identity token came back")
    try:
        user = single_sign_on.account_for(claims, current_app.config)
    except SignInRefused as refused:
        db.session.rollback()
        return render_template("sso/refused.html", message=str(refused)), refused.status
    db.session.commit()
    login_user(user)  # the session carries the account's generation: sign-out and deactivation apply
    provider.remember_sign_in(token.get("id_token"))
    log.info("%s signed in through single sign-on", user.email)
    return redirect(url_for("home.index"))
