"""pylti1p3 wired to this app: the tool's key, platform registrations read from the database, launch
storage in the database, nonces that work once, and HTTP calls to the LMS with a timeout."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from flask import Flask, current_app
from jwcrypto.jwk import JWK
from pylti1p3.contrib.flask import FlaskRequest, FlaskSessionService
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.deployment import Deployment
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import delete, select

from app.extensions import db
from app.models import LtiLaunchValue, LtiPlatform

KEY_FILE_NAME = "lti_private_key.pem"
LAUNCH_DATA_LIFETIME = 3600  # seconds a nonce, state check or deep-linking request stays usable


class ToolKey:
    """The tool's RSA key pair as PEM strings: what it signs with, and what its JWKS publishes."""

    def __init__(self, private_pem: str):
        key = JWK.from_pem(private_pem.encode())
        self.private_pem = private_pem
        self.public_pem = key.export_to_pem().decode()
        self.public_jwk = Registration.get_jwk(self.public_pem)


def _new_private_pem() -> str:
    return JWK.generate(kty="RSA", size=2048).export_to_pem(private_key=True, password=None).decode()


def _key_made_once(folder: Path) -> str:
    """Made on first use and kept (0600), like instance/secret_key; two workers starting at once agree."""
    path = folder / KEY_FILE_NAME
    folder.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(_new_private_pem())
    return path.read_text()


def tool_key(app: Flask | None = None) -> ToolKey:
    """LTI_PRIVATE_KEY_FILE when set (several hosts must share one key), else the key made once in
    LTI_KEY_DIR, else (tests: LTI_KEY_DIR unset) a key made in memory for this app."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get("lti_tool_key")
    if cached is None:
        if app.config.get("LTI_PRIVATE_KEY_FILE"):
            pem = Path(app.config["LTI_PRIVATE_KEY_FILE"]).read_text()
        elif app.config.get("LTI_KEY_DIR"):
            pem = _key_made_once(Path(app.config["LTI_KEY_DIR"]))
        else:
            pem = _new_private_pem()
        cached = app.extensions["lti_tool_key"] = ToolKey(pem)
    return cached


def registration_for(platform: LtiPlatform, key: ToolKey) -> Registration:
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url)
        .set_auth_audience(platform.auth_audience)  # type: ignore[arg-type]
        .set_tool_private_key(key.private_pem)
        .set_tool_public_key(key.public_pem)
    )


def find_platform(issuer: str, client_id: str | None) -> LtiPlatform | None:
    """The registration for an issuer and client id. Without a client id (the OIDC login may omit it)
    only an issuer with exactly one registration is found."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        return db.session.scalar(query.where(LtiPlatform.client_id == client_id))
    found = db.session.scalars(query.limit(2)).all()
    return found[0] if len(found) == 1 else None


class DatabaseToolConf(ToolConfAbstract):
    """Registrations live in lti_platforms (managed with `flask lti add-platform`); every issuer may hold
    several client ids, so pylti1p3 always looks up by issuer and client id."""

    def __init__(self, key: ToolKey):
        self.key = key

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:
        return self.find_registration_by_params(iss, None, *args, **kwargs)

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args, **kwargs
    ) -> Registration | None:
        platform = find_platform(iss, client_id)
        return registration_for(platform, self.key) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str | None, *args, **kwargs):
        platform = find_platform(iss, client_id)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)


class DatabaseLaunchStorage(LaunchDataStorage[Any]):
    """Keys are global (nonces and states are random), so no extra tracking cookie is needed. Values are
    JSON and expire; expired rows are purged at each OIDC login."""

    def get_session_cookie_name(self) -> None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def _row(self, key: str) -> LtiLaunchValue | None:
        row = db.session.get(LtiLaunchValue, self._prepare_key(key))
        return row if row is not None and row.expires_at > datetime.now(UTC) else None

    def get_value(self, key: str) -> Any:
        row = self._row(key)
        return None if row is None else row.value

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        expires = datetime.now(UTC) + timedelta(seconds=exp or 86400)
        db.session.merge(LtiLaunchValue(key=self._prepare_key(key), value=value, expires_at=expires))
        db.session.flush()

    def check_value(self, key: str) -> bool:
        return self._row(key) is not None

    def consume(self, key: str) -> bool:
        """Delete the key if it is there and unexpired: True for exactly one caller, however many race."""
        result = db.session.execute(
            delete(LtiLaunchValue).where(
                LtiLaunchValue.key == self._prepare_key(key), LtiLaunchValue.expires_at > datetime.now(UTC)
            )
        )
        return result.rowcount == 1

    @staticmethod
    def purge_expired(now: datetime) -> None:
        db.session.execute(delete(LtiLaunchValue).where(LtiLaunchValue.expires_at <= now))


class OneTimeNonceSessionService(FlaskSessionService):
    """pylti1p3 only checks that a nonce was issued; here checking it also uses it up, so an id_token
    posted a second time (a replay, even with the right state cookie) is refused."""

    def check_nonce(self, nonce: str) -> bool:
        storage = self.data_storage
        assert isinstance(storage, DatabaseLaunchStorage)
        return storage.consume(self._get_key("nonce", nonce))


class TimeoutSession(requests.Session):
    """requests has no default timeout: an LMS that stops answering must not hold a worker forever."""

    def __init__(self, timeout: float):
        super().__init__()
        self.timeout = timeout
        self.headers["User-Agent"] = "OrderDeskAcademy-LTI"

    def request(self, method, url, **kwargs):  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def http_session(timeout: float) -> TimeoutSession:
    """A session for calls to an LMS that gives up after `timeout` seconds (LTI_HTTP_TIMEOUT); close it
    (use `with`)."""
    return TimeoutSession(timeout)


def lti_request() -> FlaskRequest:
    return FlaskRequest()


def launch_services(request: FlaskRequest) -> dict[str, Any]:
    """The storage and session service every pylti1p3 object of a request shares."""
    storage = DatabaseLaunchStorage()
    storage.set_request(request)
    session_service = OneTimeNonceSessionService(request)
    session_service.set_data_storage(storage)
    session_service.set_launch_data_lifetime(LAUNCH_DATA_LIFETIME)
    return {"session_service": session_service, "launch_data_storage": storage}


class NewWindowLink(DeepLinkResource):
    """A resource link the LMS opens in a window of its own: the academy refuses to be framed
    (clickjacking protection), and its session cookie is SameSite=Lax, which a cross-site iframe lacks."""

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "window": {"targetName": "order-desk-academy"}}
