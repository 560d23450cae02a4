"""Trainer views of cohorts: rows for the dashboard from maintained aggregates, never from raw answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload

from app.domain import review as spaced
from app.domain.interventions import TraineeSignals, flags, still_handled
from app.domain.readiness.mastery import shown_mastery
from app.domain.readiness.promotion_rules import InterventionRules
from app.extensions import db
from app.models import (
    Answer,
    Cohort,
    HandledIntervention,
    QuestionVersion,
    ReadinessSnapshot,
    ReviewCard,
    ScenarioAttempt,
    ScenarioVersion,
    SignOff,
    TraineeDomainStat,
    TraineeReadiness,
    User,
    WriteUp,
    cohort_trainees,
)
from app.policy import NotFound, can_view_trainee, in_visible_cohorts, of_visible_trainees
from app.services import ServiceError, progress


class CohortError(ServiceError):
    pass


def drill_down(trainee_id: int, answers: int) -> tuple[list[Answer], list[ScenarioAttempt]]:
    """A trainee's latest `answers` answers (with their questions) and every scenario run, newest first:
    the evidence a trainer reads on the trainee's page."""
    latest = db.session.scalars(
        select(Answer)
        .where(Answer.user_id == trainee_id)
        .options(joinedload(Answer.version).joinedload(QuestionVersion.question))
        .order_by(Answer.answered_at.desc())
        .limit(answers)
    ).all()
    runs = db.session.scalars(
        select(ScenarioAttempt)
        .where(ScenarioAttempt.user_id == trainee_id)
        .options(joinedload(ScenarioAttempt.version))
        .order_by(ScenarioAttempt.started_at.desc())
    ).all()
    return list(latest), list(runs)


def viewers_cohort_of(viewer: User, trainee: User) -> Cohort | None:
    """A cohort of the trainee's that the viewer leads (admins: any of the trainee's), for links into the
    cohort pages; None when there is none."""
    query = select(Cohort).where(Cohort.trainees.contains(trainee)).order_by(Cohort.name)
    return db.session.scalars(query.where(in_visible_cohorts(viewer, Cohort.id)).limit(1)).first()


def active_members(cohort: Cohort) -> Select:
    """The ids of the cohort's trainees who may sign in, as a subquery. Everything a trainer sees of a cohort
    (dashboard, intervention queue, trend, exports, alert mails) starts here, so a deactivated trainee leaves
    all of it at once; reactivating brings them back with their history."""
    return (
        select(cohort_trainees.c.user_id)
        .join(User, User.id == cohort_trainees.c.user_id)
        .where(cohort_trainees.c.cohort_id == cohort.id, User.active)
    )


@dataclass
class TraineeRow:
    user: User
    readiness: TraineeReadiness | None
    domains: dict[str, TraineeDomainStat] = field(default_factory=dict)
    due: int = 0
    runs: int = 0
    passed: int = 0

    @property
    def answered(self) -> int:
        return sum(s.answered for s in self.domains.values())

    @property
    def last_activity(self) -> datetime | None:
        return self.readiness.last_activity_at if self.readiness else None


def dashboard_rows(cohort: Cohort, now: datetime) -> list[TraineeRow]:
    """One row per trainee, in five queries whatever the cohort size."""
    members = active_members(cohort)
    users = db.session.scalars(select(User).where(User.id.in_(members)).order_by(User.name)).all()
    rows = {u.id: TraineeRow(u, None) for u in users}
    for r in db.session.scalars(select(TraineeReadiness).where(TraineeReadiness.user_id.in_(members))):
        rows[r.user_id].readiness = r
    for s in db.session.scalars(select(TraineeDomainStat).where(TraineeDomainStat.user_id.in_(members))):
        rows[s.user_id].domains[s.domain] = s
    due = db.session.execute(
        select(ReviewCard.user_id, func.count())
        .where(ReviewCard.user_id.in_(members), ReviewCard.due <= now)
        .group_by(ReviewCard.user_id)
    )
    for user_id, count in due:
        rows[user_id].due = count
    runs = db.session.execute(
        select(
            ScenarioAttempt.user_id,
            func.count(),
            func.count(ScenarioAttempt.passed).filter(ScenarioAttempt.passed.is_(True)),
        )
        .where(ScenarioAttempt.user_id.in_(members), ScenarioAttempt.finished_at.is_not(None))
        .group_by(ScenarioAttempt.user_id)
    )
    for user_id, count, passed in runs:
        rows[user_id].runs, rows[user_id].passed = count, passed
    return list(rows.values())


SORTS = {
    "name": lambda r: r.user.name.lower(),
    "verdict": lambda r: ["ready", "almost", "not-yet", "not-enough-evidence", None].index(
        r.readiness.verdict if r.readiness else None
    ),
    "pass": lambda r: -(r.readiness.pass_probability or -1) if r.readiness else 1,
    "activity": lambda r: -(r.last_activity.timestamp() if r.last_activity else 0),
    "due": lambda r: -r.due,
    "answered": lambda r: -r.answered,
}


