"""Practice records: every scored answer, review cards, study sessions and exam sittings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.content import QuestionVersion


class StudySession(db.Model):
    """A run of study or review questions, for the end-of-session summary."""

    __tablename__ = "study_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    mode: Mapped[str] = mapped_column(String(10), comment="study or review")
    filters: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, comment="domains/topics/weakest chosen"
    )
    planned: Mapped[int] = mapped_column(Integer, comment="how many questions the session offers")
    seed: Mapped[str] = mapped_column(
        String(32), default="", server_default="", comment="fixes the option order shown at each position"
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Answer(db.Model):
    """One scored answer, pinned to the question version it answered. Never updated after insert."""

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("user_id", "submission_key"),
        Index("ix_answers_user_answered", "user_id", "answered_at"),
        Index("ix_answers_session_id", "session_id"),
        Index("ix_answers_user_question", "user_id", "question_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    domain: Mapped[str] = mapped_column(String(2), comment="copied from the version, for per-domain evidence")
    mode: Mapped[str] = mapped_column(String(10), comment="study, review or exam")
    chosen: Mapped[list[str]] = mapped_column(JSON, default=list, comment="option keys picked")
    value: Mapped[float | None] = mapped_column(Float, comment="numeric items: the number given")
    confidence: Mapped[str | None] = mapped_column(String(6), comment="low, medium or high (CBM)")
    correct: Mapped[bool] = mapped_column(Boolean)
    credit: Mapped[float] = mapped_column(Float, comment="0..1; partial credit on multiple response")
    cbm_mark: Mapped[float | None] = mapped_column(Float, comment="-6..3 certainty-based mark")
    seconds: Mapped[float | None] = mapped_column(Float, comment="time from showing the item to answering")
    first_attempt: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=sa_false(),
        comment="the trainee's first answer to this question, given before any rationale of it was shown",
    )
    submission_key: Mapped[str] = mapped_column(
        String(64), comment="one per served item: a second submission of the same form is recorded once"
    )
    session_id: Mapped[int | None] = mapped_column(ForeignKey("study_sessions.id", ondelete="SET NULL"))
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"), index=True)
    voided_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="set when a changed answer key voided it: kept, but no longer evidence"
    )
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    version: Mapped[QuestionVersion] = relationship()


class ReviewCard(db.Model):
    """The fsrs scheduling card of one trainee for one question."""

    __tablename__ = "review_cards"
    __table_args__ = (Index("ix_review_cards_user_due", "user_id", "due"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    card: Mapped[dict[str, Any]] = mapped_column(JSON, comment="fsrs Card as a dict")
    due: Mapped[datetime] = mapped_column(UTCDateTime())
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Exam(db.Model):
    """An exam simulation sitting: a drawn form, a server-side deadline, deferred feedback."""

    __tablename__ = "exams"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version_ids: Mapped[list[int]] = mapped_column(JSON, comment="question versions in form order")
    time_limit_seconds: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime(), comment="answers at or after it do not count")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seed: Mapped[str] = mapped_column(
        String(32), default="", server_default="", comment="fixes the option order shown at each position"
    )
    reused: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0", comment="items on the form seen in the 14 days before it"
    )
    score: Mapped[float | None] = mapped_column(
        Float, comment="proportion of credit over the form, once closed"
    )
    readiness_before: Mapped[float | None] = mapped_column(
        Float, comment="the trainee's stored P(pass) when the exam was submitted, to show what it changed"
    )
    kind: Mapped[str] = mapped_column(
        String(10),
        default="practice",
        server_default="practice",
        comment="practice, or promotion: a secure check drawn from items the trainee was never served",
    )

    responses: Mapped[list[ExamResponse]] = relationship(
        back_populates="exam", cascade="all, delete-orphan", order_by="ExamResponse.position"
    )

    @property
    def closed(self) -> bool:
        return self.submitted_at is not None


class ExamResponse(db.Model):
    """The trainee's current response to one exam item; may change until the exam is submitted."""

    __tablename__ = "exam_responses"
    __table_args__ = (UniqueConstraint("exam_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("exams.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, comment="0-based index into exam.version_ids")
    chosen: Mapped[list[str]] = mapped_column(JSON, default=list)
    value: Mapped[float | None] = mapped_column(Float)
    confidence: Mapped[str | None] = mapped_column(String(6))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, comment="marked for review by the trainee")
    seconds: Mapped[float] = mapped_column(Float, default=0.0, comment="time spent on the item, summed")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    exam: Mapped[Exam] = relationship(back_populates="responses")
