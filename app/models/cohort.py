"""Cohorts: groups of trainees led by one or more trainers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Float, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.review import DEFAULT_RETENTION
from app.extensions import db
from app.models.base import UTCDateTime, utcnow
from app.models.user import User

cohort_trainees = Table(
    "cohort_trainees",
    db.metadata,
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)

cohort_trainers = Table(
    "cohort_trainers",
    db.metadata,
    Column("cohort_id", ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Cohort(db.Model):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retention_target: Mapped[float] = mapped_column(
        Float,
        default=DEFAULT_RETENTION,
        server_default=str(DEFAULT_RETENTION),
        comment="share of reviews the trainees should still get right when due (fsrs desired retention)",
    )
    retention_set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), comment="who last changed the retention target"
    )
    retention_set_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), comment="when")

    trainees: Mapped[list[User]] = relationship(secondary=cohort_trainees, order_by=User.id)
    trainers: Mapped[list[User]] = relationship(secondary=cohort_trainers, order_by=User.id)
    retention_set_by: Mapped[User | None] = relationship(foreign_keys=[retention_set_by_id])

    def __repr__(self) -> str:
        return f"<Cohort {self.name}>"


class HandledIntervention(db.Model):
    """A trainer's note that an intervention (a trainee, a kind of flag) was handled: the queue leaves the
    flag out for the policy's `handled_days`, and the note stays on record."""

    __tablename__ = "handled_interventions"

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(
        String(20), comment="stalled, at-risk, critical-errors or overconfident"
    )
    note: Mapped[str] = mapped_column(Text, comment="what the trainer did")
    handled_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    handled_by: Mapped[User] = relationship(foreign_keys=[handled_by_id])