INTERVENTION_KINDS = ("stalled", "at-risk", "critical-errors", "overconfident")


@dataclass(frozen=True)
class Intervention:
    user: User
    kind: str  # stalled | at-risk | critical-errors | overconfident
    reason: str


def interventions(
    rows: list[TraineeRow],
    now: datetime,
    falling: dict[int, float],
    rules: InterventionRules,
    handled: list[HandledIntervention] | None = None,
) -> list[Intervention]:
    """Who needs a trainer now, and why (the rules: app/domain/interventions.py), leaving out flags a trainer
    marked handled within the policy's handled_days (`handled`: those marks, when the caller has them).
    `falling`: trainee -> drop in P(pass) since last week."""
    if handled is None:
        handled = _handled_since([row.user.id for row in rows], now - timedelta(days=rules.handled_days))
    last: dict[tuple[int, str], datetime] = {}
    for mark in handled:
        key = (mark.trainee_id, mark.kind)
        last[key] = max(last.get(key, mark.handled_at), mark.handled_at)
    found = []
    for row in rows:
        readiness = row.readiness
        signals = TraineeSignals(
            row.last_activity,
            falling.get(row.user.id),
            readiness.critical_recent if readiness else 0,
            readiness.overconfidence if readiness else None,
        )
        found += [
            Intervention(row.user, flag.kind, flag.reason)
            for flag in flags(signals, rules, now)
            if not still_handled(last.get((row.user.id, flag.kind)), rules, now)
        ]
    return found


def _handled_since(trainee_ids, since: datetime) -> list[HandledIntervention]:
    return list(
        db.session.scalars(
            select(HandledIntervention)
            .where(HandledIntervention.trainee_id.in_(trainee_ids), HandledIntervention.handled_at > since)
            .options(joinedload(HandledIntervention.handled_by), joinedload(HandledIntervention.trainee))
            .order_by(HandledIntervention.handled_at.desc())
        )
    )


def mark_handled(
    cohort: Cohort, trainee: User, kind: str, note: str, trainer: User, now: datetime
) -> HandledIntervention:
    if trainee not in cohort.trainees or not trainee.active:
        raise CohortError("There is no such trainee in this cohort.", 404)
    if kind not in INTERVENTION_KINDS:
        raise CohortError("There is no such kind of intervention.", 404)
    if not note.strip():
        raise CohortError("Say what you did: the note is the record.", 400)
    record = HandledIntervention(
        trainee_id=trainee.id, kind=kind, note=note.strip(), handled_by_id=trainer.id, handled_at=now
    )
    db.session.add(record)
    db.session.flush()
    return record


def set_retention(cohort: Cohort, target: float, trainer: User, now: datetime) -> float:
    """A trainer sets the cohort's retention target (fsrs desired retention), within the domain's bounds
    (400 outside them). It applies to every review scheduled from now on; cards already scheduled keep
    their due dates until they are next answered. Returns the target it replaced."""
    try:
        spaced.check_retention(target)
    except ValueError as error:
        raise CohortError(str(error), 400) from None
    before = cohort.retention_target
    cohort.retention_target = round(target, 4)
    cohort.retention_set_by_id, cohort.retention_set_at = trainer.id, now
    db.session.flush()
    return before


# The highest retention target among the cohorts of the trainee bound as "trainee_id" (NULL in none), as a
# scalar subquery built once: the answer POST reads it beside its first-attempt check.
RETENTION_TARGET = (
    select(func.max(Cohort.__table__.c.retention_target))
    .join(cohort_trainees, cohort_trainees.c.cohort_id == Cohort.__table__.c.id)
    .where(cohort_trainees.c.user_id == bindparam("trainee_id"))
    .scalar_subquery()
)
_RETENTION = select(RETENTION_TARGET)


def retention_for(trainee_id: int) -> float:
    """The retention target a trainee's reviews are scheduled for: their cohort's; in several cohorts, the
    highest of their targets (no trainer's target is undercut); in none, the default."""
    return retention_or_default(db.session.scalar(_RETENTION, {"trainee_id": trainee_id}))


def retention_or_default(target: float | None) -> float:
    """A RETENTION_TARGET read: None (in no cohort) is the default target."""
    return spaced.DEFAULT_RETENTION if target is None else target


def recently_handled(cohort: Cohort, now: datetime, rules: InterventionRules) -> list[HandledIntervention]:
    """The cohort's handled marks still keeping a flag out of the queue, newest first."""
    return _handled_since(active_members(cohort), now - timedelta(days=rules.handled_days))


@dataclass(frozen=True)
class QueuedWriteUp:
    writeup: WriteUp
    trainee: User


