"""Personal access tokens: made, found by their secret, revoked. Only a sha256 of each secret is kept.

A token is `oda_` and 43 random URL-safe characters (256 bits), so a plain sha256 is enough: no salt or
slow hash is needed against guessing a value that was never chosen by a person. The first characters
are kept in clear (`prefix`) so the owner can tell their tokens apart in a list.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import ApiToken, User
from app.policy import Action, permits
from app.services import ServiceError

TOKEN_PREFIX = "oda_"
VISIBLE_CHARS = 12  # "oda_" and 8 random characters: enough to tell tokens apart, far too few to guess
LAST_USED_RESOLUTION = timedelta(minutes=1)  # at most one write per token per minute, not one per request

# Scope -> what it allows. A scope only narrows: the token's person must also be allowed (app/policy.py).
SCOPES: dict[str, str] = {
    "users:read": "read accounts (admins: all; trainers: their cohorts' trainees; anyone: themself)",
    "users:write": "create and deactivate accounts (admins)",
    "cohorts:read": "read cohorts (admins: all; trainers: the ones they lead)",
    "cohorts:write": "create cohorts and change their members (admins)",
    "readiness:read": "a trainee's readiness report with its evidence",
    "attempts:read": "a trainee's answers and scenario runs",
    "statistics:read": "item and decision statistics (authors, trainers, admins)",
    "exports:read": "a cohort's export data (trainers of the cohort, admins)",
}


class TokenError(ServiceError):
    pass


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    user: User, name: str, scopes: Iterable[str], expires_at: datetime | None, now: datetime
) -> tuple[ApiToken, str]:
    """A new token of `user` and its secret: the caller shows the secret once, it cannot be read again."""
    name, scopes = name.strip(), sorted(set(scopes))
    if not name:
        raise TokenError("Give the token a name that says where it is used, e.g. 'HR sync'.", 422)
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise TokenError(
            f"Choose at least one of the scopes {', '.join(SCOPES)}"
            + (f"; {', '.join(unknown)} is not one." if unknown else "."),
            422,
        )
    if expires_at is not None and expires_at <= now:
        raise TokenError("The expiry date must be in the future.", 422)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name,
        prefix=secret[:VISIBLE_CHARS],
        token_hash=hash_secret(secret),
        scopes=scopes,
        created_at=now,
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def authenticate(secret: str, now: datetime) -> ApiToken | None:
    """The usable token with this secret (not revoked, not expired, its person active), or None.
    Records the use, to the minute (the caller commits)."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)).options(joinedload(ApiToken.user))
    )
    if token is None or not token.usable_at(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token


def token_for(viewer: User, token_id: int) -> ApiToken:
    """One of the viewer's tokens (admins: anyone's), else 404: other people's tokens do not exist for them."""
    token = db.session.get(ApiToken, token_id)
    if token is None or (token.user_id != viewer.id and not permits(viewer, Action.ADMINISTER)):
        raise TokenError("There is no such token among yours.", 404)
    return token


def revoke(token: ApiToken, now: datetime) -> None:
    """From now on the token authenticates nothing. Revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = now


def tokens_of(user_id: int) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user_id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def all_tokens() -> list[ApiToken]:
    """Every token with its person, newest first (the admin page)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .options(joinedload(ApiToken.user))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
