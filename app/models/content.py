"""Question bank: stable questions and their immutable, hash-identified versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, VersionedIdentity, utcnow


class Question(VersionedIdentity, db.Model):
    """A question's identity: the author's stable id. Its content lives in versions."""

    __tablename__ = "questions"
    __version_table__ = "question_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(2), index=True, comment="D1-D9 of the current version")

    current_version: Mapped[QuestionVersion | None] = relationship(foreign_keys="Question.current_version_id")


class QuestionVersion(db.Model):
    """One immutable rendering of a question. Answers point here, so an edit never rescores them."""

    __tablename__ = "question_versions"
    __table_args__ = (UniqueConstraint("question_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(
        Integer, comment="1 for the first version of the question, then 2, ..."
    )
    content_hash: Mapped[str] = mapped_column(String(64), comment="sha256 of everything shown or scored")
    domain: Mapped[str] = mapped_column(String(2))
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    difficulty: Mapped[int] = mapped_column(Integer, comment="the author's estimate, 1 (easy) to 5")
    cognitive: Mapped[str] = mapped_column(String(12), comment="recall, application or analysis")
    type: Mapped[str] = mapped_column(String(12), comment="single, multiple, true-false or numeric")
    prompt_html: Mapped[str] = mapped_column(Text, comment="sanitised HTML, rendered once at sync")
    stem_html: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, comment="[{key, html, rationale_html, correct}] in display order"
    )
    explanation_html: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str | None] = mapped_column(String(300))
    answer: Mapped[float | None] = mapped_column(Float, comment="numeric items: the correct value")
    tolerance: Mapped[float | None] = mapped_column(Float, comment="numeric items: accepted absolute error")
    unit: Mapped[str | None] = mapped_column(String(20))
    answer_key: Mapped[str] = mapped_column(Text, comment="canonical correct answer, to spot a changed key")
    source: Mapped[str] = mapped_column(Text, comment="the Markdown section this version came from")
    source_path: Mapped[str] = mapped_column(String(300))
    source_line: Mapped[int] = mapped_column(Integer)
    item_set: Mapped[str | None] = mapped_column(
        String(80), comment="items sharing a case: a session or form serves at most one of them"
    )
    pool: Mapped[str] = mapped_column(
        String(10),
        default="practice",
        server_default="practice",
        comment="practice, or reserve: served only by promotion checks",
    )
    shuffle: Mapped[bool] = mapped_column(
        Boolean, default=True, server_default=sa_true(), comment="false: options keep the file order"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    question: Mapped[Question] = relationship(foreign_keys=[question_id])

    @property
    def option_keys(self) -> list[str]:
        return [option["key"] for option in self.options]

    @property
    def correct_keys(self) -> list[str]:
        return [option["key"] for option in self.options if option["correct"]]
