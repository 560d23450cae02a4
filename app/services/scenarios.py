"""Playing scenarios: catalogue, start or resume, decide, go back, score and debrief.

An attempt is its log of choice refs, pinned to the version it started on; everything else (state,
meters, scores) is derived by replaying the log, so a resumed or replayed attempt is exactly the same.
Parsed versions are cached per process: versions never change, so the cache needs no invalidation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import escape

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.domain import review as spaced
from app.domain import scenarios as engine
from app.domain.scenarios import Analysis, AttemptState, NodeKind, ScenarioSpec
from app.domain.scenarios.variants import fill, label_placeholders
from app.domain.shuffle import new_seed, shown_order, token
from app.extensions import db
from app.models import DecisionReviewCard, Scenario, ScenarioAttempt, ScenarioVersion, WriteUp
from app.policy import own_or_404
from app.services import ServiceError, cohorts, progress, xapi

METERS = ("csat", "hours", "cost", "risk")
STATUSES = ("new", "in progress", "passed", "not passed")


class ScenarioError(ServiceError):
    """A scenario request that cannot be carried out (tampered choice, stale tab, finished run...)."""


@lru_cache(maxsize=128)
def _parse(version_id: int, content_hash: str, source: str, path: str) -> ScenarioSpec:
    scenario, problems = engine.parse_scenario(source, path)
    if scenario is None or any(p.is_error for p in problems):  # synced content was checked; cannot happen
        raise ScenarioError(
            f"Scenario version {version_id} no longer parses; ask an author to re-sync it.", 500
        )
    return scenario


@lru_cache(maxsize=128)
def _analyse(version_id: int, content_hash: str, source: str, path: str) -> Analysis:
    return engine.analyse(_parse(version_id, content_hash, source, path))


def model_of(version: ScenarioVersion) -> ScenarioSpec:
    """The parsed scenario: milliseconds. Starting, playing and deciding need nothing more."""
    return _parse(version.id, version.content_hash, version.source, version.source_path)


def parsed(version: ScenarioVersion) -> tuple[ScenarioSpec, Analysis]:
    """The scenario and its path analysis, which sync stored on the version. Only a version synced before
    it was stored (migration 0025, until the next `flask content sync`) is analysed here: that explores
    every path (seconds of CPU for the larger scenarios), once per process."""
    key = (version.id, version.content_hash, version.source, version.source_path)
    if version.analysis is not None:
        return _parse(*key), Analysis.from_json(version.analysis)
    return _parse(*key), _analyse(*key)


@dataclass(frozen=True)
class CatalogueEntry:
    scenario: Scenario
    version: ScenarioVersion
    status: str  # new | in progress | passed | not passed
    best: float | None
    open_attempt: ScenarioAttempt | None
    last_finished: ScenarioAttempt | None = None  # its debrief is linked from the catalogue
    runs: int = 0  # finished runs


def catalogue(
    user_id: int, exception: str | None = None, difficulty: str | None = None, status: str | None = None
) -> list[CatalogueEntry]:
    rows = db.session.execute(
        select(Scenario, ScenarioVersion)
        .join(ScenarioVersion, Scenario.current_version_id == ScenarioVersion.id)
        .where(Scenario.retired_at.is_(None))
        .order_by(ScenarioVersion.difficulty, ScenarioVersion.title)
    ).all()
    attempts: dict[int, list[ScenarioAttempt]] = {}
    for attempt in db.session.scalars(
        select(ScenarioAttempt).where(ScenarioAttempt.user_id == user_id).order_by(ScenarioAttempt.started_at)
    ):
        attempts.setdefault(attempt.scenario_id, []).append(attempt)
    entries = []
    for scenario, version in rows:
        mine = attempts.get(scenario.id, [])
        open_attempt = next((a for a in reversed(mine) if not a.finished), None)
        finished = [a for a in mine if a.finished]
        if any(a.passed for a in finished):
            state = "passed"
        elif open_attempt:
            state = "in progress"
        elif finished:
            state = "not passed"
        else:
            state = "new"
        best = max((a.total for a in finished if a.total is not None), default=None)
        entries.append(
            CatalogueEntry(
                scenario,
                version,
                state,
                best,
                open_attempt,
                finished[-1] if finished else None,
                len(finished),
            )
        )
    return [
        e
        for e in entries
        if (not exception or exception in e.version.exception_types)
        and (not difficulty or e.version.difficulty == difficulty)
        and (not status or e.status == status)
    ]


def history(user_id: int, limit: int) -> list[tuple[ScenarioAttempt, str]]:
    """The trainee's scenario runs, newest first, with each version's title."""
    return list(
        db.session.execute(
            select(ScenarioAttempt, ScenarioVersion.title)
            .join(ScenarioVersion, ScenarioAttempt.version_id == ScenarioVersion.id)
            .where(ScenarioAttempt.user_id == user_id)
            .order_by(ScenarioAttempt.started_at.desc())
            .limit(limit)
        )
    )


def current_versions(include_retired: bool = True) -> list[ScenarioVersion]:
    """The current version of every scenario (without retired ones unless asked), by title."""
    query = (
        select(ScenarioVersion)
        .join(Scenario, Scenario.current_version_id == ScenarioVersion.id)
        .options(contains_eager(ScenarioVersion.scenario))  # the joined row is the version's scenario
    )
    if not include_retired:
        query = query.where(Scenario.retired_at.is_(None))
    return list(db.session.scalars(query.order_by(ScenarioVersion.title)))


def scenario_by_slug(slug: str) -> Scenario:
    scenario = db.session.scalar(select(Scenario).where(Scenario.slug == slug))
    if scenario is None or scenario.retired_at is not None or scenario.current_version_id is None:
        raise ScenarioError("There is no such scenario.", 404)
    return scenario


def start(user_id: int, scenario: Scenario, now: datetime) -> ScenarioAttempt:
    """Resume the unfinished attempt at this scenario, or start one on its current version."""
    open_attempt = db.session.scalar(
        select(ScenarioAttempt).where(
            ScenarioAttempt.user_id == user_id,
            ScenarioAttempt.scenario_id == scenario.id,
            ScenarioAttempt.finished_at.is_(None),
        )
    )
    if open_attempt is not None:
        return open_attempt
    attempt = ScenarioAttempt(
        user_id=user_id,
        scenario_id=scenario.id,
        version_id=scenario.current_version_id,
        log=[],
        started_at=now,
        updated_at=now,
        decision_seconds=[],
        seed=new_seed(),
    )
    model = model_of(db.session.get(ScenarioVersion, scenario.current_version_id))
    attempt.variant = model.variants.draw(attempt.seed) if model.variants else None
    db.session.add(attempt)
    db.session.flush()
    return attempt


def open_attempts(user_id: int) -> list[ScenarioAttempt]:
    return list(
        db.session.scalars(
            select(ScenarioAttempt)
            .where(ScenarioAttempt.user_id == user_id, ScenarioAttempt.finished_at.is_(None))
            .order_by(ScenarioAttempt.updated_at.desc())
        )
    )


def own_attempt(user_id: int, attempt_id: int) -> ScenarioAttempt:
    return own_or_404(ScenarioAttempt, attempt_id, user_id, "scenario attempt")


def fragments_for(version: ScenarioVersion, variant: dict | None) -> dict[str, str]:
    """The version's rendered fragments with this run's figures filled in (escaped for HTML)."""
    return filled(version.fragments, variant)


def filled(fragments: dict[str, str], variant: dict | None) -> dict[str, str]:
    """Rendered fragments with a run's drawn figures filled in (escaped for HTML); as they are without."""
    if not variant:
        return fragments
    return {key: fill(html, variant, escape) for key, html in fragments.items()}


