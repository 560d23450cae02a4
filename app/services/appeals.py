"""Appeals: a trainee reports a question (authors decide) or contests a verdict (the trainer decides).

Rules
- A trainee may report only a question they have answered; one open report per trainee and question
  (a second report adds nothing and returns the first).
- A trainee may contest their own verdict; one open contest at a time.
- Item reports are decided by any author other than the reporter; verdict contests by a trainer of the
  trainee's cohort. A decision is upheld or rejected with a note, and is final.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Answer, Appeal, Question, TraineeReadiness, User
from app.services import ServiceError

ITEM_REASONS = {
    "wrong-key": "The marked answer is wrong",
    "ambiguous": "More than one answer fits, or none",
    "other": "Something else (a typo, a figure that does not add up)",
}
DECISIONS = ("upheld", "rejected")


class AppealError(ServiceError):
    """An appeal that cannot be made or decided."""


def report_item(user: User, question_id: int, reason: str, note: str, now: datetime) -> Appeal:
    answered = db.session.scalar(
        select(Answer.question_version_id)
        .where(Answer.user_id == user.id, Answer.question_id == question_id)
        .order_by(Answer.id.desc())
        .limit(1)
    )
    if answered is None:
        raise AppealError("You can report a question once you have answered it.", 404)
    existing = db.session.scalar(
        select(Appeal).where(
            Appeal.kind == "item",
            Appeal.user_id == user.id,
            Appeal.question_id == question_id,
            Appeal.status == "open",
        )
    )
    if existing is not None:
        return existing
    appeal = Appeal(
        kind="item",
        user_id=user.id,
        question_id=question_id,
        question_version_id=answered,
        reason=reason,
        note=note.strip(),
        status="open",
        created_at=now,
    )
    db.session.add(appeal)
    db.session.flush()
    return appeal


def contest_verdict(user: User, note: str, now: datetime) -> Appeal:
    existing = db.session.scalar(
        select(Appeal).where(Appeal.kind == "verdict", Appeal.user_id == user.id, Appeal.status == "open")
    )
    if existing is not None:
        return existing
    stored = db.session.get(TraineeReadiness, user.id)
    appeal = Appeal(
        kind="verdict",
        user_id=user.id,
        reason="verdict",
        note=note.strip(),
        status="open",
        verdict=stored.verdict if stored else None,
        created_at=now,
    )
    db.session.add(appeal)
    db.session.flush()
    return appeal


def open_item_reports() -> list[Appeal]:
    return list(
        db.session.scalars(
            select(Appeal)
            .join(Question, Question.id == Appeal.question_id)
            .where(Appeal.kind == "item", Appeal.status == "open")
            .order_by(Appeal.created_at)
        )
    )


def verdict_appeals(trainee_id: int) -> list[Appeal]:
    return list(
        db.session.scalars(
            select(Appeal)
            .where(Appeal.kind == "verdict", Appeal.user_id == trainee_id)
            .order_by(Appeal.id.desc())
        )
    )


def item_report(appeal_id: int) -> Appeal:
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or appeal.kind != "item":
        raise AppealError("There is no such report.", 404)
    return appeal


def verdict_appeal(trainee_id: int, appeal_id: int) -> Appeal:
    appeal = db.session.get(Appeal, appeal_id)
    if appeal is None or appeal.kind != "verdict" or appeal.user_id != trainee_id:
        raise AppealError("There is no such appeal.", 404)
    return appeal


def decide(appeal: Appeal, decider: User, decision: str, note: str, now: datetime) -> Appeal:
    if appeal.status != "open":
        raise AppealError("This appeal is already decided; the decision stands.", 409)
    if appeal.user_id == decider.id:
        raise AppealError("Someone else decides your own appeal.", 403)
    appeal.status, appeal.decided_by_id, appeal.decision_note, appeal.decided_at = (
        decision,
        decider.id,
        note.strip(),
        now,
    )
    db.session.flush()
    return appeal
