"""Readiness: load one trainee's evidence, assess it against the promotion policy, keep the result.

Only the trainee in question is read (their answers, runs, the item parameters); the cohort dashboard
reads the stored result. Pages read the stored result too (`report_for_view`): a background job
recomputes it after new evidence (app.tasks.refresh_readiness, queued by services.progress), the
nightly job catches any it missed, and a weekly snapshot keeps the trend.

The readiness model computes with numpy and scipy (about 40 MB and a third of a second of start-up per
process), so its modules are imported inside the functions that compute (item_bank, evidence_for,
assess_trainee, calibrate_items), never at the top: a worker that only shows stored results never loads
them, and the first recomputation in a worker pays the import once. tests/web/test_startup.py pins it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import jobs
from app.domain.exam import allocate
from app.domain.readiness.promotion_rules import PromotionRules, parse_promotion_rules
from app.domain.readiness.results import Readiness
from app.domain.readiness.stored import readiness_from_json, to_json
from app.extensions import db
from app.models import (
    Answer,
    CalibrationRun,
    ItemCalibration,
    Question,
    QuestionVersion,
    ReadinessSnapshot,
    Scenario,
    ScenarioAttempt,
    ScenarioVersion,
    SignOff,
    TraineeReadiness,
    User,
    WriteUp,
)
from app.services import ServiceError, exams, load_content_file, practice, progress, promotion, xapi
from app.services.content_files import POLICY_FILE

if TYPE_CHECKING:
    from app.domain.readiness.evidence import BankItem, TraineeEvidence

STORED_FORMAT = 1  # raise when the shape of a stored result changes


class ReadinessError(ServiceError):
    pass


def load_policy(content_dir: str) -> PromotionRules:
    return load_content_file(Path(content_dir) / POLICY_FILE, parse_promotion_rules)


def _latest_run() -> CalibrationRun | None:
    return db.session.scalar(select(CalibrationRun).order_by(CalibrationRun.id.desc()).limit(1))


def item_bank() -> dict[str, BankItem]:
    """Every live question with its parameters: calibrated ones, else the author's rating as a prior."""
    # the model: imported when used (see the module docstring)
    from app.domain.readiness.calibration import AuthorPrior
    from app.domain.readiness.evidence import BankItem
    from app.domain.readiness.irt import ItemParams

    run = _latest_run()
    prior = AuthorPrior(**run.author_prior) if run else AuthorPrior()
    fitted = {c.question_id: c for c in db.session.scalars(select(ItemCalibration))}
    rows = db.session.execute(
        select(
            Question.id,
            QuestionVersion.domain,
            QuestionVersion.difficulty,
            QuestionVersion.type,
            QuestionVersion.topics,
        ).join(QuestionVersion, Question.current_version_id == QuestionVersion.id)
    )
    bank = {}
    for qid, domain, difficulty, kind, topics in rows:
        fit = fitted.get(qid)
        params = (
            ItemParams(fit.difficulty, fit.discrimination, fit.se, fit.responses)
            if fit
            else prior.params(difficulty)
        )
        bank[str(qid)] = BankItem(str(qid), domain, params, numeric=kind == "numeric", topics=tuple(topics))
    return bank


