"""Authoring in the browser: drafts of question and scenario files, their comments and published revisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.user import User


class DraftKind(StrEnum):
    QUESTION = "question"  # a question file: any number of `## ... {#id}` questions
    SCENARIO = "scenario"  # one scenario file


class DraftStatus(StrEnum):
    DRAFT = "draft"  # being written; only its author sees it until it was first submitted
    IN_REVIEW = "in-review"  # waiting for another author or a trainer; its text is locked
    PUBLISHED = "published"  # its text is the latest published revision
    RETURNED = "returned"  # sent back to its author by a reviewer with a comment saying what to change


class Draft(db.Model):
    """An authored file, edited in the browser. Published texts live on, unchanged, in `revisions`."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), comment="question (a question file) or scenario")
    title: Mapped[str] = mapped_column(String(200), comment="the author's name for the draft")
    status: Mapped[str] = mapped_column(
        String(10),
        index=True,
        default=DraftStatus.DRAFT.value,
        comment="draft, in-review, published or returned",
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True, comment="who writes it")
    text: Mapped[str] = mapped_column(Text, default="", comment="the Markdown being edited")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, comment="last saved")
    submitted_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="last sent for review; once set, reviewers may read the draft"
    )
    edits: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON,
        comment="[{kind, slug, version, source}]: published items opened here with Edit in workspace; "
        "the draft may publish new versions of them under the same ids",
    )

    author: Mapped[User] = relationship(lazy="joined")
    comments: Mapped[list[DraftComment]] = relationship(
        back_populates="draft", order_by="DraftComment.created_at, DraftComment.id"
    )
    revisions: Mapped[list[DraftRevision]] = relationship(
        back_populates="draft", order_by="DraftRevision.number"
    )

    @property
    def latest_revision(self) -> DraftRevision | None:
        return self.revisions[-1] if self.revisions else None


class DraftComment(db.Model):
    """A remark on a draft; the comment a reviewer returns a draft with carries `action` = returned."""

    __tablename__ = "draft_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), comment="who wrote the comment")
    text: Mapped[str] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(
        String(10), comment="set when the comment came with a decision: returned, approved or imported"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    draft: Mapped[Draft] = relationship(back_populates="comments")
    author: Mapped[User] = relationship(lazy="joined")


class DraftRevision(db.Model):
    """One published text of a draft. Never changed: publishing again adds revision n + 1."""

    __tablename__ = "draft_revisions"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), index=True)
    number: Mapped[int] = mapped_column(Integer, comment="1 for the first publish of the draft, then 2, ...")
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, comment="the Markdown exactly as published")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), comment="who wrote it")
    approved_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id"), comment="who approved it: never the author"
    )
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    items: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, comment="[{kind, slug, version}]: the bank versions this publish left current"
    )
    summary: Mapped[str] = mapped_column(
        Text, default="", comment="what the publish changed, as sync reports it"
    )

    draft: Mapped[Draft] = relationship(back_populates="revisions")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    approved_by: Mapped[User] = relationship(foreign_keys=[approved_by_id])
