"""Promotion checks: request, schedule, draw a secure form, and read the result the verdict rests on.

Rules
- A trainee has at most one open check (requested or scheduled). A trainee may request one; a trainer of
  the trainee's cohort schedules it (which also grants a pending request). Only a scheduled check starts.
- The form is a blueprint form of the policy's `check_length`, drawn from items (practice or reserve)
  the trainee has never been served, in any study session, review, exam or earlier check; the least
  exposed items across everyone's checks come first; at most one item per set. When the unseen pool
  cannot fill a domain's share, nothing is drawn and the error names the domains short.
- The sitting is an exam of kind `promotion`: one at a time, the server's deadline, no feedback until it
  closes, and its results page shows no item review (the items stay secure for the next trainee).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

from sqlalchemy import select

from app.domain.exam import Blueprint, draw_check_form
from app.domain.readiness.promotion import CheckResult
from app.domain.readiness.promotion_rules import PromotionRules
from app.domain.shuffle import new_seed
from app.extensions import db
from app.models import Answer, Exam, PromotionCheck, QuestionVersion, StudySession, User
from app.services import ServiceError
from app.services.exams import lock_user, running_exam, time_limit_for
from app.services.practice import live_versions

OPEN = ("requested", "scheduled")


class PromotionError(ServiceError):
    """A promotion check that cannot be requested, scheduled or started."""


def open_check(trainee_id: int) -> PromotionCheck | None:
    return db.session.scalar(
        select(PromotionCheck)
        .where(PromotionCheck.trainee_id == trainee_id, PromotionCheck.status.in_(OPEN))
        .order_by(PromotionCheck.id.desc())
        .limit(1)
    )


def checks_of(trainee_id: int) -> list[PromotionCheck]:
    return list(
        db.session.scalars(
            select(PromotionCheck)
            .where(PromotionCheck.trainee_id == trainee_id)
            .order_by(PromotionCheck.id.desc())
        )
    )


def pending_requests(trainee_ids: list[int]) -> list[PromotionCheck]:
    """Requests waiting for a trainer, oldest first."""
    if not trainee_ids:
        return []
    return list(
        db.session.scalars(
            select(PromotionCheck)
            .where(PromotionCheck.trainee_id.in_(trainee_ids), PromotionCheck.status == "requested")
            .order_by(PromotionCheck.requested_at)
        )
    )


def request_check(trainee: User, now: datetime) -> PromotionCheck:
    """The trainee asks for a check; an open one is returned as it is."""
    lock_user(trainee.id)
    existing = open_check(trainee.id)
    if existing is not None:
        return existing
    check = PromotionCheck(trainee_id=trainee.id, status="requested", requested_at=now, created_at=now)
    db.session.add(check)
    db.session.flush()
    return check


def schedule_check(trainee: User, trainer: User, now: datetime) -> PromotionCheck:
    """A trainer schedules a check (granting a pending request, or a new one)."""
    lock_user(trainee.id)
    check = open_check(trainee.id)
    if check is None:
        check = PromotionCheck(trainee_id=trainee.id, status="scheduled", created_at=now)
        db.session.add(check)
    check.status, check.scheduled_by_id, check.scheduled_at = "scheduled", trainer.id, now
    db.session.flush()
    return check


def own_check(trainee_id: int, check_id: int) -> PromotionCheck:
    check = db.session.get(PromotionCheck, check_id)
    if check is None or check.trainee_id != trainee_id:
        raise PromotionError("There is no such promotion check among yours.", 404)
    return check


def served_question_ids(trainee_id: int) -> set[int]:
    """Every question the trainee has been shown: answered, or placed in a session, exam or check."""
    served = set(
        db.session.scalars(select(Answer.question_id).where(Answer.user_id == trainee_id).distinct())
    )
    version_ids: set[int] = set()
    for filters in db.session.scalars(select(StudySession.filters).where(StudySession.user_id == trainee_id)):
        version_ids.update((filters or {}).get("version_ids", []))
    for ids in db.session.scalars(select(Exam.version_ids).where(Exam.user_id == trainee_id)):
        version_ids.update(ids or [])
    if version_ids:
        served |= set(
            db.session.scalars(select(QuestionVersion.question_id).where(QuestionVersion.id.in_(version_ids)))
        )
    return served


def exposure_by_question() -> Counter[int]:
    """How many promotion checks (anyone's) have used each question."""
    ids = [
        v
        for form in db.session.scalars(select(Exam.version_ids).where(Exam.kind == "promotion"))
        for v in form
    ]
    if not ids:
        return Counter()
    owners = dict(
        db.session.execute(
            select(QuestionVersion.id, QuestionVersion.question_id).where(QuestionVersion.id.in_(set(ids)))
        ).all()
    )
    return Counter(owners[v] for v in ids if v in owners)


def start_check(
    check: PromotionCheck, blueprint: Blueprint, policy: PromotionRules, now: datetime, rng: random.Random
) -> Exam:
    """Draw the secure form and open the sitting (see the module rules)."""
    lock_user(check.trainee_id)
    if check.status == "started" and check.exam_id is not None:
        return db.session.get(Exam, check.exam_id)
    if check.status != "scheduled":
        raise PromotionError("This promotion check is not scheduled yet: your trainer schedules it.", 409)
    if running_exam(check.trainee_id, now) is not None:
        raise PromotionError("Finish or submit the exam you have running before starting the check.", 409)
    served = served_question_ids(check.trainee_id)
    exposure = exposure_by_question()
    pool: dict[str, list[str]] = {}
    question_of: dict[str, int] = {}
    sets: dict[str, str] = {}
    for version in live_versions() + live_versions(pool="reserve"):
        if version.question_id in served:
            continue
        key = str(version.id)
        pool.setdefault(version.domain, []).append(key)
        question_of[key] = version.question_id
        if version.item_set:
            sets[key] = version.item_set
    draw = draw_check_form(
        pool,
        {k: exposure.get(q, 0) for k, q in question_of.items()},
        blueprint,
        policy.check_length,
        rng,
        sets,
    )
    if draw.shortfall:
        short = ", ".join(
            f"{d} needs {need}, has {have}" for d, (need, have) in sorted(draw.shortfall.items())
        )
        raise PromotionError(
            f"Not enough unseen questions for a {policy.check_length}-item check ({short}). The app does not "
            "reuse items on a promotion check: add reserve items or shorten `promotion_check.length`.",
            409,
        )
    limit = time_limit_for(blueprint, len(draw.items))
    exam = Exam(
        user_id=check.trainee_id,
        kind="promotion",
        version_ids=[int(i) for i in draw.items],
        time_limit_seconds=int(limit.total_seconds()),
        started_at=now,
        deadline=now + limit,
        seed=new_seed(),
    )
    db.session.add(exam)
    db.session.flush()
    check.exam_id, check.status = exam.id, "started"
    db.session.flush()
    return exam


def latest_result(trainee_id: int, now: datetime) -> CheckResult | None:
    """The most recent promotion check closed by `now`, as readiness evidence (an assessment as of an
    earlier moment, such as a weekly snapshot, does not see a check sat after it)."""
    exam = db.session.scalar(
        select(Exam)
        .where(
            Exam.user_id == trainee_id,
            Exam.kind == "promotion",
            Exam.submitted_at.is_not(None),
            Exam.submitted_at <= now,
        )
        .order_by(Exam.submitted_at.desc())
        .limit(1)
    )
    if exam is None or exam.score is None:
        return None
    items = len(exam.version_ids)
    return CheckResult(f"check:{exam.id}", exam.score * items, items, exam.submitted_at)