def evidence_for(user: User, content_dir: str, now: datetime) -> TraineeEvidence:
    """What readiness may count. Knowledge: each item's first answer only (study or exam), never one given
    after its rationale was shown, so reviews and re-served items train memory without moving ability.
    Scenarios: the first finished run of each scenario only, so replays along a debriefed expert path
    are for learning and criteria count distinct scenarios; a run that went back is aided."""
    # the model: imported when used (see the module docstring)
    from app.domain.readiness.evidence import GivenAnswer, ScenarioRun, TraineeEvidence
    from app.domain.readiness.irt import PracticeCurve
    from app.domain.readiness.profile import AbilityStructure
    from app.domain.readiness.scenarios import with_writeups

    answers = db.session.scalars(
        select(Answer)
        .where(
            Answer.user_id == user.id,
            Answer.answered_at <= now,
            Answer.first_attempt.is_(True),
            Answer.voided_at.is_(None),
        )
        .order_by(Answer.answered_at)
    )
    responses = tuple(
        GivenAnswer(f"answer:{a.id}", str(a.question_id), a.correct, a.answered_at, a.confidence)
        for a in answers
    )
    runs = db.session.execute(
        select(ScenarioAttempt, Scenario.slug, ScenarioVersion.difficulty, ScenarioVersion.exception_types)
        .join(ScenarioVersion, ScenarioAttempt.version_id == ScenarioVersion.id)
        .join(Scenario, Scenario.id == ScenarioAttempt.scenario_id)
        .where(
            ScenarioAttempt.user_id == user.id,
            ScenarioAttempt.finished_at.is_not(None),
            ScenarioAttempt.finished_at <= now,
        )
        .order_by(ScenarioAttempt.finished_at)
    )
    first_runs = {}
    for a, slug, difficulty, types in runs:
        first_runs.setdefault(slug, (a, slug, difficulty, types))
    graded = _writeup_scores([a.id for a, *_ in first_runs.values()])
    scenario_runs = tuple(
        ScenarioRun(
            f"run:{a.id}",
            slug,
            a.finished_at,
            difficulty,
            tuple(types),
            bool(a.passed),
            with_writeups(a.dimensions or {}, graded.get(a.id)),
            tuple(a.critical_errors or ()),
            aided=bool(a.aided),
        )
        for a, slug, difficulty, types in first_runs.values()
    )
    blueprint = exams.load_blueprint(content_dir)
    current = (
        select(ScenarioVersion.exception_types)
        .join(Scenario, Scenario.current_version_id == ScenarioVersion.id)
        .where(Scenario.retired_at.is_(None))
    )
    available = sorted({t for (types,) in db.session.execute(current) for t in types})
    run = _latest_run()
    return TraineeEvidence(
        promotion_check=promotion.latest_result(user.id, now),
        trainee_id=str(user.id),
        responses=responses,
        bank=item_bank(),
        blueprint=allocate(blueprint, blueprint.form_length),
        scenario_runs=scenario_runs,
        due_reviews=practice.due_count(user.id, now),
        exception_types_available=tuple(available),
        practice=PracticeCurve(tuple(run.practice_starts), tuple(run.practice_gains))
        if run
        else PracticeCurve(),
        structure=(
            AbilityStructure.from_correlation(run.domain_correlation)
            if run and run.domain_correlation is not None
            else AbilityStructure()
        ),
    )


def _writeup_scores(attempt_ids: list[int]) -> dict[int, float]:
    """attempt id -> 0-100 over its graded write-ups (points / maximum); ungraded ones wait."""
    if not attempt_ids:
        return {}
    rows = db.session.execute(
        select(WriteUp.attempt_id, func.sum(WriteUp.points), func.sum(WriteUp.max_points))
        .where(WriteUp.attempt_id.in_(attempt_ids), WriteUp.points.is_not(None))
        .group_by(WriteUp.attempt_id)
    )
    return {attempt: 100 * points / most for attempt, points, most in rows if most}


@dataclass(frozen=True)
class EvidenceRecords:
    """The answers and scenario runs a readiness result cites, keyed as cited ("answer:12", "run:3")."""

    answers: dict[str, Answer]
    runs: dict[str, ScenarioAttempt]


def evidence_records(user: User, cited: Iterable[str]) -> EvidenceRecords:
    """The user's answers and runs among these citations (a page loads only those it lists)."""
    cited = set(cited)
    answer_ids = [int(i.removeprefix("answer:")) for i in cited if i.startswith("answer:")]
    run_ids = [int(i.removeprefix("run:")) for i in cited if i.startswith("run:")]
    answers = db.session.scalars(
        select(Answer)
        .where(Answer.user_id == user.id, Answer.id.in_(answer_ids))
        .options(joinedload(Answer.version).joinedload(QuestionVersion.question))
    )
    runs = db.session.scalars(
        select(ScenarioAttempt)
        .where(ScenarioAttempt.user_id == user.id, ScenarioAttempt.id.in_(run_ids))
        .options(joinedload(ScenarioAttempt.version))
    )
    return EvidenceRecords(
        {f"answer:{a.id}": a for a in answers.unique()}, {f"run:{r.id}": r for r in runs.unique()}
    )


