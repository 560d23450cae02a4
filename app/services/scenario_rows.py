"""The scenario decision (the player's POST) as SQLAlchemy Core statements returning rows.

Same rules, rows and messages as app.services.scenarios.choose, which stays the reference: tests replay
one sequence of decisions through both and compare every row. The attempt is read as a row and written
with one compare-and-set UPDATE (row_version, as the ORM's version counter does: a stale write raises
StaleDataError, which the app answers with 409). Each write logs its own audit line.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, bindparam, insert, select, update
from sqlalchemy.orm.exc import StaleDataError

from app.domain import review as spaced
from app.domain import scenarios as engine
from app.extensions import db
from app.models import DecisionReviewCard, ScenarioAttempt, ScenarioVersion, WriteUp
from app.policy import NotFound
from app.services import aggregate_rows, cohorts, xapi
from app.services.practice_rows import logged
from app.services.scenarios import ScenarioError, _finish, decide, decision_time, model_of, parsed

attempts = ScenarioAttempt.__table__
versions = ScenarioVersion.__table__
writeups = WriteUp.__table__
decision_cards = DecisionReviewCard.__table__

_ATTEMPT = select(attempts).where(attempts.c.id == bindparam("attempt_id"))
_VERSION = select(
    versions.c.id, versions.c.content_hash, versions.c.source, versions.c.source_path, versions.c.analysis
).where(versions.c.id == bindparam("version_id"))
_ATTEMPT_UPDATE = update(attempts).where(
    attempts.c.id == bindparam("attempt_key"), attempts.c.row_version == bindparam("read_version")
)
_CARD_KEY = (
    (decision_cards.c.user_id == bindparam("card_user_id"))
    & (decision_cards.c.version_id == bindparam("card_version_id"))
    & (decision_cards.c.node_id == bindparam("card_node_id"))
)
_CARD = select(decision_cards.c.card, decision_cards.c.reviews).where(_CARD_KEY)
_CARD_UPDATE = update(decision_cards).where(_CARD_KEY)
FINISHED_FIELDS = ("finished_at", "total", "passed", "dimensions", "critical_errors", "outcome")


def own_attempt(user_id: int, attempt_id: int) -> Row:
    """The trainee's own attempt as a row, or NotFound (as policy.own_or_404 says it)."""
    row = db.session.execute(_ATTEMPT, {"attempt_id": attempt_id}).first()
    if row is None or row.user_id != user_id:
        raise NotFound("There is no such scenario attempt among yours.")
    return row


def choose(
    attempt: Row, ref: str, step_number: int, text: str | None, seconds: float | None, now: datetime
) -> bool:
    """Take one decision (scenarios.choose, in Core): 409 for a finished attempt or a page that is behind,
    400 for a choice not offered or an empty write-up. True when the decision finished the run."""
    if attempt.finished_at is not None:
        raise ScenarioError("This attempt is finished; open its debrief, or start the scenario again.", 409)
    version = db.session.execute(_VERSION, {"version_id": attempt.version_id}).one()
    scenario = model_of(version)
    decision = decide(scenario, attempt.log, attempt.seed, ref, step_number, text)
    node, ref, after, events, note = (
        decision.node,
        decision.ref,
        decision.after,
        decision.events,
        decision.note,
    )
    chosen = scenario.choice(ref)
    if chosen is not None and chosen.critical:
        schedule_decision_review(attempt, node.id, ref, now)
    changed: dict[str, Any] = {
        "log": [*attempt.log, ref],
        "decision_seconds": [*attempt.decision_seconds, decision_time(seconds)],
        "updated_at": now,
    }
    view = SimpleNamespace(**{**attempt._mapping, **changed})  # what xapi and scoring read of the attempt
    aggregate_rows.note_activity(attempt.user_id, now)
    xapi.decided(view, scenario, node.id, ref, events, now)
    if after.finished:
        _finish(view, scenario, parsed(version)[1], after, now)
        changed.update({name: getattr(view, name) for name in FINISHED_FIELDS})
        xapi.completed_scenario(view, scenario, now)
    _write_attempt(attempt, changed)
    if note is not None:
        _add_writeup(attempt.id, node, note, now)
    return after.finished


def _write_attempt(attempt: Row, changed: dict[str, Any]) -> None:
    """Compare-and-set on row_version: a page that read an older attempt writes nothing (StaleDataError)."""
    written = db.session.execute(
        _ATTEMPT_UPDATE,
        {
            "attempt_key": attempt.id,
            "read_version": attempt.row_version,
            "row_version": attempt.row_version + 1,
        }
        | changed,
    )
    if written.rowcount != 1:
        raise StaleDataError(f"scenario_attempts {attempt.id} changed meanwhile")
    logged("update", "scenario_attempts", attempt.id)


def _add_writeup(attempt_id: int, node: engine.Node, text: str, now: datetime) -> None:
    writeup_id = db.session.scalar(
        insert(writeups)
        .values(
            attempt_id=attempt_id,
            node_id=node.id,
            text=text,
            created_at=now,
            max_points=sum(item.points for item in node.rubric),
        )
        .returning(writeups.c.id)
    )
    logged("insert", "scenario_writeups", writeup_id)


def schedule_decision_review(attempt: Row, node_id: str, ref: str, now: datetime) -> None:
    """scenarios.schedule_decision_review for a critical error: a new card due within minutes, or the
    existing card reviewed again as forgotten."""
    key = {"card_user_id": attempt.user_id, "card_version_id": attempt.version_id, "card_node_id": node_id}
    card = db.session.execute(_CARD, key).first()
    retention = cohorts.retention_for(attempt.user_id)
    state, due = spaced.review(card.card if card else None, spaced.rating_for(False, None), now, retention)
    identity = [attempt.user_id, attempt.version_id, node_id]
    if card is None:
        db.session.execute(
            insert(decision_cards).values(
                user_id=attempt.user_id,
                version_id=attempt.version_id,
                node_id=node_id,
                wrong_ref=ref,
                card=state,
                due=due,
                reviews=1,
                last_review=now,
            )
        )
        logged("insert", "decision_review_cards", identity)
    else:
        db.session.execute(
            _CARD_UPDATE, key | {"card": state, "due": due, "reviews": card.reviews + 1, "last_review": now}
        )
        logged("update", "decision_review_cards", identity)
