"""Score a run: each dimension scaled over all complete paths, weighted by the rubric, capped on a critical error.

Rules: a dimension's raw score is the sum of the deltas of the choices taken; it is scaled to 0-100
between the lowest and highest totals any complete path reaches (100 when they are equal); the
total is the rubric-weighted mean. Any critical error caps the total at `critical_cap` and fails
the run; otherwise a finished run passes when total >= pass_mark. An unfinished run gets the
same figures for the part played, with finished=False and passed=False.

Decision time: when the scenario sets `seconds_per_decision` and the rubric weighs resolution_time, each
decision that took longer (write-ups excepted: a note takes the time it takes) costs resolution_time
100 / (decisions timed) points, down to 0. The desk's SLA, in the score the trainee reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .analysis import Analysis, capped_total, dimension_scores, weighted_total
from .engine import AttemptState, trace
from .model import HOURS_VARIABLE, FrozenMap, NodeKind, ScenarioSpec


@dataclass(frozen=True)
class CriticalError:
    node_id: str
    ref: str
    label: str
    line: int


@dataclass(frozen=True)
class ScenarioScore:
    """The figures a debrief shows; `total` is after the critical cap, `uncapped_total` before it."""

    finished: bool
    dimensions: Mapping[str, float]  # 0-100 per rubric dimension
    raw: Mapping[str, float]  # summed deltas per rubric dimension
    total: float
    uncapped_total: float
    critical_errors: tuple[CriticalError, ...]
    capped: bool  # a critical error limits the total to critical_cap
    passed: bool
    pass_mark: float
    outcome: str | None  # good | mixed | bad for a finished run
    ending_id: str | None
    kpis: tuple[tuple[str, str], ...]
    hours_used: float | None  # growth of the `hours` state variable, when declared
    time_budget_hours: float | None
    over_budget: bool
    functions_involved: tuple[str, ...]  # in the order first brought in
    path: tuple[str, ...]
    decision_limit: int | None = None  # seconds per decision, when the scenario sets one
    late_decisions: int = 0  # decisions that took longer
    timed_decisions: int = 0  # decisions the limit applies to (write-ups excepted)
    time_penalty: float = 0.0  # points of resolution_time lost to late decisions


def score_attempt(
    scenario: ScenarioSpec, attempt: AttemptState, analysis: Analysis, decision_seconds: Sequence[float] = ()
) -> ScenarioScore:
    """Score the run in `attempt.log` (replayed, so a tampered attempt raises ChoiceNotOffered);
    `decision_seconds[i]` is how long decision i took, when known."""
    steps = trace(scenario, attempt.log)
    raw: dict[str, float] = dict.fromkeys(scenario.rubric, 0.0)
    criticals: list[CriticalError] = []
    functions: list[str] = []
    for s in steps:
        for dimension, delta in s.choice.score:
            raw[dimension] = raw.get(dimension, 0.0) + delta
        if s.choice.critical:
            criticals.append(CriticalError(s.node.id, s.choice.ref, s.choice.critical, s.choice.line))
        functions.extend(f for f in s.choice.involves if f not in functions)
    dimensions = dimension_scores(raw, analysis.dimension_ranges, scenario.rubric)
    limit = scenario.seconds_per_decision
    timed = [
        seconds
        for step, seconds in zip(steps, decision_seconds, strict=False)
        if step.node.kind != NodeKind.WRITE_UP
    ]
    late = sum(seconds > limit for seconds in timed) if limit else 0
    penalty = 0.0
    if late and "resolution_time" in dimensions:
        penalty = min(dimensions["resolution_time"], 100.0 * late / len(timed))
        dimensions["resolution_time"] -= penalty
    uncapped = weighted_total(dimensions, scenario.rubric)
    total = capped_total(uncapped, bool(criticals), scenario.critical_cap)
    final_state = steps[-1].after if steps else scenario.initial_state
    finished = attempt.finished
    ending = scenario.node(attempt.node_id) if finished and scenario.has_node(attempt.node_id) else None
    hours_used = None
    start_hours = scenario.initial_state.get(HOURS_VARIABLE)
    end_hours = final_state.get(HOURS_VARIABLE)
    if isinstance(start_hours, int | float) and isinstance(end_hours, int | float):
        hours_used = end_hours - start_hours
    budget = scenario.time_budget_hours
    return ScenarioScore(
        finished=finished,
        dimensions=FrozenMap(dimensions),
        raw=FrozenMap(raw),
        total=total,
        uncapped_total=uncapped,
        critical_errors=tuple(criticals),
        capped=bool(criticals),
        passed=finished and not criticals and total >= scenario.pass_mark,
        pass_mark=scenario.pass_mark,
        outcome=ending.outcome if ending else None,
        ending_id=ending.id if ending else None,
        kpis=ending.kpis if ending else (),
        hours_used=hours_used,
        time_budget_hours=budget,
        over_budget=budget is not None and hours_used is not None and hours_used > budget,
        functions_involved=tuple(functions),
        path=attempt.log,
        decision_limit=limit,
        late_decisions=late,
        timed_decisions=len(timed) if limit else 0,
        time_penalty=penalty,
    )