def ungraded_writeups(viewer: User) -> list[QueuedWriteUp]:
    """Write-ups waiting for a grade from trainees of the viewer's cohorts (admins: all), oldest first,
    each with its trainee."""
    query = (
        select(WriteUp, User)
        .select_from(WriteUp)
        .join(ScenarioAttempt, ScenarioAttempt.id == WriteUp.attempt_id)
        .join(User, User.id == ScenarioAttempt.user_id)
        .where(WriteUp.graded_at.is_(None))
        .options(joinedload(WriteUp.attempt).joinedload(ScenarioAttempt.version))
        .where(of_visible_trainees(viewer, ScenarioAttempt.user_id))
        .order_by(WriteUp.created_at)
    )
    return [QueuedWriteUp(writeup, trainee) for writeup, trainee in db.session.execute(query).unique()]


def writeup_for(viewer: User, writeup_id: int) -> WriteUp:
    writeup = db.session.get(WriteUp, writeup_id)
    if writeup is None or not can_view_trainee(viewer, writeup.attempt.user_id):
        raise NotFound("There is no such write-up among your trainees'.")
    return writeup


def grade(
    writeup: WriteUp,
    grader: User,
    criterion_points: list[float],
    maxima: list[float],
    comment: str,
    now: datetime,
) -> None:
    """Grade a write-up criterion by criterion (each between 0 and its maximum); the total is their sum."""
    if len(criterion_points) != len(maxima):
        raise CohortError("Give points for every criterion of the rubric.", 400)
    for number, (points, most) in enumerate(zip(criterion_points, maxima, strict=True), 1):
        if not 0 <= points <= most:
            raise CohortError(f"Criterion {number}: give between 0 and {most:g} points, not {points:g}.", 400)
    writeup.criterion_points = list(criterion_points)
    writeup.points, writeup.comment = float(sum(criterion_points)), comment.strip() or None
    writeup.graded_by_id, writeup.graded_at = grader.id, now
    progress.mark_stale(writeup.attempt.user_id)  # a graded note is evidence for two dimensions


# -- CSV exports: generators, so a large cohort streams instead of loading into memory ------------------

BATCH = 1000


def mastery_csv(cohort: Cohort, domains: list[str]) -> Iterator[list]:
    """Trainee x domain: answers and percent credit from the maintained aggregates, then mastery as the
    dashboard and the readiness report show it (app/domain/readiness/mastery.py; blank: too little evidence)."""
    yield [
        "trainee",
        "email",
        *[f"{d} answered" for d in domains],
        *[f"{d} percent" for d in domains],
        *[f"{d} mastery" for d in domains],
    ]
    members = active_members(cohort)
    stats: dict[int, dict[str, TraineeDomainStat]] = {}
    for s in db.session.scalars(select(TraineeDomainStat).where(TraineeDomainStat.user_id.in_(members))):
        stats.setdefault(s.user_id, {})[s.domain] = s
    stored = {
        r.user_id: r.domains or {}
        for r in db.session.scalars(select(TraineeReadiness).where(TraineeReadiness.user_id.in_(members)))
    }
    for user in db.session.scalars(select(User).where(User.id.in_(members)).order_by(User.name)):
        mine, assessed = stats.get(user.id, {}), stored.get(user.id, {})
        shown = [
            shown_mastery(assessed[d].get("mastery"), assessed[d].get("n") or 0) if d in assessed else None
            for d in domains
        ]
        yield [
            user.name,
            user.email,
            *[mine[d].answered if d in mine else 0 for d in domains],
            *[
                f"{100 * mine[d].credit / mine[d].answered:.1f}" if d in mine and mine[d].answered else ""
                for d in domains
            ],
            *["" if pct is None else str(pct) for pct in shown],
        ]


def verdicts_csv(cohort: Cohort) -> Iterator[list]:
    """One row per trainee for a promotion round: the stored verdict, P(pass), the unmet criteria, and the
    latest sign-off (decision, trainer, date, comment)."""
    yield [
        "trainee",
        "email",
        "verdict",
        "pass_probability",
        "unmet_criteria",
        "computed_at",
        "sign_off",
        "signed_off_by",
        "signed_off_at",
        "sign_off_comment",
    ]
    members = active_members(cohort)
    stored = {
        r.user_id: r
        for r in db.session.scalars(select(TraineeReadiness).where(TraineeReadiness.user_id.in_(members)))
    }
    latest: dict[int, SignOff] = {}
    for sign_off in db.session.scalars(
        select(SignOff)
        .where(SignOff.trainee_id.in_(members))
        .options(joinedload(SignOff.trainer))
        .order_by(SignOff.created_at)
    ):
        latest[sign_off.trainee_id] = sign_off
    for user in db.session.scalars(select(User).where(User.id.in_(members)).order_by(User.name)):
        row, sign_off = stored.get(user.id), latest.get(user.id)
        result = (row.report or {}).get("result", {}) if row else {}
        unmet = [c["label"] for c in result.get("criteria", []) if not c.get("met")]
        yield [
            user.name,
            user.email,
            row.verdict if row and row.verdict else "",
            "" if not row or row.pass_probability is None else f"{row.pass_probability:.3f}",
            "; ".join(unmet),
            row.computed_at.isoformat() if row and row.computed_at else "",
            sign_off.decision if sign_off else "",
            sign_off.trainer.name if sign_off else "",
            sign_off.created_at.isoformat() if sign_off else "",
            sign_off.comment if sign_off else "",
        ]


