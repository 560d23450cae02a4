"""A trainer's promotion round: every trainee of their cohorts who is Ready or asked for a sign-off, on one
page, with what a decision rests on (verdict, pass probability, unmet criteria, the promotion check).

Built from stored rows in a fixed number of queries whatever the cohort size: the stored readiness result
(the one the report shows while no evidence arrived since), open sign-off requests, the latest sign-off and
the latest closed promotion check of each trainee. Deciding goes through readiness.record_sign_off, as on the
readiness report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from app.domain.readiness.promotion import CheckResult, classification_accuracy, outcome
from app.domain.readiness.promotion_rules import PromotionRules
from app.domain.readiness.results import Readiness
from app.domain.readiness.stored import readiness_from_json
from app.extensions import db
from app.models import (
    Cohort,
    PromotionCheck,
    SignOff,
    SignOffRequest,
    TraineeReadiness,
    User,
    cohort_trainees,
)
from app.policy import in_visible_cohorts, led_cohort_ids, of_visible_trainees
from app.services.notifications import still_open

# What a trainer's sign-off records when they give no note of their own: the evidence is stored with it.
DEFAULT_SIGN_OFF_NOTE = "Recommended in the promotion round on the evidence shown."
# A trainee decided this recently stays on the round (marked decided) whatever their verdict now, so the
# trainer sees what the round settled; the sign-off recomputes the verdict, which may move off Ready.
DECIDED_STAYS = timedelta(days=7)


@dataclass(frozen=True)
class CheckSummary:
    check: PromotionCheck
    score: float
    outcome: str  # passed, failed or undecided (the classification accuracy is too low to decide)
    label: str
    accuracy: float


@dataclass
class RoundRow:
    trainee: User
    cohort: Cohort  # one of the trainee's cohorts the viewer sees, for the drill-down link
    readiness: TraineeReadiness
    result: Readiness | None  # the stored report; None when it predates the stored format
    request: SignOffRequest | None  # an open request for a sign-off
    sign_off: SignOff | None  # the latest sign-off, any decision
    check: CheckSummary | None  # the latest closed promotion check
    may_decide: bool  # the viewer trains this trainee (admins see the round but do not sign off)

    @property
    def decided(self) -> bool:
        """Decided when a sign-off was recorded and no request came after it."""
        return self.sign_off is not None and self.request is None

    @property
    def unmet(self) -> list[str]:
        if self.result is None:
            return []
        return [f"{c.label}: {c.observed}" for c in self.result.criteria if not c.met]


def check_summary(check: PromotionCheck, policy: PromotionRules) -> CheckSummary | None:
    """The result of a closed check against the policy's cut, or None while it is not closed."""
    if check.exam is None or not check.exam.closed:
        return None
    items = len(check.exam.version_ids)
    result = CheckResult(
        f"check:{check.exam.id}", (check.exam.score or 0) * items, items, check.exam.submitted_at
    )
    decided = outcome(result, policy.pass_mark, policy.check_min_accuracy)
    accuracy = classification_accuracy(result.credit, items, policy.pass_mark)
    return CheckSummary(check, result.score, decided.value, decided.label, accuracy)


def round_rows(viewer: User, policy: PromotionRules, now: datetime) -> list[RoundRow]:
    """Trainees the viewer may see (a trainer: their cohorts'; an admin: everyone's) who are active and whose
    stored verdict is Ready, who have an open sign-off request, or who were decided within DECIDED_STAYS;
    undecided first, then by name."""
    requested = select(SignOffRequest.trainee_id).where(still_open())
    recently = select(SignOff.trainee_id).where(SignOff.created_at >= now - DECIDED_STAYS)
    query = (
        select(User, TraineeReadiness)
        .join(TraineeReadiness, TraineeReadiness.user_id == User.id)
        .where(
            User.active,
            or_(TraineeReadiness.verdict == "ready", User.id.in_(requested), User.id.in_(recently)),
        )
        .where(User.id.in_(select(cohort_trainees.c.user_id)), of_visible_trainees(viewer, User.id))
    )
    found = db.session.execute(query).all()
    ids = [user.id for user, _ in found]
    if not ids:
        return []
    requests = {
        r.trainee_id: r
        for r in db.session.scalars(
            select(SignOffRequest)
            .where(SignOffRequest.trainee_id.in_(ids), still_open())
            .order_by(SignOffRequest.requested_at)
        )
    }
    latest_sign_off = (
        select(func.max(SignOff.id)).where(SignOff.trainee_id.in_(ids)).group_by(SignOff.trainee_id)
    )
    sign_offs = {
        s.trainee_id: s
        for s in db.session.scalars(
            select(SignOff).options(joinedload(SignOff.trainer)).where(SignOff.id.in_(latest_sign_off))
        )
    }
    checks: dict[int, CheckSummary] = {}
    for check in db.session.scalars(
        select(PromotionCheck)
        .options(joinedload(PromotionCheck.exam))
        .where(PromotionCheck.trainee_id.in_(ids), PromotionCheck.exam_id.is_not(None))
        .order_by(PromotionCheck.id.desc())
    ):
        if check.trainee_id not in checks and (summary := check_summary(check, policy)):
            checks[check.trainee_id] = summary
    membership = select(cohort_trainees.c.user_id, Cohort).join(
        Cohort, Cohort.id == cohort_trainees.c.cohort_id
    )
    membership = membership.where(in_visible_cohorts(viewer, Cohort.id))
    cohort_of: dict[int, Cohort] = {}
    for user_id, cohort in db.session.execute(
        membership.where(cohort_trainees.c.user_id.in_(ids)).order_by(Cohort.name)
    ):
        cohort_of.setdefault(user_id, cohort)
    led = _trained_ids(viewer, ids)
    rows = [
        RoundRow(
            user,
            cohort_of[user.id],
            row,
            _stored_result(row),
            requests.get(user.id),
            sign_offs.get(user.id),
            checks.get(user.id),
            user.id in led,
        )
        for user, row in found
        if user.id in cohort_of
    ]
    rows.sort(key=lambda r: (r.decided, r.trainee.name.lower()))
    return rows


def _stored_result(row: TraineeReadiness) -> Readiness | None:
    if not row.report or "result" not in row.report:
        return None
    try:
        return readiness_from_json(row.report["result"])
    except ValueError:
        return None


def _trained_ids(viewer: User, ids: list[int]) -> set[int]:
    """The trainees among `ids` in a cohort the viewer leads as trainer (who may record their sign-off)."""
    return set(
        db.session.scalars(
            select(cohort_trainees.c.user_id).where(
                cohort_trainees.c.user_id.in_(ids), cohort_trainees.c.cohort_id.in_(led_cohort_ids(viewer))
            )
        )
    )
