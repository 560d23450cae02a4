"""Keep the per-trainee aggregates current as evidence arrives (answers, scenario runs).

Each update touches only the answering trainee's row for that domain, never their history; readiness
is marked stale and recomputed for that trainee alone when someone next looks (services.readiness).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, TraineeDomainStat, TraineeReadiness


def _readiness_row(user_id: int) -> TraineeReadiness:
    row = db.session.get(TraineeReadiness, user_id)
    if row is None:
        row = TraineeReadiness(user_id=user_id, domains={}, dimensions={}, stale=True, critical_recent=0,
                               scenarios_passed=0)
        db.session.add(row)
    return row


def mark_stale(user_id: int) -> None:
    """New evidence without new activity (a trainer's grade): the stored readiness must be recomputed."""
    _readiness_row(user_id).stale = True


def note_activity(user_id: int, now: datetime) -> None:
    """Any evidence: the trainee was active, and their readiness needs recomputing."""
    row = _readiness_row(user_id)
    row.stale = True
    if row.last_activity_at is None or now > row.last_activity_at:
        row.last_activity_at = now


def record_answer(answer: Answer) -> None:
    stat = db.session.get(TraineeDomainStat, (answer.user_id, answer.domain))
    if stat is None:
        stat = TraineeDomainStat(user_id=answer.user_id, domain=answer.domain, answered=0, correct=0, credit=0.0)
        db.session.add(stat)
    stat.answered += 1
    stat.correct += int(answer.correct)
    stat.credit += answer.credit
    if stat.last_answered_at is None or answer.answered_at > stat.last_answered_at:
        stat.last_answered_at = answer.answered_at
    note_activity(answer.user_id, answer.answered_at)


def recount(user_id: int) -> dict[str, tuple[int, int, float]]:
    """The aggregates recomputed from raw answers (for checks and repairs): domain -> (answered, correct, credit)."""
    rows = db.session.execute(
        select(Answer.domain, func.count(), func.sum(func.cast(Answer.correct, db.Integer)), func.sum(Answer.credit))
        .where(Answer.user_id == user_id).group_by(Answer.domain))
    return {d: (n, int(c or 0), float(s or 0.0)) for d, n, c, s in rows}


def rebuild(user_id: int, last_activity: datetime | None = None) -> None:
    """Rewrite a trainee's aggregates from their raw answers (after bulk imports such as the demo seed)."""
    for stat in db.session.scalars(select(TraineeDomainStat).where(TraineeDomainStat.user_id == user_id)):
        db.session.delete(stat)
    db.session.flush()
    last = dict(db.session.execute(select(Answer.domain, func.max(Answer.answered_at))
                                   .where(Answer.user_id == user_id).group_by(Answer.domain)).all())
    for domain, (answered, correct, credit) in recount(user_id).items():
        db.session.add(TraineeDomainStat(user_id=user_id, domain=domain, answered=answered, correct=correct,
                                         credit=credit, last_answered_at=last[domain]))
    if last_activity is not None:
        note_activity(user_id, last_activity)
