"""The debrief: the trainee's path beside the expert (max-score) path, divergence by divergence.

At each step the expert's choice is the one the expert path takes at the same node (its k-th
visit for the trainee's k-th, else its last); nodes the expert path never visits have none. A
divergence is a step where both exist and differ; the expert choice's consequences are shown as
if it had been taken from the trainee's state at that moment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .analysis import Analysis
from .conditions import Value
from .engine import AttemptState, StateChanged, Step, state_changes, trace
from .model import Choice, ScenarioSpec
from .scoring import ScenarioScore, score_attempt


@dataclass(frozen=True)
class Consequence:
    """What a choice does from a given state: state changes, score deltas, critical error."""

    changes: tuple[StateChanged, ...]
    score: tuple[tuple[str, float], ...]
    critical: str | None


@dataclass(frozen=True)
class DebriefStep:
    index: int  # 1-based
    node_id: str
    node_title: str
    chosen: Choice
    state_after: Mapping[str, Value]
    consequence: Consequence
    feedback: str
    expert: Choice | None  # the expert's choice at this node, if the expert path visits it
    diverged: bool


@dataclass(frozen=True)
class Divergence:
    index: int  # the trainee's step
    node_id: str
    node_title: str
    chosen: Choice
    expert: Choice
    chosen_consequence: Consequence
    expert_consequence: Consequence  # applied to the trainee's state before the step


@dataclass(frozen=True)
class ExpertStep:
    """One step of "what a senior would have done"."""

    node_id: str
    node_title: str
    choice: Choice
    state_after: Mapping[str, Value]
    feedback: str


@dataclass(frozen=True)
class Debrief:
    steps: tuple[DebriefStep, ...]
    divergences: tuple[Divergence, ...]
    expert_path: tuple[ExpertStep, ...]
    score: ScenarioScore

    @property
    def first_divergence(self) -> Divergence | None:
        """Where the trainee left the expert path (the expert path is followed exactly until then)."""
        return self.divergences[0] if self.divergences else None


def consequence(choice: Choice, before: Mapping[str, Value]) -> Consequence:
    return Consequence(state_changes(before, choice.apply(before)), choice.score, choice.critical)


def _expert_choice(expert: list[Step], node_id: str, visit: int) -> Choice | None:
    at_node = [s.choice for s in expert if s.node.id == node_id]
    if not at_node:
        return None
    return at_node[visit] if visit < len(at_node) else at_node[-1]


def debrief(
    scenario: ScenarioSpec, attempt: AttemptState, analysis: Analysis, decision_seconds: Sequence[float] = ()
) -> Debrief:
    """Compare the run with `analysis.max_score_path`, step by step."""
    mine = trace(scenario, attempt.log)
    expert = trace(scenario, analysis.max_score_path)
    visits: dict[str, int] = {}
    steps: list[DebriefStep] = []
    divergences: list[Divergence] = []
    for s in mine:
        visit = visits.get(s.node.id, 0)
        visits[s.node.id] = visit + 1
        best = _expert_choice(expert, s.node.id, visit)
        diverged = best is not None and best.ref != s.choice.ref
        mine_consequence = consequence(s.choice, s.before)
        steps.append(
            DebriefStep(
                s.index,
                s.node.id,
                s.node.title,
                s.choice,
                s.after,
                mine_consequence,
                s.choice.feedback,
                best,
                diverged,
            )
        )
        if best is not None and diverged:
            divergences.append(
                Divergence(
                    s.index,
                    s.node.id,
                    s.node.title,
                    s.choice,
                    best,
                    mine_consequence,
                    consequence(best, s.before),
                )
            )
    expert_path = tuple(
        ExpertStep(s.node.id, s.node.title, s.choice, s.after, s.choice.feedback) for s in expert
    )
    return Debrief(
        tuple(steps),
        tuple(divergences),
        expert_path,
        score_attempt(scenario, attempt, analysis, decision_seconds),
    )