def answers_csv(cohort: Cohort) -> Iterator[list]:
    yield [
        "answer_id",
        "trainee",
        "email",
        "question",
        "version",
        "domain",
        "mode",
        "chosen",
        "value",
        "confidence",
        "correct",
        "credit",
        "seconds",
        "answered_at",
    ]
    members = active_members(cohort)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(members)))}
    query = (
        select(Answer)
        .where(Answer.user_id.in_(members))
        .order_by(Answer.id)
        .execution_options(yield_per=BATCH)
    )
    with db.session.scalars(
        query
    ) as answers:  # closed when a reader stops early (PostgreSQL: a server cursor)
        for answer in answers:
            person = people[answer.user_id]
            yield [
                answer.id,
                person.name,
                person.email,
                answer.question_id,
                answer.question_version_id,
                answer.domain,
                answer.mode,
                " ".join(answer.chosen or []),
                "" if answer.value is None else answer.value,
                answer.confidence or "",
                int(answer.correct),
                f"{answer.credit:.3f}",
                "" if answer.seconds is None else f"{answer.seconds:.1f}",
                answer.answered_at.isoformat(),
            ]


def runs_csv(cohort: Cohort) -> Iterator[list]:
    yield [
        "attempt_id",
        "trainee",
        "email",
        "scenario",
        "version",
        "started_at",
        "finished_at",
        "total",
        "passed",
        "outcome",
        "critical_errors",
        "path",
    ]
    members = active_members(cohort)
    people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(members)))}
    query = (
        select(ScenarioAttempt, ScenarioVersion.title)
        .join(ScenarioVersion)
        .where(ScenarioAttempt.user_id.in_(members))
        .order_by(ScenarioAttempt.id)
        .execution_options(yield_per=BATCH)
    )
    with db.session.execute(query) as runs:  # closed when a reader stops early (PostgreSQL: a server cursor)
        for attempt, title in runs:
            person = people[attempt.user_id]
            yield [
                attempt.id,
                person.name,
                person.email,
                title,
                attempt.version_id,
                attempt.started_at.isoformat(),
                attempt.finished_at.isoformat() if attempt.finished_at else "",
                "" if attempt.total is None else attempt.total,
                "" if attempt.passed is None else int(attempt.passed),
                attempt.outcome or "",
                "; ".join(attempt.critical_errors or []),
                " ".join(attempt.log),
            ]


@dataclass(frozen=True)
class WeekPoint:
    week: object
    pass_probability: float | None
    mean_mastery: float | None


def weekly_trend(cohort: Cohort) -> tuple[list[WeekPoint], dict[int, float]]:
    """The cohort's weekly means, and each trainee's drop in pass probability since the week before.

    Both are computed by the database (an average per week; each trainee's last two known probabilities by
    a window function), so the cost grows with the number of weeks shown, not with every snapshot loaded."""
    members = active_members(cohort)
    weekly = db.session.execute(
        select(
            ReadinessSnapshot.week,
            func.avg(ReadinessSnapshot.pass_probability),
            func.avg(ReadinessSnapshot.mean_mastery),
        )
        .where(ReadinessSnapshot.user_id.in_(members))
        .group_by(ReadinessSnapshot.week)
        .order_by(ReadinessSnapshot.week)
    )
    points = [
        WeekPoint(week, None if p is None else float(p), None if m is None else float(m))
        for week, p, m in weekly
    ]
    recent = (
        select(
            ReadinessSnapshot.user_id,
            ReadinessSnapshot.pass_probability,
            func.row_number()
            .over(partition_by=ReadinessSnapshot.user_id, order_by=ReadinessSnapshot.week.desc())
            .label("back"),
        )
        .where(ReadinessSnapshot.user_id.in_(members), ReadinessSnapshot.pass_probability.is_not(None))
        .subquery()
    )
    latest: dict[int, dict[int, float]] = {}
    for user_id, probability, back in db.session.execute(select(recent).where(recent.c.back <= 2)):
        latest.setdefault(user_id, {})[back] = probability
    drops = {
        user_id: last[2] - last[1] for user_id, last in latest.items() if len(last) == 2 and last[2] > last[1]
    }
    return points, drops
