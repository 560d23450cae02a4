"""Personal access tokens: how an integrator's program acts as a person through the JSON API."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.user import User


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, comment="the person the token acts as"
    )
    name: Mapped[str] = mapped_column(String(80), comment="what the owner called it, e.g. 'HR sync'")
    prefix: Mapped[str] = mapped_column(
        String(16), comment="the token's first characters, shown to tell tokens apart"
    )
    token_hash: Mapped[str] = mapped_column(
        String(64), unique=True, comment="sha256 hex of the secret; the secret itself is never stored"
    )
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list, comment="e.g. users:read readiness:read")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="none: until revoked")
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="to the minute")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def usable_at(self, now: datetime) -> bool:
        """Neither revoked nor expired, and its person may still sign in."""
        return (
            self.revoked_at is None
            and (self.expires_at is None or now < self.expires_at)
            and self.user.active
        )

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… of user {self.user_id}>"
