"""Decision statistics over scenario runs: choice shares per node, scores by path, critical errors, edge heat.

A choice ref is `node-id/n` (`node-id/next` for a write-up), as in app/domain/scenarios/model.py; the
node a choice is made at is the part before the last "/".
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ScenarioRun:
    """One trainee's run through a scenario version."""

    run_id: str
    path: tuple[str, ...]  # choice refs in the order taken, e.g. ("first-call/2", "credit-reviews/1")
    score: float | None  # total 0-100; None while unfinished
    critical: tuple[str, ...] = ()  # critical-error labels the run incurred
    finished: bool = True


@dataclass(frozen=True)
class ChoiceCount:
    ref: str
    count: int
    share: float | None  # count / decisions at the node; None when nobody decided there


@dataclass(frozen=True)
class NodeChoices:
    node_id: str
    decisions: int  # choices made at the node, over all runs
    choices: tuple[ChoiceCount, ...]  # in the node's choice order


@dataclass(frozen=True)
class PathScores:
    path: tuple[str, ...]
    runs: int
    mean: float
    median: float


@dataclass(frozen=True)
class CriticalErrorCount:
    label: str
    runs: int  # runs that incurred it at least once
    share: float  # runs / all runs


@dataclass(frozen=True)
class EdgeTraversal:
    ref: str
    source: str  # node the choice is made at
    target: str  # node it leads to
    count: int


def choice_node(ref: str) -> str:
    """The node a choice ref belongs to: `"first-call/2"` -> `"first-call"`."""
    node_id, slash, choice = ref.rpartition("/")
    if not slash or not node_id or not choice:
        raise ValueError(f"choice ref {ref!r} is not of the form node-id/n")
    return node_id


def choice_frequencies(runs: Iterable[ScenarioRun], known_refs: Iterable[str] = ()) -> dict[str, NodeChoices]:
    """How often each choice was taken at each node, keyed and ordered by node id.

    Every decision counts, finished run or not; a run that comes back to a repeatable node counts
    each decision it makes there. `share` is the choice's count over all decisions at its node, so
    the shares at a node add up to 1. Pass the scenario's refs as `known_refs` to list choices nobody
    took (count 0) and nodes nobody reached (decisions 0, shares None).
    """
    counts: Counter[str] = Counter(dict.fromkeys(known_refs, 0))
    for run in runs:
        for ref in run.path:
            _check_ref(run, ref)
            counts[ref] += 1
    by_node: dict[str, list[str]] = {}
    for ref in sorted(counts, key=_ref_order):
        by_node.setdefault(choice_node(ref), []).append(ref)
    result = {}
    for node_id, refs in by_node.items():
        decisions = sum(counts[ref] for ref in refs)
        result[node_id] = NodeChoices(
            node_id,
            decisions,
            tuple(
                ChoiceCount(ref, counts[ref], counts[ref] / decisions if decisions else None) for ref in refs
            ),
        )
    return result


def scores_by_path(runs: Iterable[ScenarioRun]) -> tuple[PathScores, ...]:
    """Mean and median score of the finished runs along each distinct path.

    Unfinished runs are left out: their score is not final. Ordered by number of runs (most first),
    then by path. Raises ValueError for a finished run without a score or a score outside 0-100.
    """
    scores: dict[tuple[str, ...], list[float]] = {}
    for run in runs:
        if not run.finished:
            continue
        if run.score is None or not 0 <= run.score <= 100:
            raise ValueError(f"run {run.run_id!r} is finished but its score {run.score!r} is not 0-100")
        scores.setdefault(run.path, []).append(run.score)
    summaries = (
        PathScores(path, len(values), statistics.fmean(values), statistics.median(values))
        for path, values in scores.items()
    )
    return tuple(sorted(summaries, key=lambda p: (-p.runs, p.path)))


def critical_error_counts(runs: Iterable[ScenarioRun]) -> tuple[CriticalErrorCount, ...]:
    """How many runs incurred each critical error, most frequent first (ties by label).

    A run counts once per label however often it repeats the error; unfinished runs count, since the
    error was made. `share` is over all runs given, so it reads "x % of runs released the hold".
    """
    counts: Counter[str] = Counter()
    total = 0
    for run in runs:
        total += 1
        counts.update(set(run.critical))
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(CriticalErrorCount(label, n, n / total) for label, n in ranked)


def edge_traversals(runs: Iterable[ScenarioRun], targets: Mapping[str, str]) -> tuple[EdgeTraversal, ...]:
    """Traversal counts for every edge of a scenario graph, for drawing a heatmap over it.

    `targets` maps each choice ref of the scenario version the runs were played on to the node it
    leads to (`{c.ref: c.target for _, c in scenario.choices()}`). Every edge is listed, untaken ones
    with count 0, ordered by source node and choice order. Every step of every run counts, finished or
    not. Raises ValueError for a ref the graph lacks: the runs belong to another version.
    """
    counts: Counter[str] = Counter()
    for run in runs:
        for ref in run.path:
            if ref not in targets:
                raise ValueError(
                    f"run {run.run_id!r} took choice {ref!r}, which the scenario graph does not have; "
                    "pass the graph of the scenario version the run was played on"
                )
            counts[ref] += 1
    return tuple(
        EdgeTraversal(ref, choice_node(ref), targets[ref], counts[ref])
        for ref in sorted(targets, key=_ref_order)
    )


def _check_ref(run: ScenarioRun, ref: str) -> None:
    try:
        choice_node(ref)
    except ValueError as error:
        raise ValueError(f"run {run.run_id!r}: {error}") from None


def _ref_order(ref: str) -> tuple[str, int, int, str]:
    """Sort key: by node, then numbered choices in number order, then named ones such as `next`."""
    node_id, _, choice = ref.rpartition("/")
    return (node_id, 0, int(choice), "") if choice.isdigit() else (node_id, 1, 0, choice)