def fragments_labelled(version: ScenarioVersion) -> dict[str, str]:
    """Fragments for pages about all runs of a version: each figure named, not drawn."""
    return {key: label_placeholders(html) for key, html in version.fragments.items()}


def review_variant(version: ScenarioVersion, card_key: str) -> dict | None:
    """A decision review shows the case with figures of its own, fixed per review card and round."""
    model = model_of(version)
    return model.variants.draw(card_key) if model.variants else None


def shown_choices(
    attempt: ScenarioAttempt, scenario: ScenarioSpec, state: AttemptState
) -> list[engine.Choice]:
    """The choices offered now, in this attempt's own order (stable on reload, resume and back)."""
    return shown_order(engine.offered_choices(scenario, state), attempt.seed, state.node_id)


def state_of(attempt: ScenarioAttempt) -> AttemptState:
    scenario = model_of(attempt.version)
    return engine.replay(scenario, attempt.log)


@dataclass(frozen=True)
class Decision:
    """One decision taken on a run: where it was taken, the choice, the state after, and any written note."""

    node: engine.Node
    ref: str
    after: AttemptState
    events: list[engine.Event]
    note: str | None  # the text of a write-up node's note, stripped


def decide(
    scenario: ScenarioSpec, log: list[str], seed: str, ref: str, step_number: int, text: str | None
) -> Decision:
    """Take one decision on a run whose choices so far are `log`: the play loop that trainees' attempts and
    authors' play-tests share. `step_number` is how many decisions the page knew of: another tab or a
    resubmitted form that is behind gets 409. A ref not offered here gets 400, a write-up without text 400."""
    if step_number != len(log):
        raise ScenarioError(
            "This decision was already made, perhaps in another tab. Your attempt is unchanged "
            "and continues from where it really is.",
            409,
        )
    current = engine.replay(scenario, log)
    node = scenario.node(current.node_id)
    note = None
    if node.kind == NodeKind.WRITE_UP:
        if not text or not text.strip():
            raise ScenarioError("Write your note before going on: it is graded by your trainer.", 400)
        note = text.strip()[:10_000]
    ref = _resolve(seed, scenario, current, ref)
    try:
        after, events = engine.step(scenario, current, ref)
    except engine.ChoiceNotOffered:
        raise ScenarioError(
            "That choice is not offered at this point of the scenario. Nothing was recorded; "
            "pick one of the choices on the page.",
            400,
        ) from None
    return Decision(node, ref, after, events, note)


