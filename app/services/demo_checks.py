"""The demo's promotion checks: who sits one, and the sitting itself, through the app's own services.

A demo trainee whose persona asks for checks requests one once their practice readiness meets every
criterion but the check (the readiness report's advice), the demo trainer schedules it, and the trainee
sits it: the form is drawn by `promotion.start_check` (blueprint, items never served),
each item is answered by the persona's ability (`demo_history.answer_by_ability`) and saved with
`exams.save_response`, and `exams.submit` scores it. Nothing here decides a result or a verdict: the
readiness assessment reads the check like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from app.domain.exam import Blueprint
from app.domain.readiness.promotion_rules import PromotionRules
from app.domain.readiness.results import Readiness
from app.extensions import db
from app.models import QuestionVersion, User
from app.services import exams, promotion
from app.services.demo_history import History, answer_by_ability, answer_keys, response_for

CHECK_CRITERION = "promotion.check"
SECONDS_PER_ITEM = (25, 70)  # a demo trainee's time on one check item, well inside the check's time limit
SITTING_ROOM = timedelta(hours=2)  # 80 items at most 70 s each, and submitting: closed well before now


def wants_check(history: History, practice: Readiness) -> bool:
    """A demo trainee whose persona asks for checks requests one once practice reads Ready, i.e. every
    criterion but the promotion check is met (the readiness report's advice)."""
    unmet = [c.key for c in practice.criteria if not c.met]
    return history.persona.asks_for_check and unmet == [CHECK_CRITERION]


@dataclass(frozen=True)
class CheckDesk:
    """Sits the demo's promotion checks, the trainer's part included."""

    trainer: User
    policy: PromotionRules
    blueprint: Blueprint

    def sit(self, history: History, now: datetime) -> datetime:
        """The trainee requests a check after their last activity, the trainer schedules it, the trainee sits
        it two hours after that activity (or, when that would not close by `now`, SITTING_ROOM before now);
        returns when it closed."""
        trainee, who, rng = history.trainee, history.persona, history.rng
        moment = min(history.last_active + timedelta(hours=2), now - SITTING_ROOM)
        promotion.request_check(trainee, moment - timedelta(hours=2))
        check = promotion.schedule_check(trainee, self.trainer, moment - timedelta(hours=1))
        exam = promotion.start_check(check, self.blueprint, self.policy, moment, rng)
        versions = {
            v.id: v
            for v in db.session.scalars(
                select(QuestionVersion).where(QuestionVersion.id.in_(exam.version_ids))
            )
        }
        keys = answer_keys(exam.version_ids)
        for position, version_id in enumerate(exam.version_ids):
            seconds = rng.randint(*SECONDS_PER_ITEM)
            moment += timedelta(seconds=seconds)
            correct, confidence = answer_by_ability(who, versions[version_id], 1.0, 0, rng)
            chosen, value = response_for(keys[version_id], correct, rng)
            exams.save_response(exam, position, chosen, value, confidence, False, seconds, moment)
        moment += timedelta(minutes=2)
        exams.submit(exam, moment)
        history.answers += len(exam.responses)
        return moment
