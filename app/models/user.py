"""People who use the academy and the roles they hold."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Role(StrEnum):
    TRAINEE = "trainee"
    AUTHOR = "author"
    TRAINER = "trainer"
    ADMIN = "admin"


# Starts the stored value of an account nobody has chosen a password for (bulk-added people): it is no
# werkzeug hash, and check_password refuses it; they set a password by a reset link or an admin does.
NO_PASSWORD = "!"

# The home a person lands on is that of their most senior role, in this order.
ROLE_PRECEDENCE = (Role.ADMIN, Role.TRAINER, Role.AUTHOR, Role.TRAINEE)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, comment="lower-cased sign-in address")
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255), comment="werkzeug scrypt hash")
    active: Mapped[bool] = mapped_column(default=True, comment="inactive people cannot sign in")
    session_generation: Mapped[int] = mapped_column(
        default=0,
        server_default="0",
        comment="part of every session and remember-me cookie; raising it ends them all",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # E-mail the person chose to receive (account page); a password reset they ask for is always sent.
    mail_digest: Mapped[bool] = mapped_column(
        default=True,
        server_default=true(),
        comment="weekly digest of reviews due and the next step (trainees)",
    )
    mail_alerts: Mapped[bool] = mapped_column(
        default=True, server_default=true(), comment="intervention alerts about their cohorts (trainers)"
    )
    mail_sign_off_requests: Mapped[bool] = mapped_column(
        default=True, server_default=true(), comment="a trainee of their cohorts asks for sign-off (trainers)"
    )

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    @property
    def primary_role(self) -> Role | None:
        return next((role for role in ROLE_PRECEDENCE if role in self.roles), None)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def set_roles(self, roles: set[Role]) -> None:
        keep = [row for row in self.role_rows if Role(row.role) in roles]
        have = {Role(row.role) for row in keep}
        self.role_rows = keep + [UserRole(role=role.value) for role in sorted(roles - have)]

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def set_no_password(self) -> None:
        """A random value, not a hash: nothing signs in with it, and it costs no scrypt (bulk add)."""
        self.password_hash = NO_PASSWORD + secrets.token_urlsafe(32)

    @property
    def has_password(self) -> bool:
        return not self.password_hash.startswith(NO_PASSWORD)

    def check_password(self, password: str) -> bool:
        return self.has_password and check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """What the session and remember-me cookies carry: the id and the session generation, so raising
        the generation (sign-out, a new password, an admin reset) ends every earlier session."""
        return f"{self.id}.{self.session_generation}"

    def end_sessions(self) -> None:
        self.session_generation = (self.session_generation or 0) + 1

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive people
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(
        String(16), primary_key=True, comment="trainee, author, trainer or admin"
    )

    user: Mapped[User] = relationship(back_populates="role_rows")
