"""Scenarios: stable identities, immutable versions, and trainees' attempts (logs of choices)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, VersionedIdentity, utcnow


class Scenario(VersionedIdentity, db.Model):
    """A scenario's identity: the author's stable id. Its content lives in versions."""

    __tablename__ = "scenarios"
    __version_table__ = "scenario_versions"

    id: Mapped[int] = mapped_column(primary_key=True)

    current_version: Mapped[ScenarioVersion | None] = relationship(foreign_keys="Scenario.current_version_id")


class ScenarioVersion(db.Model):
    """One immutable version. The engine replays attempts against the version they started on."""

    __tablename__ = "scenario_versions"
    __table_args__ = (UniqueConstraint("scenario_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer, comment="1, 2, ... per scenario")
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    difficulty: Mapped[str] = mapped_column(String(12), comment="junior, intermediate or senior")
    exception_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    order_value: Mapped[float | None] = mapped_column(Float, comment="USD")
    customer_tier: Mapped[str | None] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(Text, comment="the Markdown file; parsed again (and cached) to play")
    fragments: Mapped[dict[str, str]] = mapped_column(JSON, comment="fragment key -> sanitised HTML")
    max_score_path: Mapped[list[str]] = mapped_column(JSON, default=list, comment="refs of the expert path")
    path_count: Mapped[int] = mapped_column(Integer, default=0)
    analysis: Mapped[dict | None] = mapped_column(
        JSON(none_as_null=True),
        comment="the path analysis at sync (Analysis.to_json): debriefs and scoring never explore paths again; "
        "null for versions synced before 0025 until the next flask content sync",
    )
    source_path: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    scenario: Mapped[Scenario] = relationship(foreign_keys=[scenario_id])


class ScenarioAttempt(db.Model):
    """A trainee's run: the log of choice refs is the whole truth; scores are derived and cached."""

    __tablename__ = "scenario_attempts"
    __table_args__ = (Index("ix_scenario_attempts_user_started", "user_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    row_version: Mapped[int] = mapped_column(
        Integer,
        default=1,
        server_default="1",
        comment="compare-and-set: a write from a page that read an older version fails instead of overwriting",
    )
    __mapper_args__ = {"version_id_col": row_version}  # UPDATE ... WHERE row_version = the one read
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("scenario_versions.id"), comment="pinned at start")
    log: Mapped[list[str]] = mapped_column(JSON, default=list, comment="choice refs in order")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    total: Mapped[float | None] = mapped_column(Float, comment="0-100 weighted score, when finished")
    passed: Mapped[bool | None] = mapped_column(Boolean)
    dimensions: Mapped[dict[str, float] | None] = mapped_column(
        JSON, comment="dimension -> 0-100, when finished"
    )
    critical_errors: Mapped[list[str]] = mapped_column(
        JSON, default=list, comment="labels of critical errors"
    )
    outcome: Mapped[str | None] = mapped_column(String(8), comment="good, mixed or bad ending")
    decision_seconds: Mapped[list[float]] = mapped_column(JSON, default=list, comment="seconds per decision")
    seed: Mapped[str] = mapped_column(
        String(32), default="", server_default="", comment="fixes the order choices are shown in"
    )
    variant: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, comment="the figures this run drew (scenario variants): name -> value"
    )
    aided: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=sa_false(),
        comment="the trainee went back to an earlier decision",
    )

    version: Mapped[ScenarioVersion] = relationship()
    writeups: Mapped[list[WriteUp]] = relationship(back_populates="attempt", cascade="all, delete-orphan")

    @property
    def finished(self) -> bool:
        return self.finished_at is not None


class WriteUp(db.Model):
    """Free text written at a write-up node, graded later by a trainer against the node's rubric."""

    __tablename__ = "scenario_writeups"
    __table_args__ = (UniqueConstraint("attempt_id", "node_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("scenario_attempts.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[float | None] = mapped_column(Float, comment="awarded by the trainer")
    criterion_points: Mapped[list[float] | None] = mapped_column(
        JSON, comment="points per rubric criterion, in rubric order; their sum is `points`"
    )
    max_points: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    graded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attempt: Mapped[ScenarioAttempt] = relationship(back_populates="writeups")


class DecisionReviewCard(db.Model):
    """A critical decision a trainee got wrong, scheduled for spaced review like a question (fsrs)."""

    __tablename__ = "decision_review_cards"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_versions.id", ondelete="CASCADE"), primary_key=True
    )
    node_id: Mapped[str] = mapped_column(String(80), primary_key=True, comment="the decision node")
    wrong_ref: Mapped[str] = mapped_column(String(100), comment="the critical choice the trainee made")
    card: Mapped[dict[str, Any]] = mapped_column(JSON, comment="fsrs Card as a dict")
    due: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime())

    version: Mapped[ScenarioVersion] = relationship()
