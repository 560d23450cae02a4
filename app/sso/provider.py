"""The identity provider's client (Authlib): discovery, the authorization code flow with PKCE, and
RP-initiated logout.

Authlib's Flask client (with the cryptography it brings, about 12 MB and 0.1-0.2 s per process) and
requests are imported when the first client is made: a deployment without single sign-on never loads
them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import current_app, session

if TYPE_CHECKING:
    from authlib.integrations.flask_client.apps import FlaskOAuth2App

DISCOVERY_PATH = "/.well-known/openid-configuration"
# The session remembers that it came through the provider, and the id_token as the logout hint when it is
# small enough: the session is a cookie, and a browser drops a cookie over 4 KB (tokens with many groups).
SIGNED_IN_KEY, ID_TOKEN_KEY, MAX_HINT_LENGTH = "sso", "sso_id_token", 1500
log = logging.getLogger(__name__)


def configured(config: Mapping | None = None) -> bool:
    """Single sign-on is on when the issuer, the client id and the client secret are all set."""
    config = current_app.config if config is None else config
    return all(config.get(name) for name in ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"))


def client() -> FlaskOAuth2App | None:
    """The Authlib client for the configured provider, or None when single sign-on is off.

    Made on first use and kept per app and per settings (the provider's discovery document is fetched
    once); different settings, as in tests that switch providers, get their own client."""
    config = current_app.config
    if not configured(config):
        return None
    key = (
        config["OIDC_ISSUER"],
        config["OIDC_CLIENT_ID"],
        config["OIDC_CLIENT_SECRET"],
        config["OIDC_SCOPES"],
    )
    clients = current_app.extensions.setdefault("sso_clients", {})
    if key not in clients:
        from authlib.integrations.flask_client import OAuth  # only when single sign-on is used (docstring)

        oauth = OAuth(current_app._get_current_object())
        clients[key] = oauth.register(
            "oidc",
            client_id=config["OIDC_CLIENT_ID"],
            client_secret=config["OIDC_CLIENT_SECRET"],
            server_metadata_url=config["OIDC_ISSUER"] + DISCOVERY_PATH,
            # PKCE (S256) on top of the client secret; Authlib adds state and nonce and checks both.
            client_kwargs={
                "scope": config["OIDC_SCOPES"],
                "code_challenge_method": "S256",
                "default_timeout": 10,
            },
        )
    return clients[key]


def issuer_matches(metadata: Mapping) -> bool:
    """OpenID Connect Discovery: the document's issuer must be the issuer it was fetched from."""
    return str(metadata.get("issuer", "")).rstrip("/") == current_app.config["OIDC_ISSUER"]


def remember_sign_in(id_token: str | None) -> None:
    session[SIGNED_IN_KEY] = True
    if id_token and len(id_token) <= MAX_HINT_LENGTH:
        session[ID_TOKEN_KEY] = id_token


def end_session_redirect(after_logout: str) -> str | None:
    """For sign-out: the provider's logout address when this session came through single sign-on and the
    provider has an end_session_endpoint, else None (the local sign-out is all there is)."""
    came_through_provider = session.pop(SIGNED_IN_KEY, False)
    id_token = session.pop(ID_TOKEN_KEY, None)
    if not came_through_provider or not configured():
        return None
    from requests import RequestException  # as Authlib: loaded only where single sign-on is used

    try:
        return logout_url(id_token, after_logout)
    except (RequestException, ValueError):
        log.warning("single sign-on: provider unreachable at sign-out; signed out here only")
        return None


def logout_url(id_token: str | None, after_logout: str) -> str | None:
    """The provider's end_session_endpoint with the id_token as hint, or None when it has none."""
    provider = client()
    if provider is None:
        return None
    endpoint = provider.load_server_metadata().get("end_session_endpoint")
    if not endpoint:
        return None
    query = {"post_logout_redirect_uri": after_logout, "client_id": current_app.config["OIDC_CLIENT_ID"]}
    if id_token:
        query["id_token_hint"] = id_token
    return endpoint + ("&" if "?" in endpoint else "?") + urlencode(query)
