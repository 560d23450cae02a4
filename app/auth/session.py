"""Flask-Login wiring: how a session cookie becomes a User."""

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db, login_manager
from app.models import User


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        """The active user with their roles, in one query: this runs on every signed-in request. The cookie's
        `id.generation` must match the stored generation: a cookie from before a sign-out, a password change
        or an admin reset opens nothing."""
        user_part, _, generation = user_id.partition(".")
        if not (user_part.isdigit() and generation.isdigit()):
            return None
        query = (
            select(User)
            .options(joinedload(User.role_rows))
            .where(User.id == int(user_part), User.active, User.session_generation == int(generation))
        )
        return db.session.execute(query).unique().scalar_one_or_none()
