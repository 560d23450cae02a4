"""Graph and content checks on a parsed scenario, each reported at the line an author should fix.

Errors: a choice goes to a missing node; a node cannot be reached from the start; a decision node
has no choices (dead end); an ending no path reaches once conditions apply; a node reached in a
state where none of its choices is offered; a cycle through a node not marked `repeatable: yes`;
a cycle with no way out; no critical error anywhere; a weighted rubric dimension no choice scores;
no ending; every path makes a critical error; no clean path reaches the pass mark.
Warnings: a choice never offered; a choice without feedback; a choice involving a function the
front matter does not list; the path analysis was truncated.
"""

from __future__ import annotations

from collections import deque

from ..problems import Problem, Severity
from .analysis import Analysis, analyse
from .model import Node, NodeKind, ScenarioSpec
from .variants import check_samples


class _Findings:
    """Collects problems for one file."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def warning(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, Severity.WARNING))


def _nodes(scenario: ScenarioSpec) -> list[Node]:
    """The nodes the engine can play: a duplicated id (reported by the parser) counts once, first wins."""
    return [n for n in scenario.nodes if scenario.node(n.id) is n]


def _edges(scenario: ScenarioSpec) -> dict[str, list[str]]:
    """Node id -> ids of existing nodes its choices lead to, ignoring conditions."""
    return {n.id: [t for t in n.targets if scenario.has_node(t)] for n in _nodes(scenario)}


def _reachable(edges: dict[str, list[str]], start: str) -> set[str]:
    """Nodes reachable from `start` by one or more edges."""
    seen: set[str] = set()
    queue = deque(edges.get(start, []))
    while queue:
        node = queue.popleft()
        if node not in seen:
            seen.add(node)
            queue.extend(edges.get(node, []))
    return seen


def _cycle_through(edges: dict[str, list[str]], component: set[str], start: str) -> list[str]:
    """A shortest cycle start -> ... -> start inside the component, for the message."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for target in edges[node]:
            if target == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [*reversed(path), start]
            if target in component and target not in previous:
                previous[target] = node
                queue.append(target)
    return [start, start]


def _check_choices(scenario: ScenarioSpec, found: _Findings) -> None:
    for node, choice in scenario.choices():
        if choice.target and not scenario.has_node(choice.target):
            found.error(
                choice.line, f"choice {choice.ref} goes to {choice.target!r}, but no node has that id"
            )
        if node.kind == NodeKind.DECISION and not choice.feedback:
            found.warning(
                choice.line,
                f"choice {choice.ref} has no feedback: the debrief will not say why it was good or bad",
            )
        for function in choice.involves:
            if scenario.functions and function not in scenario.functions:
                found.warning(
                    choice.line,
                    f"choice {choice.ref} involves {function!r}, which the front matter's functions do not list",
                )


def _check_reachability(scenario: ScenarioSpec, reachable: set[str], found: _Findings) -> None:
    for node in _nodes(scenario):
        if node.id not in reachable and scenario.has_node(scenario.start):
            what = "ending" if node.is_ending else "node"
            found.error(
                node.line,
                f"{what} {node.id!r} cannot be reached from the start {scenario.start!r}: no choice leads to it",
            )
        if node.kind == NodeKind.DECISION and not node.choices:
            found.error(
                node.line,
                f"node {node.id!r} has no choices and is not an ending: "
                "add `- text -> target` lines or make it `# Ending: ...`",
            )


def _check_cycles(scenario: ScenarioSpec, edges: dict[str, list[str]], found: _Findings) -> None:
    """Every node on a cycle must be repeatable, and every cycle needs a way out."""
    reach = {node_id: _reachable(edges, node_id) for node_id in edges}
    components: list[set[str]] = []
    for node in _nodes(scenario):
        if node.id not in reach[node.id]:
            continue
        component = {other for other in reach[node.id] if node.id in reach[other]}
        cycle = " -> ".join(_cycle_through(edges, component, node.id))
        if not node.repeatable:
            found.error(
                node.line,
                f"node {node.id!r} is on a cycle ({cycle}) but is not marked `repeatable: yes`; "
                "only repeatable nodes may be revisited",
            )
        if component in components:
            continue
        components.append(component)
        if all(target in component for member in component for target in edges[member]):
            found.error(node.line, f"the cycle {cycle} has no way out: every choice in it leads back into it")


def _check_content(scenario: ScenarioSpec, found: _Findings) -> None:
    if not scenario.endings:
        found.error(1, "the scenario has no ending: add `# Ending: Title {#id}` with an outcome")
    if not any(choice.critical for _, choice in scenario.choices()):
        found.error(
            1,
            "no choice is marked `critical:`: a scenario needs at least one critical error a trainee can make",
        )
    scored = {dimension for _, choice in scenario.choices() for dimension, _ in choice.score}
    for dimension, weight in scenario.rubric.items():
        if weight > 0 and dimension not in scored:
            found.error(
                scenario.line_of(f"rubric.{dimension}"),
                f"rubric dimension {dimension!r} has weight {weight:g} but no choice scores it",
            )


def _check_paths(scenario: ScenarioSpec, analysis: Analysis, reachable: set[str], found: _Findings) -> None:
    """Checks that need the conditions honoured, from the path analysis."""
    if analysis.truncated:
        found.warning(
            1,
            f"path analysis stopped after {analysis.state_count} distinct states: "
            "the condition-based checks below are incomplete",
        )
    # Nodes whose choices were looked at in some explored state.
    visited = {ref.rpartition("/")[0] for ref in analysis.offered_refs} | analysis.stuck_nodes
    for node in _nodes(scenario):
        if node.id in analysis.stuck_nodes and node.choices:
            found.error(
                node.line,
                f"node {node.id!r} can be reached in a state where none of its choices is offered: "
                "check the `if:` lines",
            )
        if analysis.truncated or node.id not in reachable:
            continue
        if node.is_ending and node.id not in analysis.endings_reached:
            found.error(
                node.line, f"ending {node.id!r} is never reached: the conditions on the way to it never hold"
            )
        for choice in node.choices:
            if choice.ref not in analysis.offered_refs and node.id in visited:
                found.warning(
                    choice.line,
                    f"choice {choice.ref} is never offered: its `if:` is false whenever the node is reached",
                )
    if not analysis.path_count or analysis.truncated:
        return
    best = analysis.best_clean_score
    if not analysis.critical_free_path_count:
        found.error(1, "every path makes a critical error: give the trainee a clean route")
    elif best is not None and best < scenario.pass_mark:
        found.error(
            scenario.line_of("pass_mark"),
            f"no path reaches the pass mark {scenario.pass_mark:g} (best {best:.1f})",
        )


def lint_scenario(scenario: ScenarioSpec, analysis: Analysis | None = None) -> list[Problem]:
    """Every graph and content problem, sorted by line; pass `analysis` to avoid computing it twice."""
    found = _Findings(scenario.path)
    edges = _edges(scenario)
    reachable = _reachable(edges, scenario.start) | {scenario.start}
    _check_choices(scenario, found)
    _check_reachability(scenario, reachable, found)
    _check_cycles(scenario, edges, found)
    _check_content(scenario, found)
    _check_paths(scenario, analysis or analyse(scenario), reachable, found)
    if scenario.variants is not None:
        # Variants change only text, so the path checks above hold for every variant; constraints are
        # what keeps each variant's figures consistent with the right decision.
        found.problems += [
            Problem(scenario.path, line, message) for line, message in check_samples(scenario.variants)
        ]
    return sorted(found.problems)
