"""The practice hot path (question page and answer POST) as SQLAlchemy Core statements returning rows.

Same rules, same rows and same messages as the ORM implementation in app.services.practice, which stays
the reference: tests replay one sequence of answers through both and compare every row. What differs is
only the cost: no ORM objects are built or flushed, the session's answers are read once, and an answer
and the review card it moves are each one INSERT ... ON CONFLICT or one UPDATE. Core statements do not
pass through the ORM flush that app.audit watches, so each write here logs its own audit line.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, bindparam, exists, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.audit import audit_log
from app.domain import review as spaced
from app.extensions import db
from app.models import Answer, Question, QuestionVersion, ReviewCard, StudySession
from app.policy import NotFound
from app.services import aggregate_rows, cohorts, run_core, xapi
from app.services.practice import PracticeError, Response, _clamp_seconds, _score

answers = Answer.__table__
sessions = StudySession.__table__
versions = QuestionVersion.__table__
questions = Question.__table__
cards = ReviewCard.__table__

_SESSION = select(sessions).where(sessions.c.id == bindparam("session_id"))
_VERSION = (
    select(versions, questions.c.slug.label("question_slug"), questions.c.retired_at.label("retired_at"))
    .join(questions, questions.c.id == versions.c.question_id)
    .where(versions.c.id == bindparam("version_id"))
)
_ANSWERS = (
    select(
        answers.c.id,
        answers.c.submission_key,
        answers.c.chosen,
        answers.c.value,
        answers.c.correct,
        answers.c.credit,
        answers.c.cbm_mark,
    )
    .where(answers.c.session_id == bindparam("session_id"))
    .order_by(answers.c.id)
)
# Before an answer is stored: has the trainee answered this question before (then it is no first attempt),
# and the retention target its review is scheduled for; one read for both.
_BEFORE_ANSWER = select(
    exists()
    .where(answers.c.user_id == bindparam("user_id"), answers.c.question_id == bindparam("question_id"))
    .label("answered_before"),
    cohorts.RETENTION_TARGET.label("retention"),
)
_CARD_KEY = (cards.c.user_id == bindparam("card_user_id")) & (
    cards.c.question_id == bindparam("card_question_id")
)
_CARD = select(cards.c.card, cards.c.reviews).where(_CARD_KEY).with_for_update()
_CARD_DUE = select(cards.c.due).where(_CARD_KEY)
_CARD_UPDATE = update(cards).where(_CARD_KEY)
_SESSION_UPDATE = update(sessions).where(sessions.c.id == bindparam("session_key"))
_inserts: dict[str, tuple] = {}


def _insert_statements() -> tuple:
    """(answer, review card) inserts that skip a row already there, built once per dialect; the values
    come with each execution."""
    dialect = db.engine.dialect.name
    if dialect not in _inserts:
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        _inserts[dialect] = (
            insert(answers)
            .on_conflict_do_nothing(index_elements=[answers.c.user_id, answers.c.submission_key])
            .returning(answers.c.id),
            insert(cards)
            .on_conflict_do_nothing(index_elements=[cards.c.user_id, cards.c.question_id])
            .returning(cards.c.reviews),
        )
    return _inserts[dialect]


def logged(op: str, table: str, identity: Any) -> None:
    """The audit line the ORM flush would have written for this row (app.audit._log_writes)."""
    audit_log.info("%s %s", op, table, extra={"event": "write", "op": op, "table": table, "id": identity})


class ServedVersion:
    """A question version row, read under the ORM object's attribute names (templates, scoring and xapi
    use it as they use a QuestionVersion); `question` carries the slug and whether it is retired."""

    def __init__(self, row: Row):
        self._row = row
        self.question = SimpleNamespace(slug=row.question_slug, retired_at=row.retired_at)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


def own_session(user_id: int, session_id: int) -> Row:
    """The trainee's own study or review session as a row, or NotFound (as policy.own_or_404 says it)."""
    row = run_core(_SESSION, {"session_id": session_id}).first()
    if row is None or row.user_id != user_id:
        raise NotFound("There is no such practice session among yours.")
    return row


def session_version(session: Row, position: int) -> ServedVersion:
    ids = session.filters["version_ids"]
    if not 0 <= position < len(ids):
        raise PracticeError("That question is not part of this session.", 404)
    return ServedVersion(run_core(_VERSION, {"version_id": ids[position]}).one())


def session_answers(session: Row) -> dict[int, Row]:
    """position -> answer row (what the page shows of it), for the positions answered so far."""
    prefix = f"{session.mode}:{session.id}:"
    rows = run_core(_ANSWERS, {"session_id": session.id})
    return {int(a.submission_key.removeprefix(prefix)): a for a in rows}


