"""Flask-Login wiring: how a session cookie becomes a User.

This runs on every signed-in request, so the person is read with one Core statement (the users row and
its role rows, by primary key) and handed to the request's session as an already-loaded User: no ORM
query, and nothing cached between requests, so a sign-out, a password change, a role change or a
deactivation is seen by the very next request on any worker.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from app.extensions import db, login_manager
from app.models import User, UserRole

_users = User.__table__
_roles = UserRole.__table__
# Built once: the statement's construction is a sizeable part of a signed-in request's fixed cost.
_PERSON = (
    select(*_users.c, _roles.c.role)
    .outerjoin(_roles, _roles.c.user_id == _users.c.id)
    .where(
        _users.c.id == bindparam("user_id"),
        _users.c.active.is_(True),
        _users.c.session_generation == bindparam("generation"),
    )
)


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_user)


def load_user(user_id: str) -> User | None:
    """The active user with their roles, in one Core statement. The cookie's `id.generation` must match the
    stored generation: a cookie from before a sign-out, a password change or an admin reset opens nothing."""
    user_part, _, generation = user_id.partition(".")
    if not (user_part.isdigit() and generation.isdigit()):
        return None
    rows = db.session.execute(_PERSON, {"user_id": int(user_part), "generation": int(generation)}).all()
    if not rows:
        return None
    return _attached_user(rows)


def _attached_user(rows) -> User:
    """A persistent User for the request's session, built from its row(s) without a second load. When the
    session already holds this person (a test's shared session), that instance gets whatever it had not
    loaded (expired) from the same row; what it holds is kept."""
    user = _loaded(User, (rows[0].id,), {c.key: getattr(rows[0], c.name) for c in _users.c})
    if "role_rows" in inspect(user).unloaded:
        roles = [
            _loaded(UserRole, (row.id, row.role), {"user_id": row.id, "role": row.role})
            for row in rows
            if row.role is not None
        ]
        set_committed_value(user, "role_rows", roles)
    db.session.add(user)  # attaches the new role rows too (save-update cascade); nothing becomes pending
    return user


def _loaded(model: type, identity: tuple, values: dict):
    """The session's instance for this identity with `values` as its loaded state, as a query would have
    built it from the same row: a new instance skips constructor events and has nothing pending."""
    known = db.session.identity_map.get(db.session.identity_key(model, identity))
    if known is None:
        instance = model.__mapper__.class_manager.new_instance()
        instance.__dict__.update(values)
        make_transient_to_detached(instance)
        return instance
    for key in inspect(known).unloaded & values.keys():
        set_committed_value(known, key, values[key])
    return known