def choose(
    attempt: ScenarioAttempt,
    ref: str,
    step_number: int,
    text: str | None,
    seconds: float | None,
    now: datetime,
) -> AttemptState:
    """Take one decision in a trainee's attempt (see `decide`) and record it: the log, the write-up, the
    decision review of a critical error, activity and xAPI; a finished run is scored."""
    if attempt.finished:
        raise ScenarioError("This attempt is finished; open its debrief, or start the scenario again.", 409)
    scenario = model_of(attempt.version)
    decision = decide(scenario, attempt.log, attempt.seed, ref, step_number, text)
    node, ref, after = decision.node, decision.ref, decision.after
    if decision.note is not None:
        attempt.writeups.append(
            WriteUp(
                node_id=node.id,
                text=decision.note,
                created_at=now,
                max_points=sum(item.points for item in node.rubric),
            )
        )
    chosen = scenario.choice(ref)
    if chosen is not None and chosen.critical:
        schedule_decision_review(attempt, node.id, ref, False, now)
    attempt.log = [*attempt.log, ref]
    attempt.decision_seconds = [*attempt.decision_seconds, decision_time(seconds)]
    attempt.updated_at = now
    progress.note_activity(attempt.user_id, now)
    xapi.decided(attempt, scenario, node.id, ref, decision.events, now)
    if after.finished:
        _finish(attempt, scenario, parsed(attempt.version)[1], after, now)
        xapi.completed_scenario(attempt, scenario, now)
    db.session.flush()
    return after


def decision_time(seconds: float | None) -> float:
    """How long a decision took as stored: tenths of a second, never negative, at most a day."""
    return round(max(0.0, min(seconds or 0.0, 86400.0)), 1)


def _resolve(seed: str, scenario: ScenarioSpec, current: AttemptState, submitted: str) -> str:
    """The ref behind a submitted choice: the page sends an opaque per-run token, never `node/n`."""
    for choice in engine.offered_choices(scenario, current):
        if token(seed, choice.ref) == submitted:
            return choice.ref
    return submitted  # a write-up's `node/next`, or a ref (refused below unless offered)


def _finish(
    attempt: ScenarioAttempt, scenario: ScenarioSpec, analysis: Analysis, after: AttemptState, now: datetime
) -> None:
    score = engine.score_attempt(scenario, after, analysis, attempt.decision_seconds)
    attempt.finished_at = now
    attempt.total = round(score.total, 2)
    attempt.passed = score.passed
    attempt.dimensions = {k: round(v, 2) for k, v in score.dimensions.items()}
    attempt.critical_errors = [c.label for c in score.critical_errors]
    attempt.outcome = score.outcome


