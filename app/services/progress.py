"""Keep the per-trainee aggregates current as evidence arrives (answers, scenario runs).

Each update touches only the answering trainee's row for that domain, never their history; readiness
is marked stale and recomputed for that trainee alone: by a background job queued once the request
commits (`refresh_later`), or, in development without a job queue, when someone next looks
(services.readiness.report_for_view).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app import jobs
from app.extensions import db
from app.models import Answer, TraineeDomainStat, TraineeReadiness


def _upsert(model, keys: dict, values: dict, on_conflict: dict) -> None:
    """INSERT ... ON CONFLICT DO UPDATE in one statement (SQLite and PostgreSQL): two requests at once
    can neither lose an increment nor both insert the same row."""
    table = model.__table__
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(table).values(**keys, **values)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={name: make(table.c, statement.excluded) for name, make in on_conflict.items()},
    )
    db.session.execute(statement)
    expire_loaded(model, keys)


def expire_loaded(model, keys: dict) -> None:
    """The row of `model` with this primary key, if the session loaded it before now, holds old counts:
    expire it. Looked up by its identity, not by scanning the session (a long session, such as the demo
    seed's, holds thousands of objects)."""
    identity = tuple(keys[column.key] for column in model.__mapper__.primary_key)
    loaded = db.session.identity_map.get(db.session.identity_key(model, identity))
    if loaded is not None:
        db.session.expire(loaded)


def _later(column, new):
    return case((or_(column.is_(None), column < new), new), else_=column)


def _readiness_row(user_id: int) -> TraineeReadiness:
    row = db.session.get(TraineeReadiness, user_id)
    if row is None:
        row = TraineeReadiness(
            user_id=user_id, domains={}, dimensions={}, stale=True, critical_recent=0, scenarios_passed=0
        )
        db.session.add(row)
    return row


def mark_stale(user_id: int) -> None:
    """New evidence without new activity (a trainer's grade): the stored readiness must be recomputed."""
    _readiness_row(user_id).stale = True
    refresh_later(user_id)


def refresh_later(user_id: int) -> None:
    """With a job queue, the trainee's readiness is recomputed by a worker soon after this request commits
    (one waiting job per trainee, however many answers arrive meanwhile: app.tasks.refresh_readiness).
    Without one (development: no worker) nothing is queued, or every answer would compute inline; the
    report recomputes a stale result when it is next opened instead."""
    if jobs.redis_url():
        jobs.enqueue_once(f"readiness:{user_id}", "app.tasks.refresh_readiness", user_id)


def note_activity(user_id: int, now: datetime) -> None:
    """Any evidence: the trainee was active, and their readiness needs recomputing (one atomic upsert)."""
    _upsert(
        TraineeReadiness,
        {"user_id": user_id},
        {
            "stale": True,
            "last_activity_at": now,
            "domains": {},
            "dimensions": {},
            "critical_recent": 0,
            "scenarios_passed": 0,
        },
        {
            "stale": lambda c, new: new.stale,
            "last_activity_at": lambda c, new: _later(c.last_activity_at, new.last_activity_at),
        },
    )
    refresh_later(user_id)


def record_answer(answer: Answer) -> None:
    """Count one scored answer in its trainee's domain row: UPDATE ... SET n = n + 1, never read-modify-write."""
    _upsert(
        TraineeDomainStat,
        {"user_id": answer.user_id, "domain": answer.domain},
        {
            "answered": 1,
            "correct": int(answer.correct),
            "credit": answer.credit,
            "last_answered_at": answer.answered_at,
        },
        {
            "answered": lambda c, new: c.answered + 1,
            "correct": lambda c, new: c.correct + new.correct,
            "credit": lambda c, new: c.credit + new.credit,
            "last_answered_at": lambda c, new: _later(c.last_answered_at, new.last_answered_at),
        },
    )
    note_activity(answer.user_id, answer.answered_at)


def recount(user_id: int) -> dict[str, tuple[int, int, float]]:
    """The aggregates recomputed from raw answers (for checks and repairs): domain -> (answered, correct, credit)."""
    rows = db.session.execute(
        select(
            Answer.domain,
            func.count(),
            func.sum(func.cast(Answer.correct, db.Integer)),
            func.sum(Answer.credit),
        )
        .where(Answer.user_id == user_id, Answer.voided_at.is_(None))
        .group_by(Answer.domain)
    )
    return {d: (n, int(c or 0), float(s or 0.0)) for d, n, c, s in rows}


def rebuild(user_id: int, last_activity: datetime | None = None) -> None:
    """Rewrite a trainee's aggregates from their raw answers (after bulk imports such as the demo seed)."""
    for stat in db.session.scalars(select(TraineeDomainStat).where(TraineeDomainStat.user_id == user_id)):
        db.session.delete(stat)
    db.session.flush()
    last = dict(
        db.session.execute(
            select(Answer.domain, func.max(Answer.answered_at))
            .where(Answer.user_id == user_id, Answer.voided_at.is_(None))
            .group_by(Answer.domain)
        ).all()
    )
    for domain, (answered, correct, credit) in recount(user_id).items():
        db.session.add(
            TraineeDomainStat(
                user_id=user_id,
                domain=domain,
                answered=answered,
                correct=correct,
                credit=credit,
                last_answered_at=last[domain],
            )
        )
    if last_activity is not None:
        note_activity(user_id, last_activity)