def week_of(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def assess_trainee(user: User, content_dir: str, now: datetime) -> Readiness:
    """Assess one trainee now and store the result (and this week's snapshot) for the dashboards."""
    # the model: imported when used (see the module docstring)
    from app.domain.readiness.verdict import assess

    policy = load_policy(content_dir)
    evidence = evidence_for(user, content_dir, now)
    result = assess(evidence, policy, now)
    _store(user.id, result, evidence, now)
    row = db.session.get(TraineeReadiness, user.id)
    row.report = {"key": _report_key(content_dir), "result": to_json(result)}
    return result


@dataclass(frozen=True)
class ShownReport:
    """What a page shows of a trainee's readiness: the stored result (None before the first computation),
    when it was computed, whether newer evidence is being counted, and whether this request computed it
    (then the caller commits)."""

    result: Readiness | None
    computed_at: datetime | None
    updating: bool
    recomputed: bool = False


def report_for_view(user: User, content_dir: str, now: datetime) -> ShownReport:
    """The report a page shows. With a job queue (production), never computed here: when evidence arrived
    since, the stored result is shown as updating and a refresh is queued (one per trainee; the evidence
    POSTs queued it already, this recovers a job Redis lost). Without one (development: one process, no
    worker), a stale result is recomputed here once and stored."""
    row = db.session.get(TraineeReadiness, user.id)
    stored = _stored_result(row, content_dir)
    if stored is not None and not row.stale:
        return ShownReport(stored, row.computed_at, updating=False)
    if not jobs.redis_url():
        return ShownReport(assess_trainee(user, content_dir, now), now, updating=False, recomputed=True)
    progress.refresh_later(user.id)
    return ShownReport(stored, row.computed_at if stored else None, updating=True)


def _stored_result(row: TraineeReadiness | None, content_dir: str) -> Readiness | None:
    """The stored result, unless there is none, the policy file changed or a calibration ran since, or an
    older version of the code stored it."""
    if row is None or not row.report or row.report.get("key") != _report_key(content_dir):
        return None
    try:
        return readiness_from_json(row.report["result"])
    except ValueError:
        return None


def current_report(user: User, content_dir: str, now: datetime) -> tuple[Readiness, bool]:
    """(result, recomputed): the stored result while no evidence arrived, the policy file is unchanged and no
    calibration ran since; otherwise a fresh assessment, stored (the caller commits only then)."""
    row = db.session.get(TraineeReadiness, user.id)
    stored = _stored_result(row, content_dir)
    if stored is not None and not row.stale:
        return stored, False
    return assess_trainee(user, content_dir, now), True


def _report_key(content_dir: str) -> str:
    run = db.session.scalar(select(func.max(CalibrationRun.id)))
    return f"{(Path(content_dir) / POLICY_FILE).stat().st_mtime_ns}:{run or 0}:{STORED_FORMAT}"


def _store(user_id: int, result: Readiness, evidence: TraineeEvidence, now: datetime) -> None:
    row = db.session.get(TraineeReadiness, user_id) or TraineeReadiness(user_id=user_id)
    db.session.add(row)
    exam = result.pass_probability
    row.verdict = result.verdict.value
    row.pass_probability = exam.p if exam else None
    row.score_expected = exam.expected_score if exam else None
    row.score_low = exam.score_low if exam else None
    row.score_high = exam.score_high if exam else None
    row.domains = {
        m.domain: {"mastery": m.mastery, "low": m.low, "high": m.high, "n": m.ability.n}
        for m in result.domains
    }
    row.dimensions = {
        d.name: {"score": d.score, "level": d.level.value if d.level else None, "n": d.n}
        for d in result.dimensions
    }
    row.overconfidence = result.confidence.index
    recent = sorted(evidence.scenario_runs, key=lambda r: r.finished_at)[-3:]
    row.critical_recent = sum(len(r.critical_errors) for r in recent)
    row.scenarios_passed = sum(r.passed for r in evidence.scenario_runs)
    if evidence.responses and row.last_activity_at is None:
        row.last_activity_at = max(r.answered_at for r in evidence.responses)
    row.computed_at, row.stale = now, False
    masteries = [m.mastery for m in result.domains if m.mastery is not None]
    week = week_of(now)
    snap = db.session.scalar(
        select(ReadinessSnapshot).where(ReadinessSnapshot.user_id == user_id, ReadinessSnapshot.week == week)
    )
    if snap is None:
        snap = ReadinessSnapshot(user_id=user_id, week=week)
        db.session.add(snap)
    snap.verdict, snap.pass_probability = row.verdict, row.pass_probability
    snap.mean_mastery = sum(masteries) / len(masteries) if masteries else None
    snap.answered = len(evidence.responses)
    db.session.flush()


def refresh_stale(user_ids: list[int], content_dir: str, now: datetime, limit: int | None = None) -> int:
    """Recompute stale results among these trainees (at most `limit`); returns how many were recomputed."""
    query = select(TraineeReadiness.user_id).where(
        TraineeReadiness.user_id.in_(user_ids), TraineeReadiness.stale
    )
    stale = list(db.session.scalars(query.limit(limit) if limit else query))
    known = set(
        db.session.scalars(select(TraineeReadiness.user_id).where(TraineeReadiness.user_id.in_(user_ids)))
    )
    stale += [u for u in user_ids if u not in known][: (limit - len(stale)) if limit else None]
    for user_id in stale:
        assess_trainee(db.session.get(User, user_id), content_dir, now)
    return len(stale)


def snapshots(user_id: int) -> list[ReadinessSnapshot]:
    return list(
        db.session.scalars(
            select(ReadinessSnapshot)
            .where(ReadinessSnapshot.user_id == user_id)
            .order_by(ReadinessSnapshot.week)
        )
    )


def sign_offs(trainee_id: int) -> list[SignOff]:
    return list(
        db.session.scalars(
            select(SignOff).where(SignOff.trainee_id == trainee_id).order_by(SignOff.created_at.desc())
        )
    )


def record_sign_off(
    trainee: User, trainer: User, decision: str, comment: str, result: Readiness, now: datetime
) -> SignOff:
    """An audit record: who, when, what they decided, and the evidence as it stood. The verdict is untouched."""
    if decision not in ("recommend", "not-yet"):
        raise ReadinessError("Choose recommend or not yet.", 400)
    exam = result.pass_probability
    evidence = {
        "criteria": [
            {"key": c.key, "label": c.label, "met": c.met, "observed": c.observed} for c in result.criteria
        ],
        "pass_probability": exam.p if exam else None,
        "expected_score": exam.expected_score if exam else None,
        "domains": {m.domain: m.mastery for m in result.domains},
    }
    record = SignOff(
        trainee_id=trainee.id,
        trainer_id=trainer.id,
        decision=decision,
        comment=comment.strip(),
        verdict=result.verdict.value,
        evidence=evidence,
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    xapi.signed_off(record, trainee, trainer)
    return record


def calibrate_items(now: datetime) -> CalibrationRun:
    """Fit every live item from first attempts (`flask readiness calibrate`); marks readiness stale.
    Repeats after a rationale measure memory of the item, not its difficulty, so they are left out."""
    # the model: imported when used (see the module docstring)
    from app.domain.readiness.calibration import CalibrationResponse, calibrate

    rows = db.session.execute(
        select(Answer.user_id, Answer.question_id, Answer.domain, Answer.correct, Answer.answered_at).where(
            Answer.first_attempt.is_(True), Answer.voided_at.is_(None)
        )
    )
    responses = [CalibrationResponse(u, str(q), d, c, t.replace(tzinfo=None)) for u, q, d, c, t in rows]
    ratings = dict(
        db.session.execute(
            select(Question.id, QuestionVersion.difficulty).join(
                QuestionVersion, Question.current_version_id == QuestionVersion.id
            )
        ).all()
    )
    result = calibrate(responses, {str(q): r for q, r in ratings.items()})
    db.session.execute(ItemCalibration.__table__.delete())
    for item_id, params in result.items.items():
        if params.n:
            db.session.add(
                ItemCalibration(
                    question_id=int(item_id),
                    difficulty=params.difficulty,
                    discrimination=params.discrimination,
                    se=params.se,
                    responses=params.n,
                    calibrated_at=now,
                )
            )
    structure = result.structure
    correlation = structure.general_sd**2 / (structure.general_sd**2 + structure.specific_sd**2)
    run = CalibrationRun(
        responses=len(responses),
        items=len(ratings),
        practice_starts=list(result.practice.starts),
        practice_gains=[float(g) for g in result.practice.gains],
        domain_correlation=correlation,
        author_prior={
            "intercept": result.author_prior.intercept,
            "slope": result.author_prior.slope,
            "sd": result.author_prior.sd,
        },
        converged=result.converged,
        created_at=now,
    )
    db.session.add(run)
    db.session.execute(TraineeReadiness.__table__.update().values(stale=True))
    db.session.flush()
    return run
