"""The per-trainee aggregates of app.services.progress as upserts built once, for the hot paths.

progress.record_answer and progress.note_activity build their INSERT ... ON CONFLICT DO UPDATE afresh on
every call (half of an answer POST's CPU went there); these send the same statements with the values
bound, built once per dialect. The rules are progress's: tests replay the same answers and decisions
through both and compare the rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, case, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import TraineeDomainStat, TraineeReadiness
from app.services import progress, run_core

stats = TraineeDomainStat.__table__
readiness = TraineeReadiness.__table__
_built: dict[str, tuple] = {}


def _later(column, new):
    return case((or_(column.is_(None), column < new), new), else_=column)


def _statements(dialect: str) -> tuple:
    if dialect not in _built:
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        answer = insert(stats).values(
            user_id=bindparam("user_id"),
            domain=bindparam("domain"),
            answered=1,
            correct=bindparam("correct"),
            credit=bindparam("credit"),
            last_answered_at=bindparam("at", type_=stats.c.last_answered_at.type),
        )
        answer = answer.on_conflict_do_update(
            index_elements=[stats.c.user_id, stats.c.domain],
            set_={
                "answered": stats.c.answered + 1,
                "correct": stats.c.correct + answer.excluded.correct,
                "credit": stats.c.credit + answer.excluded.credit,
                "last_answered_at": _later(stats.c.last_answered_at, answer.excluded.last_answered_at),
            },
        )
        activity = insert(readiness).values(
            user_id=bindparam("user_id"),
            stale=True,
            last_activity_at=bindparam("at", type_=readiness.c.last_activity_at.type),
            domains={},
            dimensions={},
            critical_recent=0,
            scenarios_passed=0,
        )
        activity = activity.on_conflict_do_update(
            index_elements=[readiness.c.user_id],
            set_={
                "stale": activity.excluded.stale,
                "last_activity_at": _later(readiness.c.last_activity_at, activity.excluded.last_activity_at),
            },
        )
        _built[dialect] = (answer, activity)
    return _built[dialect]


def note_activity(user_id: int, now: datetime) -> None:
    """progress.note_activity: the trainee was active, and their readiness needs recomputing."""
    run_core(_statements(db.engine.dialect.name)[1], {"user_id": user_id, "at": now})
    progress.expire_loaded(TraineeReadiness, {"user_id": user_id})
    progress.refresh_later(user_id)


def record_answer(user_id: int, domain: str, correct: bool, credit: float, at: datetime) -> None:
    """progress.record_answer: one scored answer counted in its trainee's domain row, then the activity."""
    run_core(
        _statements(db.engine.dialect.name)[0],
        {"user_id": user_id, "domain": domain, "correct": int(correct), "credit": credit, "at": at},
    )
    progress.expire_loaded(TraineeDomainStat, {"user_id": user_id, "domain": domain})
    note_activity(user_id, at)
