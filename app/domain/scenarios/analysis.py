"""Count a scenario's complete paths, find each dimension's range over them and the best-scoring path.

Paths are explored by a memoised depth-first search over (node, state, visits), honouring `if:`
conditions: a node may appear once per path, a `repeatable: yes` node up to MAX_REPEAT_VISITS
times, and a branch that would exceed that is dropped, not counted. Paths that reach the same
node with the same state share their future, so counts, ranges and the best path are exact for
far more paths than could be listed; after MAX_STATES distinct states the search stops and the
Analysis says `truncated`. Same scenario in, same Analysis out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .conditions import Value
from .model import Choice, FrozenMap, Node, ScenarioSpec

MAX_REPEAT_VISITS = 3
MAX_STATES = 100_000
# Scores that differ by less than this are a tie (float sums depend on the order they were added).
TIE = 1e-9


def dimension_score(raw: float, low: float, high: float) -> float:
    """Scale a raw dimension total to 0-100 between the lowest and highest any complete path reaches.

    A dimension every path scores alike (high == low) scores 100; values outside the range (an
    unfinished run, a truncated analysis) are clamped.
    """
    if high <= low:
        return 100.0
    return min(100.0, max(0.0, (raw - low) / (high - low) * 100.0))


def dimension_scores(
    raw: Mapping[str, float], ranges: Mapping[str, tuple[float, float]], rubric: Mapping[str, float]
) -> dict[str, float]:
    """0-100 per rubric dimension; a dimension missing from `ranges` has no spread and scores 100."""
    return {d: dimension_score(raw.get(d, 0.0), *ranges.get(d, (0.0, 0.0))) for d in rubric}


def weighted_total(scores: Mapping[str, float], rubric: Mapping[str, float]) -> float:
    """The rubric-weighted mean of the dimension scores (weights sum to 100, so 0-100)."""
    weight = sum(rubric.values())
    if weight <= 0:
        return 0.0
    return sum(scores.get(d, 0.0) * w for d, w in rubric.items()) / weight


def capped_total(total: float, has_critical: bool, cap: float) -> float:
    """A run with a critical error scores at most `cap`."""
    return min(total, cap) if has_critical else total


@dataclass(frozen=True)
class Analysis:
    """What the complete paths can do; `max_score_path` is the expert path the debrief compares with."""

    path_count: int
    max_score_path: tuple[str, ...]
    dimension_ranges: Mapping[str, tuple[float, float]]
    truncated: bool
    max_score: float = 0.0
    best_clean_score: float | None = None  # best total of a path without a critical error
    critical_free_path_count: int = 0
    ending_counts: Mapping[str, int] = field(default_factory=dict)  # ending id -> complete paths
    outcome_counts: Mapping[str, int] = field(default_factory=dict)  # good / mixed / bad -> paths
    state_count: int = 0  # distinct (node, state, visits) explored
    offered_refs: frozenset[str] = frozenset()  # choices offered in at least one explored state
    stuck_nodes: frozenset[str] = frozenset()  # nodes reached in a state where no choice is offered

    @property
    def endings_reached(self) -> frozenset[str]:
        return frozenset(self.ending_counts)

    def to_json(self) -> dict:
        """Plain JSON values, stored on the scenario version at sync so no worker explores paths again."""
        return {
            "path_count": self.path_count,
            "max_score_path": list(self.max_score_path),
            "dimension_ranges": {name: list(span) for name, span in self.dimension_ranges.items()},
            "truncated": self.truncated,
            "max_score": self.max_score,
            "best_clean_score": self.best_clean_score,
            "critical_free_path_count": self.critical_free_path_count,
            "ending_counts": dict(self.ending_counts),
            "outcome_counts": dict(self.outcome_counts),
            "state_count": self.state_count,
            "offered_refs": sorted(self.offered_refs),
            "stuck_nodes": sorted(self.stuck_nodes),
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Analysis:
        """The analysis `to_json` stored, equal to the one it was made from."""
        return cls(
            path_count=data["path_count"],
            max_score_path=tuple(data["max_score_path"]),
            dimension_ranges={name: (low, high) for name, (low, high) in data["dimension_ranges"].items()},
            truncated=data["truncated"],
            max_score=data["max_score"],
            best_clean_score=data["best_clean_score"],
            critical_free_path_count=data["critical_free_path_count"],
            ending_counts=dict(data["ending_counts"]),
            outcome_counts=dict(data["outcome_counts"]),
            state_count=data["state_count"],
            offered_refs=frozenset(data["offered_refs"]),
            stuck_nodes=frozenset(data["stuck_nodes"]),
        )


Key = tuple[str, tuple[tuple[str, Value], ...], tuple[int, ...]]


@dataclass
class _StateGraph:
    """Every explored (node, state, visits) and the choices leading out of it, children before parents."""

    root: Key | None = None
    order: list[Key] = field(default_factory=list)
    edges: dict[Key, list[tuple[Choice, Key]]] = field(default_factory=dict)
    offered: set[str] = field(default_factory=set)
    stuck: set[str] = field(default_factory=set)
    truncated: bool = False


def _cyclic_nodes(scenario: ScenarioSpec) -> tuple[str, ...]:
    """Nodes that lie on some cycle: the only ones whose visits must be counted."""
    # A duplicated id (reported by the parser) plays as its first node, as in the engine.
    nodes = [n for n in scenario.nodes if scenario.node(n.id) is n]
    edges = {n.id: [t for t in n.targets if scenario.has_node(t)] for n in nodes}
    cyclic: list[str] = []
    for start in edges:
        seen: set[str] = set()
        todo = list(edges[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(edges[node])
        if start in seen:
            cyclic.append(start)
    return tuple(cyclic)


def _explore(scenario: ScenarioSpec) -> _StateGraph:
    graph = _StateGraph()
    if not scenario.has_node(scenario.start):
        return graph
    cyclic = _cyclic_nodes(scenario)
    slot = {node_id: i for i, node_id in enumerate(cyclic)}
    visits = tuple(1 if node_id == scenario.start else 0 for node_id in cyclic)
    root_state = dict(scenario.initial_state)
    graph.root = (scenario.start, tuple(root_state.items()), visits)
    states: dict[Key, dict[str, Value]] = {graph.root: root_state}
    stack: list[tuple[Key, bool]] = [(graph.root, False)]
    while stack:
        key, done = stack.pop()
        if done:
            graph.order.append(key)
            continue
        if key in graph.edges:
            continue
        if len(graph.edges) >= MAX_STATES:
            graph.truncated = True
            # States already being expanded still get their (partial) answers, children first.
            graph.order.extend(k for k, finished in reversed(stack) if finished)
            break
        children: list[tuple[Choice, Key]] = []
        for choice, child, after in _expand(scenario, graph, slot, key, states.pop(key)):
            children.append((choice, child))
            if child not in graph.edges:
                states.setdefault(child, after)
        graph.edges[key] = children
        stack.append((key, True))
        stack.extend((child, False) for _, child in reversed(children) if child not in graph.edges)
    return graph


def _expand(
    scenario: ScenarioSpec, graph: _StateGraph, slot: dict[str, int], key: Key, state: dict[str, Value]
) -> list[tuple[Choice, Key, dict[str, Value]]]:
    """The (choice, child state key, state after) of each choice offered in this state, in file order.
    Records on the graph what was offered and whether the node is stuck (a decision offering nothing)."""
    node_id, _, visits = key
    node = scenario.node(node_id)
    offered = [c for c in node.choices if c.offered_in(state)]
    if not node.is_ending and not offered:
        graph.stuck.add(node_id)
    children: list[tuple[Choice, Key, dict[str, Value]]] = []
    for choice in offered:
        graph.offered.add(choice.ref)
        if not scenario.has_node(choice.target):
            continue  # lint reports the missing target
        target = scenario.node(choice.target)
        child_visits = _visits_after(target, visits, slot)
        if child_visits is None:
            continue
        after = choice.apply(state)
        children.append((choice, (target.id, tuple(after.items()), child_visits), after))
    return children


def _visits_after(target: Node, visits: tuple[int, ...], slot: dict[str, int]) -> tuple[int, ...] | None:
    """Visit counts of the cyclic nodes after entering `target`; None when it may not be entered again."""
    if target.id not in slot:
        return visits
    i = slot[target.id]
    if visits[i] >= (MAX_REPEAT_VISITS if target.repeatable else 1):
        return None
    return visits[:i] + (visits[i] + 1,) + visits[i + 1 :]


@dataclass
class _Best:
    """The best future from a state within one class of paths: its linear value, length and first step."""

    value: float
    length: int
    choice: Choice | None = None
    child: Key | None = None

    def beats(self, other: _Best | None) -> bool:
        """Higher value wins; on a tie the shorter path; on a full tie the one found first (other)."""
        if other is None:
            return True
        if abs(self.value - other.value) > TIE:
            return self.value > other.value
        return self.length < other.length


def _ranges(
    scenario: ScenarioSpec, graph: _StateGraph
) -> tuple[dict[Key, int], dict[str, tuple[float, float]]]:
    """Complete-path counts per state and each rubric dimension's (min, max) over complete paths."""
    dims = tuple(scenario.rubric)
    count: dict[Key, int] = {}
    low: dict[Key, tuple[float, ...]] = {}
    high: dict[Key, tuple[float, ...]] = {}
    for key in graph.order:
        if scenario.node(key[0]).is_ending:
            count[key] = 1
            low[key] = high[key] = (0.0,) * len(dims)
            continue
        count[key] = 0
        for choice, child in graph.edges.get(key, []):
            if not count.get(child):
                continue
            count[key] += count[child]
            delta = choice.score_map
            lo = tuple(delta.get(d, 0.0) + v for d, v in zip(dims, low[child], strict=True))
            hi = tuple(delta.get(d, 0.0) + v for d, v in zip(dims, high[child], strict=True))
            low[key] = tuple(map(min, low[key], lo)) if key in low else lo
            high[key] = tuple(map(max, high[key], hi)) if key in high else hi
    root = graph.root
    if root is None or not count.get(root):
        return count, dict.fromkeys(dims, (0.0, 0.0))
    return count, {d: (low[root][i], high[root][i]) for i, d in enumerate(dims)}


