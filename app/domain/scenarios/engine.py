"""Play a scenario: an attempt is its log of choice refs; each step is checked against the graph.

Rules: a choice is offered when its `if:` holds on the current state and its target exists; any
other ref (a tampered form, an edited scenario) raises ChoiceNotOffered. A run finishes on
reaching an ending. Going back is allowed only when the scenario says `allow_back: true`, and
drops every step after the one returned to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .conditions import Value
from .model import Choice, FrozenMap, Node, ScenarioSpec


class ChoiceNotOffered(ValueError):
    """The ref is not one of the choices offered now (tampered form, finished run, edited scenario)."""


class BackNotAllowed(ValueError):
    """The scenario does not allow going back, or the step asked for is not in the log."""


@dataclass(frozen=True)
class AttemptState:
    """Where a run stands: the node it is at, the state variables, the refs taken so far."""

    node_id: str
    state: Mapping[str, Value]
    log: tuple[str, ...] = ()
    finished: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "state", FrozenMap(self.state))


@dataclass(frozen=True)
class StateChanged:
    variable: str
    before: Value
    after: Value

    @property
    def delta(self) -> float | None:
        """after - before for numbers; None for words."""
        if isinstance(self.before, str) or isinstance(self.after, str):
            return None
        return self.after - self.before


@dataclass(frozen=True)
class Scored:
    deltas: tuple[tuple[str, float], ...]  # (dimension, delta) as authored


@dataclass(frozen=True)
class CriticalErrorMade:
    label: str
    node_id: str
    ref: str
    line: int


@dataclass(frozen=True)
class FunctionsInvolved:
    functions: tuple[str, ...]


@dataclass(frozen=True)
class FeedbackGiven:
    text: str  # Markdown


@dataclass(frozen=True)
class Arrived:
    node_id: str
    kind: str  # decision | write-up | ending
    outcome: str | None  # for an ending
    finished: bool


Event = StateChanged | Scored | CriticalErrorMade | FunctionsInvolved | FeedbackGiven | Arrived


@dataclass(frozen=True)
class Step:
    """One choice in a run, with the state on either side of it."""

    index: int  # 1-based position in the log
    node: Node
    choice: Choice
    before: Mapping[str, Value]
    after: Mapping[str, Value]

    @property
    def changes(self) -> tuple[StateChanged, ...]:
        return state_changes(self.before, self.after)


def state_changes(before: Mapping[str, Value], after: Mapping[str, Value]) -> tuple[StateChanged, ...]:
    """The variables whose value differs, in declaration order."""
    return tuple(StateChanged(k, before[k], after[k]) for k in before if before[k] != after.get(k, before[k]))


def new_attempt(scenario: ScenarioSpec) -> AttemptState:
    """A fresh run at the start node with the initial state."""
    start = scenario.node(scenario.start) if scenario.has_node(scenario.start) else None
    finished = start is not None and start.is_ending
    return AttemptState(scenario.start, scenario.initial_state, (), finished)


def offered_choices(scenario: ScenarioSpec, attempt: AttemptState) -> list[Choice]:
    """Choices at the current node whose condition holds and whose target exists; none once finished."""
    if attempt.finished or not scenario.has_node(attempt.node_id):
        return []
    node = scenario.node(attempt.node_id)
    return [c for c in node.choices if c.offered_in(attempt.state) and scenario.has_node(c.target)]


def step(scenario: ScenarioSpec, attempt: AttemptState, ref: str) -> tuple[AttemptState, list[Event]]:
    """Take choice `ref`; return the new attempt and the events, or raise ChoiceNotOffered."""
    if attempt.finished:
        raise ChoiceNotOffered(
            f"the run has finished at {attempt.node_id!r}; no choice ({ref!r}) can be taken"
        )
    offered = offered_choices(scenario, attempt)
    choice = next((c for c in offered if c.ref == ref), None)
    if choice is None:
        available = ", ".join(c.ref for c in offered) or "none"
        raise ChoiceNotOffered(
            f"choice {ref!r} is not offered at node {attempt.node_id!r} (offered: {available})"
        )
    after = choice.apply(attempt.state)
    target = scenario.node(choice.target)
    events: list[Event] = list(state_changes(attempt.state, after))
    if choice.score:
        events.append(Scored(choice.score))
    if choice.critical:
        events.append(CriticalErrorMade(choice.critical, attempt.node_id, choice.ref, choice.line))
    if choice.involves:
        events.append(FunctionsInvolved(choice.involves))
    if choice.feedback:
        events.append(FeedbackGiven(choice.feedback))
    events.append(Arrived(target.id, target.kind, target.outcome, target.is_ending))
    return AttemptState(target.id, after, (*attempt.log, ref), target.is_ending), events


def replay(scenario: ScenarioSpec, log: Sequence[str]) -> AttemptState:
    """The attempt reached by taking `log` from the start; ChoiceNotOffered if it does not fit."""
    attempt = new_attempt(scenario)
    for ref in log:
        attempt, _ = step(scenario, attempt, ref)
    return attempt


def trace(scenario: ScenarioSpec, log: Sequence[str]) -> list[Step]:
    """Each step of `log` with its node, choice and the state before and after it."""
    attempt = new_attempt(scenario)
    steps: list[Step] = []
    for index, ref in enumerate(log, 1):
        node = scenario.node(attempt.node_id)
        before = attempt.state
        attempt, _ = step(scenario, attempt, ref)
        choice = scenario.choice(ref)
        assert choice is not None  # step() accepted it
        steps.append(Step(index, node, choice, before, attempt.state))
    return steps


def go_back(scenario: ScenarioSpec, attempt: AttemptState, to_step: int) -> AttemptState:
    """Return to the moment before step `to_step + 1` (0 = the start), dropping every later step.

    Only when the scenario allows going back; `to_step` must be between 0 and the steps taken.
    """
    if not scenario.allow_back:
        raise BackNotAllowed(f"scenario {scenario.id!r} does not allow going back to an earlier decision")
    if not 0 <= to_step <= len(attempt.log):
        raise BackNotAllowed(f"cannot go back to step {to_step}: the run has {len(attempt.log)} steps")
    return replay(scenario, attempt.log[:to_step])