def back(scenario: ScenarioSpec, log: list[str], to_step: int) -> AttemptState:
    """The run as it was before decision `to_step + 1`, when the scenario allows going back (409 if not)."""
    try:
        return engine.go_back(scenario, engine.replay(scenario, log), to_step)
    except engine.BackNotAllowed:
        raise ScenarioError(
            "This scenario does not let you go back: on the desk, decisions stand.", 409
        ) from None


def go_back(attempt: ScenarioAttempt, to_step: int, now: datetime) -> AttemptState:
    """Return to an earlier decision when the scenario allows it; later decisions and their scores are dropped."""
    if attempt.finished:
        raise ScenarioError("This attempt is finished; going back is no longer possible.", 409)
    scenario = model_of(attempt.version)
    state = back(scenario, attempt.log, to_step)
    attempt.log = list(state.log)
    attempt.decision_seconds = attempt.decision_seconds[:to_step]
    attempt.aided = True  # a run that revisited a decision is not unaided evidence of judgement
    kept = {step.node.id for step in engine.trace(scenario, state.log)}
    attempt.writeups = [w for w in attempt.writeups if w.node_id in kept]
    attempt.updated_at = now
    db.session.flush()
    return state


def debrief(attempt: ScenarioAttempt) -> engine.Debrief:
    scenario, analysis = parsed(attempt.version)
    return engine.debrief(scenario, engine.replay(scenario, attempt.log), analysis, attempt.decision_seconds)


def has_newer_version(attempt: ScenarioAttempt) -> bool:
    scenario = db.session.get(Scenario, attempt.scenario_id)
    return scenario.current_version_id != attempt.version_id


# -- critical decisions as spaced-review items -------------------------------------------------------


def schedule_decision_review(
    attempt: ScenarioAttempt, node_id: str, ref: str, correct: bool, now: datetime
) -> None:
    """A critical error becomes a review card (due within minutes); a later right answer pushes it out."""
    card = db.session.get(DecisionReviewCard, (attempt.user_id, attempt.version_id, node_id))
    retention = cohorts.retention_for(attempt.user_id)
    state, due = spaced.review(card.card if card else None, spaced.rating_for(correct, None), now, retention)
    if card is None:
        db.session.add(
            DecisionReviewCard(
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
    else:
        card.card, card.due, card.reviews, card.last_review = state, due, card.reviews + 1, now


def due_decisions(user_id: int, now: datetime) -> list[DecisionReviewCard]:
    return list(
        db.session.scalars(
            select(DecisionReviewCard)
            .where(DecisionReviewCard.user_id == user_id, DecisionReviewCard.due <= now)
            .order_by(DecisionReviewCard.due)
        )
    )


def own_decision(user_id: int, version_id: int, node_id: str) -> DecisionReviewCard:
    card = db.session.get(DecisionReviewCard, (user_id, version_id, node_id))
    if card is None:
        raise ScenarioError("There is no such decision to review.", 404)
    return card


def review_decision(card: DecisionReviewCard, ref: str, now: datetime) -> engine.Choice:
    """Answer a decision again: any choice without a critical error counts as remembered."""
    scenario = model_of(card.version)
    choice = next((c for c in scenario.node(card.node_id).choices if c.ref == ref), None)
    if choice is None:
        raise ScenarioError("That choice is not one of this decision's. Nothing was recorded.", 400)
    retention = cohorts.retention_for(card.user_id)
    state, due = spaced.review(card.card, spaced.rating_for(not choice.critical, None), now, retention)
    card.card, card.due, card.reviews, card.last_review = state, due, card.reviews + 1, now
    db.session.flush()
    return choice


def expert_choice(version: ScenarioVersion, node_id: str) -> engine.Choice | None:
    scenario = model_of(version)  # the expert path was stored at sync: no path analysis for a review
    refs = [r for r in version.max_score_path if r.rpartition("/")[0] == node_id]
    if refs:
        return scenario.choice(refs[0])
    clean = [c for c in scenario.node(node_id).choices if not c.critical]
    return max(clean, key=lambda c: sum(d for _, d in c.score), default=None)
