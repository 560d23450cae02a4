"""A trainee judged Ready asking their cohort's trainers for a promotion sign-off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.user import User


class SignOffRequest(db.Model):
    """Open until a trainer records a sign-off (any decision) after it was made; never changes a verdict."""

    __tablename__ = "sign_off_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    verdict: Mapped[str] = mapped_column(
        String(24), comment="the stored readiness verdict when asked (ready)"
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    trainers_mailed: Mapped[int] = mapped_column(default=0, comment="trainers the request was e-mailed to")

    trainee: Mapped[User] = relationship()
