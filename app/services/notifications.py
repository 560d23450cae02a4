"""E-mail people chose to receive: the trainees' weekly digest, the trainers' intervention alerts, and
sign-off requests from trainees judged Ready. Each kind can be turned off on the account page."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from app import jobs, mail
from app.domain import messages
from app.domain.readiness.promotion_rules import InterventionRules
from app.extensions import db
from app.models import (
    Cohort,
    Role,
    SignOff,
    SignOffRequest,
    TraineeReadiness,
    User,
    UserRole,
)
from app.services import ServiceError, accounts, cohorts, practice, promotion, scenarios

log = logging.getLogger(__name__)


class NotificationError(ServiceError):
    pass


@dataclass(frozen=True)
class Sent:
    """What a run of a command did: messages the server accepted, and people passed over (opted out or
    nothing to say)."""

    sent: int
    skipped: int


# Which e-mail goes to whom: each kind to the holders of one role (the preference's column on users).
MAIL_KINDS: dict[str, Role] = {
    "digest": Role.TRAINEE,
    "alerts": Role.TRAINER,
    "sign_off_requests": Role.TRAINER,
}


def mail_kinds(user: User) -> set[str]:
    """The kinds of e-mail this person's roles receive: the only preferences their account page shows."""
    return {kind for kind, role in MAIL_KINDS.items() if role in user.roles}


def set_preferences(user: User, wanted: dict[str, bool]) -> None:
    """Save the preferences of the kinds the person receives; the others keep their value for a later role."""
    for kind in mail_kinds(user):
        setattr(user, f"mail_{kind}", bool(wanted[kind]))


# -- weekly digest -------------------------------------------------------------------------------------------


def digest_facts(trainee: User, now: datetime) -> messages.DigestFacts:
    """The figures of the trainee home page, from the same service functions."""
    load = practice.review_load(trainee.id, now)
    readiness = db.session.get(TraineeReadiness, trainee.id)
    check = promotion.open_check(trainee.id)
    return messages.DigestFacts(
        reviews_today=load.today,
        reviews_waiting=load.waiting,
        decisions_due=len(scenarios.due_decisions(trainee.id, now)),
        open_scenarios=len(scenarios.open_attempts(trainee.id)),
        check_scheduled=check is not None and check.status == "scheduled",
        verdict=readiness.verdict if readiness else None,
        pass_probability=readiness.pass_probability if readiness else None,
        answered=practice.answer_count(trainee.id),
    )


def _people_with(role: Role) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == role.value, User.active)
            .order_by(User.id)
        )
    )


def send_digests(now: datetime) -> Sent:
    """One digest to every active trainee who has not turned it off. Meant to run weekly (README)."""
    sent = skipped = 0
    for trainee in _people_with(MAIL_KINDS["digest"]):
        if not trainee.mail_digest:
            skipped += 1
            continue
        message = messages.weekly_digest(
            trainee.name.split(" ")[0],
            digest_facts(trainee, now),
            mail.link("home.trainee"),
            mail.link("home.account"),
        )
        sent += mail.send(trainee.email, message.subject, message.text)
    return Sent(sent, skipped)


# -- intervention alerts -------------------------------------------------------------------------------------


def alert_lines(cohort: Cohort, now: datetime, rules: InterventionRules) -> list[messages.AlertLine]:
    """The cohort's intervention queue, exactly as the trainer dashboard computes it."""
    rows = cohorts.dashboard_rows(cohort, now)
    _trend, drops = cohorts.weekly_trend(cohort)
    return [
        messages.AlertLine(item.user.name, item.kind, item.reason)
        for item in cohorts.interventions(rows, now, drops, rules)
    ]


def send_alerts(now: datetime, rules: InterventionRules) -> Sent:
    """Each cohort's intervention queue to its active trainers who have not turned alerts off; a cohort
    with an empty queue sends nothing. Meant to run daily or weekly (README)."""
    sent = skipped = 0
    every_cohort = db.session.scalars(
        select(Cohort).options(joinedload(Cohort.trainers)).order_by(Cohort.name)
    )
    for cohort in every_cohort.unique():
        lines = alert_lines(cohort, now, rules)
        for trainer in cohort.trainers:
            if not lines or not trainer.active or not trainer.mail_alerts:
                skipped += 1
                continue
            message = messages.intervention_alert(
                trainer.name.split(" ")[0],
                cohort.name,
                lines,
                mail.link("trainer.cohort", cohort_id=cohort.id),
                mail.link("home.account"),
            )
            sent += mail.send(trainer.email, message.subject, message.text)
    return Sent(sent, skipped)


# -- sign-off requests ---------------------------------------------------------------------------------------


def still_open():
    """A request stays open until a trainer records a sign-off (either decision) at or after it."""
    return ~exists().where(
        SignOff.trainee_id == SignOffRequest.trainee_id, SignOff.created_at >= SignOffRequest.requested_at
    )


def open_request(trainee_id: int) -> SignOffRequest | None:
    return db.session.scalar(
        select(SignOffRequest)
        .where(SignOffRequest.trainee_id == trainee_id, still_open())
        .order_by(SignOffRequest.requested_at.desc())
        .limit(1)
    )


def open_requests(trainee_ids: list[int]) -> list[SignOffRequest]:
    """Open requests of these trainees (a trainer's cohorts), oldest first, with the trainee loaded."""
    if not trainee_ids:
        return []
    return list(
        db.session.scalars(
            select(SignOffRequest)
            .options(joinedload(SignOffRequest.trainee))
            .where(SignOffRequest.trainee_id.in_(trainee_ids), still_open())
            .order_by(SignOffRequest.requested_at)
        )
    )


def trainers_of(trainee: User) -> list[User]:
    """The active trainers of every cohort the trainee is in, each once."""
    found: dict[int, User] = {}
    for cohort in accounts.cohorts_of_trainee(trainee):
        found.update({t.id: t for t in cohort.trainers if t.active})
    return list(found.values())


def request_sign_off(trainee: User, now: datetime) -> SignOffRequest:
    """Record the request and mail the cohort's trainers (those who have not turned these off).

    Only a stored verdict of Ready may ask (409 otherwise), and one open request at a time."""
    readiness = db.session.get(TraineeReadiness, trainee.id)
    if readiness is None or readiness.verdict != "ready":
        raise NotificationError(
            "Only a trainee judged Ready can ask for a sign-off. Your readiness report says "
            "what is still missing.",
            409,
        )
    if open_request(trainee.id) is not None:
        raise NotificationError(
            "You have already asked; your trainers see the request until one of them records a sign-off.", 409
        )
    asked = SignOffRequest(
        trainee_id=trainee.id, verdict=readiness.verdict, requested_at=now, trainers_mailed=0
    )
    db.session.add(asked)
    report, preferences = mail.link("readiness.trainee_report", user_id=trainee.id), mail.link("home.account")
    for trainer in trainers_of(trainee):
        if trainer.mail_sign_off_requests:
            message = messages.sign_off_request(
                trainer.name.split(" ")[0], trainee.name, readiness.pass_probability, report, preferences
            )
            jobs.enqueue("app.tasks.send_mail", trainer.email, message.subject, message.text)
            asked.trainers_mailed += mail.configured()
    db.session.flush()
    log.info("sign-off requested by %s; mailed to %d trainers", trainee.email, asked.trainers_mailed)
    return asked