@dataclass
class _Futures:
    """Per state: the best future without a critical error, with one, and either way; plus counts."""

    clean: dict[Key, _Best] = field(default_factory=dict)
    critical: dict[Key, _Best] = field(default_factory=dict)
    anyway: dict[Key, _Best] = field(default_factory=dict)
    clean_count: dict[Key, int] = field(default_factory=dict)
    endings: dict[Key, dict[str, int]] = field(default_factory=dict)


def _best_futures(
    scenario: ScenarioSpec, graph: _StateGraph, count: dict[Key, int], value: Callable[[Choice], float]
) -> _Futures:
    """Dynamic programming over the explored states, children before parents."""
    futures = _Futures()
    for key in graph.order:
        node = scenario.node(key[0])
        if node.is_ending:
            futures.clean[key] = futures.anyway[key] = _Best(0.0, 0)
            futures.clean_count[key] = 1
            futures.endings[key] = {node.id: 1}
            continue
        futures.clean_count[key] = 0
        endings: dict[str, int] = {}
        for choice, child in graph.edges.get(key, []):
            if not count.get(child):
                continue  # a dead branch: stuck, or cut by the visit bound
            if not choice.critical:
                futures.clean_count[key] += futures.clean_count[child]
            for ending, n in futures.endings[child].items():
                endings[ending] = endings.get(ending, 0) + n
            options = [
                (futures.anyway, futures.anyway.get(child)),
                (futures.critical, futures.anyway[child] if choice.critical else futures.critical.get(child)),
                (futures.clean, None if choice.critical else futures.clean.get(child)),
            ]
            for table, future in options:
                if future is not None:
                    candidate = _Best(value(choice) + future.value, future.length + 1, choice, child)
                    if candidate.beats(table.get(key)):
                        table[key] = candidate
        futures.endings[key] = endings
    return futures


