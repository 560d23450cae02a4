"""Answers given under an answer key that changed under the same id: regrade or void them.

The rules live in app.domain.rekey. This module loads the answers of every older version whose key
differs from the new one, writes their new marks (or voids them), rescores the closed exams they were
part of, rebuilds each trainee's aggregates from their answers and marks their readiness stale.
It flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from app.domain import rekey
from app.domain.questions import Option
from app.extensions import db
from app.models import Answer, Exam, Question, QuestionVersion
from app.services import practice, progress


@dataclass
class RekeyReport:
    regraded: int = 0
    voided: int = 0
    trainees: int = 0
    exams: int = 0

    def summary(self) -> str:
        return (
            f"{self.regraded} answers regraded, {self.voided} voided, for {self.trainees} trainees; "
            f"{self.exams} exam scores recomputed"
        )


def apply_key_changes(
    changes: list[rekey.KeyChange], decision: rekey.OldAnswers, now: datetime
) -> RekeyReport:
    """Regrade or void the answers given under an old key of each changed question (call after publishing)."""
    report = RekeyReport()
    trainees: set[int] = set()
    exam_ids: set[int] = set()
    for change in changes:
        question = db.session.scalar(select(Question).where(Question.slug == change.slug))
        current = question.current_version
        # Option text as rendered (sanitised HTML) on both sides, so that options match by their text.
        scorable = replace(
            practice.scorable(current),
            options=tuple(Option(o["key"], o["html"], "", o["correct"], 0) for o in current.options),
        )
        rows = db.session.execute(
            select(Answer, QuestionVersion.options)
            .join(QuestionVersion, Answer.question_version_id == QuestionVersion.id)
            .where(
                Answer.question_id == question.id,
                Answer.voided_at.is_(None),
                QuestionVersion.answer_key != current.answer_key,
            )
        ).all()
        for answer, options in rows:
            response = rekey.GivenResponse(
                tuple(answer.chosen), answer.value, answer.confidence, {o["key"]: o["html"] for o in options}
            )
            result = rekey.rescore(scorable, response, decision)
            if result.voided:
                answer.voided_at = now
                report.voided += 1
            else:
                answer.correct, answer.credit = result.score.correct, result.score.credit
                answer.cbm_mark = result.score.cbm_mark
                report.regraded += 1
            trainees.add(answer.user_id)
            if answer.exam_id is not None:
                exam_ids.add(answer.exam_id)
    db.session.flush()
    for exam in db.session.scalars(select(Exam).where(Exam.id.in_(exam_ids), Exam.score.is_not(None))):
        answers = db.session.scalars(select(Answer).where(Answer.exam_id == exam.id)).all()
        exam.score = rekey.exam_score(
            [a.credit for a in answers if a.voided_at is None],
            len(exam.version_ids),
            sum(1 for a in answers if a.voided_at is not None),
        )
        report.exams += 1
    for user_id in sorted(trainees):
        progress.rebuild(user_id)
        progress.mark_stale(user_id)
    report.trainees = len(trainees)
    db.session.flush()
    return report
