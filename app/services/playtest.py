"""Play-testing a draft scenario: the trainee's play loop run on the draft's text, recorded nowhere.

A play-test lives in the signed session cookie (`to_session` / `from_session`), never in the
database: it creates no attempt, answer, write-up, review card, evidence, xAPI statement or activity,
so nothing counts towards readiness or statistics. It survives a reload and is dropped when the draft's
text changes (its choices may no longer exist). One play-test at a time per browser session.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from app.domain.markdown_render import MarkdownRenderer
from app.domain.problems import Problem
from app.domain.scenarios import Analysis, AttemptState, ScenarioSpec, analyse, lint_scenario, parse_scenario
from app.domain.scenarios.engine import ChoiceNotOffered
from app.domain.shuffle import new_seed
from app.models import Draft, DraftKind
from app.services import content_sync, scenarios
from app.services.authoring import AuthoringError, draft_path
from app.services.content_files import ScenarioFile

NOTE_LIMIT = 600  # characters of a written note kept in the cookie (a cookie holds about 4 kB in all)


@dataclass(frozen=True)
class Playable:
    """A draft scenario ready to play, or the errors that stop it (`scenario` is None then)."""

    scenario: ScenarioSpec | None
    analysis: Analysis | None
    fragments: dict[str, str]
    errors: tuple[Problem, ...]


@lru_cache(maxsize=16)
def _prepare(text: str, path: str) -> Playable:
    """Parse, lint and render the text once per text (path analysis takes seconds on a large scenario)."""
    scenario, problems = parse_scenario(text, path)
    analysis = None
    if scenario is not None:
        analysis = analyse(scenario)
        problems = [*problems, *lint_scenario(scenario, analysis)]
    errors = tuple(sorted((p for p in problems if p.is_error), key=lambda p: p.line))
    if scenario is None or analysis is None or errors:
        return Playable(None, None, {}, errors)
    row = content_sync.scenario_row(ScenarioFile(scenario, analysis, text), MarkdownRenderer())
    return Playable(scenario, analysis, row["fragments"], ())


def playable(draft: Draft) -> Playable:
    """The draft's saved text as a playable scenario; only a scenario draft can be play-tested (404)."""
    if draft.kind != DraftKind.SCENARIO:
        raise AuthoringError("Only a scenario draft can be play-tested; preview questions on the draft.", 404)
    return _prepare(draft.text, draft_path(draft))


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Note:
    """A written note of the play-test, shaped like a WriteUp for the debrief (never graded)."""

    node_id: str
    text: str
    max_points: float
    graded_at: None = None
    points: None = None
    comment: None = None


@dataclass
class PlayTest:
    """One play-test run, shaped like a ScenarioAttempt for the scenario pages (`log`, `seed`, ...)."""

    draft_id: int
    text_hash: str
    seed: str
    log: list[str] = field(default_factory=list)
    decision_seconds: list[float] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # write-up node id -> the note
    variant: dict | None = None  # drawn from the seed: not stored
    writeups: list[Note] = field(default_factory=list)  # derived from notes: not stored

    def to_session(self) -> dict:
        return {
            "draft_id": self.draft_id,
            "text_hash": self.text_hash,
            "seed": self.seed,
            "log": self.log,
            "seconds": self.decision_seconds,
            "notes": self.notes,
        }


def from_session(stored: object, draft: Draft, game: Playable) -> tuple[PlayTest, bool]:
    """The play-test of this draft kept in the session, or a new one; True when a kept one was dropped
    because the draft's text changed since it began (or its log no longer replays)."""
    fresh = PlayTest(draft.id, text_hash(draft.text), new_seed())
    if not isinstance(stored, dict) or stored.get("draft_id") != draft.id:
        return _derive(fresh, game), False
    if stored.get("text_hash") != fresh.text_hash:
        return _derive(fresh, game), True
    run = PlayTest(
        draft.id,
        fresh.text_hash,
        str(stored.get("seed") or fresh.seed),
        [str(ref) for ref in stored.get("log", [])],
        [float(s) for s in stored.get("seconds", [])],
        {str(k): str(v) for k, v in (stored.get("notes") or {}).items()},
    )
    try:
        state_of(run, game)
    except ChoiceNotOffered:
        return _derive(fresh, game), True
    return _derive(run, game), False


def _derive(run: PlayTest, game: Playable) -> PlayTest:
    scenario = game.scenario
    assert scenario is not None
    run.variant = scenario.variants.draw(run.seed) if scenario.variants else None
    points = {node.id: sum(item.points for item in node.rubric) for node in scenario.nodes}
    run.writeups = [Note(node_id, text, points.get(node_id, 0)) for node_id, text in run.notes.items()]
    return run


def state_of(run: PlayTest, game: Playable) -> AttemptState:
    assert game.scenario is not None
    return scenarios.engine.replay(game.scenario, run.log)


def choose(
    run: PlayTest, game: Playable, ref: str, step_number: int, text: str | None, seconds: float | None
) -> AttemptState:
    """Take one decision with the trainees' play loop (`scenarios.decide`); only the run changes."""
    assert game.scenario is not None
    if state_of(run, game).finished:
        raise scenarios.ScenarioError("This play-test is finished; read its debrief or play it again.", 409)
    decision = scenarios.decide(game.scenario, run.log, run.seed, ref, step_number, text)
    if decision.note is not None:
        run.notes[decision.node.id] = decision.note[:NOTE_LIMIT]
    run.log = [*run.log, decision.ref]
    run.decision_seconds = [*run.decision_seconds, scenarios.decision_time(seconds)]
    _derive(run, game)
    return decision.after


def go_back(run: PlayTest, game: Playable, to_step: int) -> AttemptState:
    assert game.scenario is not None
    state = scenarios.back(game.scenario, run.log, to_step)
    run.log = list(state.log)
    run.decision_seconds = run.decision_seconds[:to_step]
    kept = {step.node.id for step in scenarios.engine.trace(game.scenario, state.log)}
    run.notes = {node_id: text for node_id, text in run.notes.items() if node_id in kept}
    _derive(run, game)
    return state


def debrief(run: PlayTest, game: Playable) -> scenarios.engine.Debrief:
    assert game.scenario is not None and game.analysis is not None
    return scenarios.engine.debrief(game.scenario, state_of(run, game), game.analysis, run.decision_seconds)
