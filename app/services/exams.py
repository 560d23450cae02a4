"""Exam simulation: draw a blueprint form, keep responses until submission, score with deferred feedback.

Rules: the deadline is the server's (started_at + time limit); a response reaching the server at or
after it is refused and does not count. Submitting twice changes nothing. Opening an exam whose time
ran out closes it with what was saved in time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.domain.exam import Blueprint, DomainResult, answer_counts, domain_results, draw_form, parse_blueprint
from app.domain.scoring import InvalidResponse, score_answer
from app.domain.shuffle import new_seed
from app.extensions import db
from app.models import Answer, Exam, ExamResponse, QuestionVersion, TraineeReadiness, User
from app.policy import own_or_404
from app.services import ServiceError, load_content_file, progress, xapi
from app.services.practice import live_versions, recently_seen_question_ids, schedule_review, scorable

FORM_LENGTHS = (20, 50, 150)


class ExamError(ServiceError):
    """An exam request that cannot be carried out (closed exam, late answer, someone else's exam)."""


def load_blueprint(content_dir: str) -> Blueprint:
    return load_content_file(Path(content_dir) / "blueprint.yaml", parse_blueprint)


def time_limit_for(blueprint: Blueprint, length: int) -> timedelta:
    """The blueprint's time per item, for a form of `length` items, rounded up to a whole minute."""
    seconds = blueprint.time_limit.total_seconds() * length / blueprint.form_length
    return timedelta(minutes=math.ceil(seconds / 60))


def lock_user(user_id: int) -> None:
    """Serialise a trainee's exam starts (PostgreSQL row lock; SQLite serialises writers anyway)."""
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def running_exam(user_id: int, now: datetime) -> Exam | None:
    """The trainee's exam still open and in time, if any (there is at most one)."""
    return db.session.scalar(
        select(Exam)
        .where(Exam.user_id == user_id, Exam.submitted_at.is_(None), Exam.deadline > now)
        .order_by(Exam.started_at.desc())
        .limit(1)
    )


def start_exam(user_id: int, length: int, blueprint: Blueprint, now: datetime, rng: random.Random) -> Exam:
    """Draw a form: unseen items first (not answered in 14 days), at most one per item set, and record how
    many had to be reused. A trainee sits one exam at a time: an exam still running is returned instead."""
    lock_user(user_id)
    running = running_exam(user_id, now)
    if running is not None:
        return running
    versions = live_versions()
    pool: dict[str, list[str]] = {}
    for version in versions:
        pool.setdefault(version.domain, []).append(str(version.id))
    seen_questions = recently_seen_question_ids(user_id, now)
    seen = {str(v.id) for v in versions if v.question_id in seen_questions}
    sets = {str(v.id): v.item_set for v in versions if v.item_set}
    drawn_ids = draw_form(pool, blueprint, length, seen, rng, sets)
    drawn = [int(i) for i in drawn_ids]
    if not drawn:
        raise ExamError("There are no questions to draw an exam from yet.", 409)
    limit = time_limit_for(blueprint, len(drawn))
    exam = Exam(
        user_id=user_id,
        version_ids=drawn,
        time_limit_seconds=int(limit.total_seconds()),
        started_at=now,
        deadline=now + limit,
        seed=new_seed(),
        reused=len(seen.intersection(drawn_ids)),
    )
    db.session.add(exam)
    db.session.flush()
    return exam


def own_exam(user_id: int, exam_id: int) -> Exam:
    return own_or_404(Exam, exam_id, user_id, "exam")


def accepts_answers(exam: Exam, now: datetime) -> bool:
    return not exam.closed and answer_counts(exam.started_at, timedelta(seconds=exam.time_limit_seconds), now)


def version_at(exam: Exam, position: int) -> QuestionVersion:
    if not 0 <= position < len(exam.version_ids):
        raise ExamError("That item is not on this exam form.", 404)
    return db.session.get(QuestionVersion, exam.version_ids[position])


def responses_by_position(exam: Exam) -> dict[int, ExamResponse]:
    return {r.position: r for r in exam.responses}


def unanswered_positions(exam: Exam) -> list[int]:
    """Positions with no saved answer, in form order."""
    saved = responses_by_position(exam)
    return [p for p in range(len(exam.version_ids)) if p not in saved or not saved[p].answered_at]


def save_response(
    exam: Exam,
    position: int,
    chosen: list[str],
    value: float | None,
    confidence: str | None,
    flagged: bool,
    seconds: float | None,
    now: datetime,
) -> ExamResponse:
    """Keep the trainee's current response to one item (empty to clear it, flagged to mark for review)."""
    if exam.closed:
        raise ExamError("This exam is submitted; its answers can no longer change.", 409)
    if not accepts_answers(exam, now):
        raise ExamError(
            "Time is up: answers after the deadline do not count. Open the results to see your "
            "score with what you saved in time.",
            409,
        )
    version = version_at(exam, position)
    answered = bool(chosen) or value is not None
    if answered:
        try:
            score_answer(scorable(version), chosen, value, confidence)
        except InvalidResponse as error:
            raise ExamError(str(error), 400) from None
    response = responses_by_position(exam).get(position) or _new_response(exam, position)
    response.chosen, response.value = list(chosen), value
    response.confidence, response.flagged = confidence, flagged
    response.seconds = (response.seconds or 0.0) + max(0.0, min(seconds or 0.0, 3600.0))
    response.answered_at = now if answered else None
    db.session.flush()
    return response


def _new_response(exam: Exam, position: int) -> ExamResponse:
    """The row for a position not saved yet. The page's autosave and its form post can both arrive first for
    the same position: the loser of that race finds the winner's row instead of answering 500."""
    try:
        with db.session.begin_nested():
            response = ExamResponse(exam=exam, position=position)
            db.session.add(response)
        return response
    except IntegrityError:
        return db.session.execute(
            select(ExamResponse).where(ExamResponse.exam_id == exam.id, ExamResponse.position == position)
        ).scalar_one()


def submit(exam: Exam, now: datetime) -> None:
    """Close the exam: score every saved response once and store it as an answer (mode exam)."""
    if exam.closed:
        return
    answered_before = set(
        db.session.scalars(select(Answer.question_id).where(Answer.user_id == exam.user_id).distinct())
    )
    credit = 0.0
    for position, response in responses_by_position(exam).items():
        if response.answered_at is None:
            continue
        version = version_at(exam, position)
        score = score_answer(scorable(version), response.chosen, response.value, response.confidence)
        credit += score.credit
        answer = Answer(
            first_attempt=version.question_id not in answered_before,
            user_id=exam.user_id,
            question_id=version.question_id,
            question_version_id=version.id,
            domain=version.domain,
            mode="exam",
            chosen=response.chosen,
            value=response.value,
            confidence=response.confidence,
            correct=score.correct,
            credit=score.credit,
            cbm_mark=score.cbm_mark,
            seconds=response.seconds,
            submission_key=f"exam:{exam.id}:{position}",
            exam_id=exam.id,
            answered_at=response.answered_at,
        )
        db.session.add(answer)
        progress.record_answer(answer)
        xapi.answered(answer, version, exam)
        schedule_review(exam.user_id, version.question_id, score.correct, response.confidence, now)
    stored = db.session.get(TraineeReadiness, exam.user_id)
    exam.readiness_before = stored.pass_probability if stored else None
    exam.submitted_at = min(now, exam.deadline)
    exam.score = credit / len(exam.version_ids) if exam.version_ids else 0.0
    xapi.completed_exam(exam, now)
    db.session.flush()


def close_if_expired(exam: Exam, now: datetime) -> None:
    if not exam.closed and now >= exam.deadline:
        submit(exam, now)


@dataclass(frozen=True)
class ExamResult:
    domains: list[DomainResult]
    correct: float
    total: int
    answered: int
    items: list[tuple[int, QuestionVersion, Answer | None]]  # position, version, scored answer

    @property
    def percent(self) -> float:
        return 100 * self.correct / self.total if self.total else 0.0


def result(exam: Exam, blueprint: Blueprint) -> ExamResult:
    """Per-domain correct/total over every item on the form (unanswered items count as wrong)."""
    answers = {
        a.submission_key: a for a in db.session.scalars(select(Answer).where(Answer.exam_id == exam.id))
    }
    versions = {
        v.id: v
        for v in db.session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(exam.version_ids)))
    }
    items, scored = [], []
    for position, version_id in enumerate(exam.version_ids):
        version = versions[version_id]
        answer = answers.get(f"exam:{exam.id}:{position}")
        items.append((position, version, answer))
        scored.append((version.domain, answer.credit if answer else 0.0))
    by_domain = [d for d in domain_results(scored, blueprint) if d.total]
    return ExamResult(by_domain, sum(c for _, c in scored), len(items), len(answers), items)


def history(user_id: int, limit: int | None = None) -> list[Exam]:
    """The trainee's exams and promotion checks, newest first."""
    return list(
        db.session.scalars(
            select(Exam).where(Exam.user_id == user_id).order_by(Exam.started_at.desc()).limit(limit)
        )
    )
