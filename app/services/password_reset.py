"""Password reset by e-mail: a signed link that expires and works once.

The link carries the account id, when it was made, and a fingerprint of the current password hash and
session generation. Setting a password (this reset, a change, an admin's reset) or signing out everywhere
changes the fingerprint, so a used or superseded link stops working without any table of tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer

from app import jobs
from app.domain import messages
from app.extensions import db
from app.models import User
from app.services import accounts

SALT = "password-reset"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResetSettings:
    """What the reset links need from the configuration; the route or command builds it."""

    secret_key: str  # signs the links
    max_age: int  # seconds a link works (PASSWORD_RESET_MAX_AGE)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ResetSettings:
        return cls(config["SECRET_KEY"], config["PASSWORD_RESET_MAX_AGE"])


def _serializer(settings: ResetSettings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key, salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}|{user.session_generation}".encode()).hexdigest()[:32]


def make_token(user: User, now: datetime, settings: ResetSettings) -> str:
    return _serializer(settings).dumps(
        {"user": user.id, "at": int(now.timestamp()), "fp": _fingerprint(user)}
    )


def user_for_token(token: str, now: datetime, settings: ResetSettings) -> User | None:
    """The active account the link was made for, or None when the link is forged, older than
    `settings.max_age` seconds, already used, or made before the password last changed."""
    try:
        data = _serializer(settings).loads(token)
        user_id, made_at, fingerprint = int(data["user"]), int(data["at"]), str(data["fp"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    age = now.timestamp() - made_at
    if age < 0 or age > settings.max_age:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or not hmac.compare_digest(fingerprint, _fingerprint(user)):
        return None
    return user


def request_reset(email: str, now: datetime, link_for: Callable[[str], str], settings: ResetSettings) -> None:
    """Mail a reset link to an active account with this e-mail. Says nothing about whether one exists:
    the page answers the same either way, so the form cannot be used to find out who has an account."""
    user = accounts.find_user(email)
    if user is None or not user.active:
        log.info("password reset asked for an address without an active account")
        return
    message = messages.password_reset(
        user.name, link_for(make_token(user, now, settings)), settings.max_age // 60
    )
    # by a job, after the response: the page answers in the same time whether or not the account exists
    jobs.enqueue("app.tasks.send_mail", user.email, message.subject, message.text)
    log.info("password reset link queued for %s", user.email)


def reset_password(user: User, password: str) -> None:
    """The new password; every earlier session ends and the link (and any other) stops working."""
    accounts.set_password(user, password)
