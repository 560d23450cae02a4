"""Maintained aggregates and readiness records: what the dashboards read instead of raw answers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.practice import Exam
from app.models.user import User


class TraineeDomainStat(db.Model):
    """Per trainee and domain: counts kept current with every scored answer (never recounted on read)."""

    __tablename__ = "trainee_domain_stats"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(2), primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    credit: Mapped[float] = mapped_column(Float, default=0.0, comment="sum of credit (0..1 per answer)")
    last_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TraineeReadiness(db.Model):
    """The last computed readiness of a trainee; `stale` once new evidence arrived since."""

    __tablename__ = "trainee_readiness"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    verdict: Mapped[str | None] = mapped_column(
        String(24), comment="ready, almost, not-yet, not-enough-evidence"
    )
    pass_probability: Mapped[float | None] = mapped_column(Float)
    score_expected: Mapped[float | None] = mapped_column(
        Float, comment="predicted proportion correct on a form"
    )
    score_low: Mapped[float | None] = mapped_column(Float, comment="its credible interval")
    score_high: Mapped[float | None] = mapped_column(Float)
    domains: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, comment="domain -> {mastery, low, high, n}"
    )
    dimensions: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, comment="dimension -> {score, level, n}"
    )
    overconfidence: Mapped[float | None] = mapped_column(Float, comment="> 0: surer than right")
    critical_recent: Mapped[int] = mapped_column(Integer, default=0, comment="critical errors in recent runs")
    scenarios_passed: Mapped[int] = mapped_column(Integer, default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    computed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stale: Mapped[bool] = mapped_column(Boolean, default=True)
    report: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, comment="{key, result}: the whole result for the report page, valid while key matches"
    )


class ReadinessSnapshot(db.Model):
    """Readiness at the end of a week, for trends."""

    __tablename__ = "readiness_snapshots"
    __table_args__ = (UniqueConstraint("user_id", "week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week: Mapped[date] = mapped_column(Date, comment="the Monday of the ISO week")
    verdict: Mapped[str | None] = mapped_column(String(24))
    pass_probability: Mapped[float | None] = mapped_column(Float)
    mean_mastery: Mapped[float | None] = mapped_column(Float)
    answered: Mapped[int] = mapped_column(Integer, default=0)


class ItemCalibration(db.Model):
    """Fitted item parameters from `flask readiness calibrate` (author's difficulty until calibrated)."""

    __tablename__ = "item_calibrations"

    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True)
    difficulty: Mapped[float] = mapped_column(Float, comment="logits, calibration scale")
    discrimination: Mapped[float] = mapped_column(Float)
    se: Mapped[float] = mapped_column(Float, comment="standard error of the difficulty")
    responses: Mapped[int] = mapped_column(Integer)
    calibrated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CalibrationRun(db.Model):
    """What a calibration found besides item parameters: the practice curve, domain structure, author prior."""

    __tablename__ = "calibration_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    responses: Mapped[int] = mapped_column(Integer)
    items: Mapped[int] = mapped_column(Integer)
    practice_starts: Mapped[list[int]] = mapped_column(JSON)
    practice_gains: Mapped[list[float]] = mapped_column(JSON)
    domain_correlation: Mapped[float | None] = mapped_column(Float)
    author_prior: Mapped[dict[str, float]] = mapped_column(JSON, comment="{intercept, slope, sd}")
    converged: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SignOff(db.Model):
    """A trainer's promotion recommendation: an audit record that never changes the computed verdict."""

    __tablename__ = "sign_offs"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(12), comment="recommend or not-yet")
    comment: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str | None] = mapped_column(String(24), comment="the computed verdict at that moment")
    evidence: Mapped[dict[str, Any]] = mapped_column(
        JSON, comment="criteria met/unmet and figures at that moment"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    trainer: Mapped[User] = relationship(foreign_keys=[trainer_id])


class PromotionCheck(db.Model):
    """A secure sitting for the promotion decision: requested by a trainee or scheduled by a trainer."""

    __tablename__ = "promotion_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(
        String(10), comment="requested, scheduled, or started (its exam exists)"
    )
    requested_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime(), comment="when the trainee asked for it"
    )
    scheduled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    exam_id: Mapped[int | None] = mapped_column(ForeignKey("exams.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    scheduled_by: Mapped[User | None] = relationship(foreign_keys=[scheduled_by_id])
    exam: Mapped[Exam | None] = relationship()
