"""The API blueprint: bearer-token authentication, scopes, and problem+json for every error.

Only `Authorization: Bearer <token>` authenticates here; a session cookie is ignored, which is why the
blueprint is exempt from CSRF (a browser cannot be tricked into sending a bearer token). For the rest of
the request the token's person is `current_user`, so app/policy.py and the audit log see them as on the
pages. Failed authentication is rate-limited per client address.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from flask import current_app, g, request
from flask_smorest import Blueprint
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from app import clock
from app.api.problems import problem
from app.errors import NotReady
from app.extensions import db, limiter
from app.models import ApiToken, User
from app.policy import Action, Forbidden, permits
from app.services import ServiceError, tokens

URL_PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=URL_PREFIX, description="The JSON API for integrators")
log = logging.getLogger(__name__)

# Every operation can answer these: a malformed request, no or a bad token, a missing scope or role, and
# the limit on failed tokens (which then holds for the whole address for the rest of the minute).
COMMON_PROBLEMS = (400, 401, 403, 429)

limiter.limit(
    lambda: current_app.config["API_AUTH_FAILURE_RATE_LIMIT"],
    deduct_when=lambda response: response.status_code == 401,
)(bp)


def viewer() -> User:
    """The person the request's token acts as."""
    return g.api_token.user


def token() -> ApiToken:
    return g.api_token


@bp.before_request
def authenticate_bearer_token():
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    found = tokens.authenticate(secret.strip(), clock.now()) if scheme.lower() == "bearer" else None
    if found is None:
        db.session.rollback()
        return problem(
            401,
            "Send a valid personal access token as Authorization: Bearer <token>: this one is "
            "missing, unknown, revoked or expired, or its person is deactivated.",
        )
    if db.session.dirty:
        db.session.commit()  # the last-used time (at most once a minute), whatever the view then does
    g.api_token = found
    g._login_user = found.user  # Flask-Login's current_user, for policy helpers and the audit log
    return None


@bp.teardown_request
def forget_token(_error: BaseException | None) -> None:
    """`g` belongs to the app context, which a caller (a test, a CLI command) may share across requests:
    the token's person must not stay signed in for the next one."""
    g.pop("api_token", None)
    g.pop("_login_user", None)


def operation(scope: str, action: Action | None = None, problems: tuple[int, ...] = ()) -> Callable:
    """Decorate a view under `bp.route`: the token needs `scope` and its person the role `action` (else
    403), and the OpenAPI document lists the scope and every problem the operation can answer."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if scope not in token().scopes:
                raise Forbidden(
                    f"This token lacks the scope {scope}. Make one with it under Account > API tokens."
                )
            if action is not None and not permits(viewer(), action):
                raise Forbidden("Your role does not allow this (the token acts as you, with your role).")
            return view(*args, **kwargs)

        documented = bp.doc(security=[{"bearerAuth": [scope]}])(checked)
        for code in sorted({*COMMON_PROBLEMS, *problems}, reverse=True):
            documented = bp.alt_response(code, response=HTTPStatus(code).name)(documented)
        return documented

    return decorator


@bp.errorhandler(HTTPException)
def http_problem(error: HTTPException):
    data = getattr(error, "data", None) or {}
    custom = error.description != type(error).description
    detail = data.get("message") or (error.description if custom else None)
    response = problem(error.code or 500, detail, errors=data.get("messages") or data.get("errors"))
    if error.code == 429:
        response.headers.update({k: v for k, v in error.get_headers() if k.lower() == "retry-after"})
    return response


@bp.errorhandler(ServiceError)
def service_problem(error: ServiceError):
    """The app's own errors (policy's NotFound and Forbidden, conflicts, invalid fields) as problems."""
    db.session.rollback()
    fields = getattr(error, "fields", None)
    response = problem(error.status, str(error), errors={"json": fields} if fields else None)
    if isinstance(error, NotReady):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.errorhandler(StaleDataError)
def changed_meanwhile(error: StaleDataError):
    db.session.rollback()
    return problem(409, "The record changed meanwhile; nothing was saved. Read it again and retry.")


@bp.errorhandler(InternalServerError)
def server_problem(error: InternalServerError):
    db.session.rollback()
    log.error("API server error", exc_info=getattr(error, "original_exception", None) or error)
    return problem(500)
