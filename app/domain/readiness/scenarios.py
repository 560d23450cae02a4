"""Scenario evidence for readiness: rolling dimension scores, critical errors and coverage.

Rules
- Runs are taken in the order they finished (ties broken by run id).
- A rolling score is the mean over the last `window` runs that scored the dimension(s); for several
  dimensions (exception judgement = accuracy and compliance) a run's value is the mean of those it
  scored. `unaided_only` leaves out runs where the trainee had help.
- Coverage counts passed runs only: exception types passed, and runs passed at a given difficulty.
- A run's graded write-ups (trainer's points over the rubric's maximum, as 0-100) count as one more
  observation in the dimensions a hand-off note shows, coordination and customer recovery: each becomes
  the mean of the run's choice-based score and the write-up score (`with_writeups`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.domain.scenarios.model import DIMENSIONS

from .evidence import ScenarioRun


@dataclass(frozen=True)
class RollingScore:
    """Mean 0-100 score over the runs named in `run_ids` (None when there are none)."""

    score: float | None
    n: int
    run_ids: tuple[str, ...]


WRITEUP_DIMENSIONS = ("coordination", "customer_recovery")


def with_writeups(scores: Mapping[str, float], writeup_score: float | None) -> dict[str, float]:
    """A run's dimension scores with its graded write-ups blended in (see the module rules)."""
    blended = dict(scores)
    if writeup_score is None:
        return blended
    for dimension in WRITEUP_DIMENSIONS:
        blended[dimension] = (
            (blended[dimension] + writeup_score) / 2 if dimension in blended else writeup_score
        )
    return blended


def in_order(runs: Iterable[ScenarioRun]) -> list[ScenarioRun]:
    return sorted(runs, key=lambda r: (r.finished_at, r.run_id))


def rolling_score(
    runs: Iterable[ScenarioRun], dimensions: Sequence[str], window: int, unaided_only: bool = False
) -> RollingScore:
    """The rolling score of `dimensions` over the last `window` qualifying runs."""
    values: list[tuple[str, float]] = []
    for run in in_order(runs):
        if unaided_only and run.aided:
            continue
        scored = [run.scores[d] for d in dimensions if d in run.scores]
        if scored:
            values.append((run.run_id, sum(scored) / len(scored)))
    recent = values[-window:] if window > 0 else []
    if not recent:
        return RollingScore(score=None, n=0, run_ids=())
    return RollingScore(
        score=sum(v for _, v in recent) / len(recent), n=len(recent), run_ids=tuple(i for i, _ in recent)
    )


def rolling_dimensions(runs: Iterable[ScenarioRun], window: int) -> dict[str, RollingScore]:
    """Each rubric dimension's rolling score over the last `window` runs that scored it."""
    runs = list(runs)
    return {dimension: rolling_score(runs, (dimension,), window) for dimension in DIMENSIONS}


def recent_critical_errors(runs: Iterable[ScenarioRun], last: int) -> tuple[ScenarioRun, ...]:
    """The runs among the last `last` attempts that contain a critical error."""
    recent = in_order(runs)[-last:] if last > 0 else []
    return tuple(r for r in recent if r.critical_errors)


def passed_exception_types(runs: Iterable[ScenarioRun]) -> dict[str, tuple[str, ...]]:
    """Exception type -> ids of passed runs covering it."""
    covered: dict[str, list[str]] = {}
    for run in in_order(runs):
        if run.passed:
            for exception_type in run.exception_types:
                covered.setdefault(exception_type, []).append(run.run_id)
    return {k: tuple(v) for k, v in covered.items()}


def passed_at(runs: Iterable[ScenarioRun], difficulty: str) -> tuple[str, ...]:
    """Ids of passed runs of scenarios at this difficulty."""
    return tuple(r.run_id for r in in_order(runs) if r.passed and r.difficulty == difficulty)


def tried_exception_types(runs: Iterable[ScenarioRun]) -> set[str]:
    return {t for r in runs for t in r.exception_types}