def next_position(planned: int, answered: dict | set) -> int | None:
    return next((p for p in range(planned) if p not in answered), None)


def next_review(user_id: int, question_id: int) -> datetime | None:
    return run_core(_CARD_DUE, {"card_user_id": user_id, "card_question_id": question_id}).scalar()


def record_answer(
    user_id: int,
    session: Row,
    version: ServedVersion,
    position: int,
    response: Response,
    now: datetime,
    answered: dict[int, Row],
) -> bool:
    """Score and store one answer (app.services.practice.record_answer, in Core). `version` and `answered`
    are what the page loaded (session_version, session_answers); a position already answered, or stored
    meanwhile by another request, stores nothing. True when this request stored the answer."""
    if position in answered:
        return False
    if version.question.retired_at is not None:
        raise PracticeError(
            "This question was retired while you were on it. Nothing was stored; go on to the next one.", 409
        )
    score = _score(version, response)
    key = f"{session.mode}:{session.id}:{position}"
    before = run_core(
        _BEFORE_ANSWER, {"user_id": user_id, "question_id": version.question_id, "trainee_id": user_id}
    ).one()
    first = not before.answered_before
    values = {
        "user_id": user_id,
        "question_id": version.question_id,
        "question_version_id": version.id,
        "domain": version.domain,
        "mode": session.mode,
        "chosen": list(response.chosen),
        "value": response.value,
        "confidence": response.confidence,
        "correct": score.correct,
        "credit": score.credit,
        "cbm_mark": score.cbm_mark,
        "seconds": _clamp_seconds(response.seconds),
        "first_attempt": first,
        "submission_key": key,
        "session_id": session.id,
        "exam_id": None,
        "voided_at": None,
        "answered_at": now,
    }
    answer_id = run_core(_insert_statements()[0], values).scalar()
    if answer_id is None:  # the same form arrived twice at once: the first one won
        return False
    logged("insert", "answers", answer_id)
    answer = SimpleNamespace(id=answer_id, **values)
    retention = cohorts.retention_or_default(before.retention)
    schedule_review(user_id, version.question_id, score.correct, response.confidence, now, retention)
    aggregate_rows.record_answer(user_id, version.domain, score.correct, score.credit, now)
    xapi.answered(answer, version)
    _update_session(session, version.id, score.correct, set(answered) | {position}, now)
    return True


def _update_session(session: Row, version_id: int, correct: bool, answered: set[int], now: datetime) -> None:
    """A review item answered wrong comes back at the end of the session once (practice.ask_again_later);
    the session ends when no position is left. One UPDATE for both, as the ORM flush would send."""
    changes: dict[str, Any] = {}
    filters, planned = session.filters, session.planned
    if session.mode == "review" and not correct:
        ids = list(filters.get("version_ids", []))
        if ids.count(version_id) < 2:
            filters = {**filters, "version_ids": [*ids, version_id]}
            planned += 1
            changes.update(filters=filters, planned=planned)
    if session.ended_at is None and next_position(planned, answered) is None:
        changes["ended_at"] = now
    if changes:
        run_core(_SESSION_UPDATE, {"session_key": session.id, **changes})
        logged("update", "study_sessions", session.id)


def schedule_review(
    user_id: int, question_id: int, correct: bool, confidence: str | None, now: datetime, retention: float
) -> None:
    """practice.schedule_review in Core: the card row is locked while read and written; of two first
    inserts at once the second becomes an update of the first. Scheduled for `retention`, the trainee's
    cohort's retention target (cohorts.retention_for; record_answer reads it with the first-attempt check)."""
    rating = spaced.rating_for(correct, confidence)
    card = _locked_card(user_id, question_id)
    if card is None:
        state, due = spaced.review(None, rating, now, retention)
        inserted = run_core(
            _insert_statements()[1],
            {
                "user_id": user_id,
                "question_id": question_id,
                "card": state,
                "due": due,
                "reviews": 1,
                "last_review": now,
            },
        ).scalar()
        if inserted is not None:  # (rowcount says nothing here: psycopg reports -1 for this statement)
            logged("insert", "review_cards", [user_id, question_id])
            return
        card = _locked_card(user_id, question_id)
    state, due = spaced.review(card.card, rating, now, retention)
    run_core(
        _CARD_UPDATE,
        {
            "card_user_id": user_id,
            "card_question_id": question_id,
            "card": state,
            "due": due,
            "reviews": card.reviews + 1,
            "last_review": now,
        },
    )
    logged("update", "review_cards", [user_id, question_id])


def _locked_card(user_id: int, question_id: int) -> Row | None:
    return run_core(_CARD, {"card_user_id": user_id, "card_question_id": question_id}).first()
