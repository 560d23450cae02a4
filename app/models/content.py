"""Question bank: stable questions and their immutable, hash-identified versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow


class Question(db.Model):
    """A question's identity: the author's stable id. Its content lives in versions."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True, comment="the author's {#id}; never reused")
    domain: Mapped[str] = mapped_column(String(2), index=True, comment="D1-D9 of the current version")
    retired_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="set when the question left the files; retired items are never served"
    )
    retired_by_hand: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=sa_false(),
        comment="retired with the Retire button: stays retired when its unchanged text is published or synced",
    )
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_versions.id", use_alter=True, name="fk_questions_current_version"),
        comment="the version served to new attempts",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    current_version: Mapped[QuestionVersion | None] = relationship(foreign_keys=[current_version_id])

    @property
    def retired(self) -> bool:
        return self.retired_at is not None


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