def _expert_path(
    scenario: ScenarioSpec, root: Key, futures: _Futures, constant: float
) -> tuple[tuple[str, ...], float]:
    """The highest capped total from the root and its refs; a full tie goes to the clean route."""
    candidates: list[tuple[float, int, int, dict[Key, _Best]]] = []  # (total, length, clean 0 / 1, table)
    if (best := futures.clean.get(root)) is not None:
        candidates.append((constant + best.value, best.length, 0, futures.clean))
    if (best := futures.critical.get(root)) is not None:
        total = min(scenario.critical_cap, constant + best.value)
        candidates.append((total, best.length, 1, futures.critical))
    if not candidates:
        return (), 0.0
    total, _, _, table = max(candidates, key=lambda c: (round(c[0], 9), -c[1], -c[2]))
    refs: list[str] = []
    key: Key | None = root
    while key is not None and (step := table.get(key)) is not None and step.choice is not None:
        refs.append(step.choice.ref)
        if table is futures.critical and step.choice.critical:
            table = futures.anyway  # the critical error is made: any route on from here
        key = step.child
    return tuple(refs), total


def analyse(scenario: ScenarioSpec) -> Analysis:
    """Count complete paths, each dimension's (min, max) over them, and the highest-scoring path.

    The best path maximises the capped total; ties go to the shorter path, then to a path without a
    critical error, then to the one found first (choices in file order).
    """
    graph = _explore(scenario)
    count, ranges = _ranges(scenario, graph)
    weight = sum(scenario.rubric.values()) or 1.0
    # Each dimension's score is linear in its raw total, so a path's total is a constant plus a sum
    # of per-choice values: the best future from a state does not depend on how it was reached.
    spread = {d: ranges[d][1] - ranges[d][0] for d in scenario.rubric}
    coefficient = {d: w / weight * 100 / spread[d] for d, w in scenario.rubric.items() if spread[d] > 0}
    constant = sum(w / weight * 100 for d, w in scenario.rubric.items() if d not in coefficient)
    constant -= sum(c * ranges[d][0] for d, c in coefficient.items())

    def value(choice: Choice) -> float:
        return sum(coefficient.get(d, 0.0) * delta for d, delta in choice.score)

    futures = _best_futures(scenario, graph, count, value)
    root = graph.root
    if root is None or not count.get(root):
        return Analysis(
            0,
            (),
            FrozenMap(ranges),
            graph.truncated,
            state_count=len(graph.edges),
            offered_refs=frozenset(graph.offered),
            stuck_nodes=frozenset(graph.stuck),
        )
    refs, best_total = _expert_path(scenario, root, futures, constant)
    clean = futures.clean.get(root)
    ending_counts = dict(sorted(futures.endings[root].items()))
    outcomes: dict[str, int] = {}
    for ending, n in ending_counts.items():
        outcome = scenario.node(ending).outcome or "no outcome"
        outcomes[outcome] = outcomes.get(outcome, 0) + n
    return Analysis(
        path_count=count[root],
        max_score_path=refs,
        dimension_ranges=FrozenMap(ranges),
        truncated=graph.truncated,
        max_score=best_total,
        best_clean_score=constant + clean.value if clean is not None else None,
        critical_free_path_count=futures.clean_count[root],
        ending_counts=FrozenMap(ending_counts),
        outcome_counts=FrozenMap(outcomes),
        state_count=len(graph.edges),
        offered_refs=frozenset(graph.offered),
        stuck_nodes=frozenset(graph.stuck),
    )
