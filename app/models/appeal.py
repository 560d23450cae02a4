"""Appeals: a trainee's report that a question is wrong or ambiguous, or that a verdict is wrong."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.content import Question
from app.models.user import User


class Appeal(db.Model):
    """One appeal and, once decided, the decision. Item appeals go to authors, verdict appeals to trainers."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), comment="item or verdict")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), index=True
    )
    question_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", ondelete="CASCADE")
    )
    reason: Mapped[str] = mapped_column(
        String(12), comment="wrong-key, ambiguous, other; verdict for verdicts"
    )
    note: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(24), comment="verdict appeals: the verdict contested")
    status: Mapped[str] = mapped_column(String(8), default="open", comment="open, upheld or rejected")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    question: Mapped[Question | None] = relationship()
