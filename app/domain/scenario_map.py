"""Lay out a scenario's graph for the authoring map: columns by distance from the start, pure geometry.

`scenario_map(scenario, analysis)` places every node in a column by its breadth-first depth from the
start (unreachable nodes in a last column of their own), orders each column by the mean row of the
nodes leading into it, and draws every (node, target) pair once as a curve whose label names the
choices it stands for. Loops (an edge to the same or an earlier column) curve below the boxes.
Flags say what an author must see without relying on colour: `unreachable`, `dead end` (a decision
without choices), `can get stuck` (reached in a state where no choice is offered), `never reached`
(an ending no complete path reaches once conditions apply) and `no such node` (a choice's target is
missing). The maximum-score path from the analysis marks its edges with their step numbers.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from .scenarios import Analysis, Node, NodeKind, ScenarioSpec

BOX_WIDTH = 188
BOX_HEIGHT = 62
COLUMN_GAP = 84
ROW_GAP = 26
MARGIN = 24
HEADER = 28  # room for the column headings
LOOP_DEPTH = 34  # how far below the boxes a loop back to an earlier column dips, at least
TITLE_CHARS = 26
ID_CHARS = 28

MISSING = "missing"


@dataclass(frozen=True)
class MapNode:
    id: str
    kind: str  # decision | write-up | ending | missing (a target no node has)
    label: str  # the title, shortened to fit the box
    title: str  # the whole title as plain text
    caption: str  # first line of the box: kind, outcome and flags, in words
    column: int
    x: float
    y: float
    is_start: bool
    on_best_path: bool
    flags: tuple[str, ...]  # unreachable, dead end, can get stuck, never reached, no such node
    outcome: str | None = None  # endings: good | mixed | bad
    line: int = 0  # the node's heading line (0 for a missing node)
    width: float = BOX_WIDTH
    height: float = BOX_HEIGHT

    @property
    def short_id(self) -> str:
        return _shorten(self.id, ID_CHARS)


@dataclass(frozen=True)
class MapEdge:
    source: str
    target: str
    refs: tuple[str, ...]  # the choices this edge stands for, in file order
    texts: tuple[str, ...]  # their texts, plain
    path: str  # SVG path data
    label: str  # "1", "2, 3", "next", with the max-score steps and "critical" added
    label_x: float
    label_y: float
    best_steps: tuple[int, ...]  # 1-based positions of these refs on the maximum-score path
    critical: bool  # one of the choices is a critical error
    loop: bool  # goes to the same or an earlier column


@dataclass(frozen=True)
class MapColumn:
    heading: str  # "start", "step 1", ..., "unreachable"
    x: float


@dataclass(frozen=True)
class ScenarioMap:
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]
    columns: tuple[MapColumn, ...]
    width: float
    height: float
    best_path: tuple[str, ...]
    max_score: float

    def node(self, node_id: str) -> MapNode:
        return next(n for n in self.nodes if n.id == node_id)

    def flagged(self) -> list[MapNode]:
        return [n for n in self.nodes if n.flags]


def plain(markdown: str) -> str:
    """One line of Markdown as plain text: links keep their text, emphasis and code marks go."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.sub(r"[*_`]+", "", text).strip()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _depths(scenario: ScenarioSpec, nodes: list[Node]) -> tuple[dict[str, int], list[str]]:
    """Breadth-first depth of every reachable node (missing targets included), and the discovery order."""
    targets = {n.id: [c.target for c in n.choices if c.target] for n in nodes}
    depth: dict[str, int] = {}
    order: list[str] = []
    if scenario.has_node(scenario.start):
        depth[scenario.start] = 0
        order.append(scenario.start)
        queue = deque([scenario.start])
        while queue:
            current = queue.popleft()
            for target in targets.get(current, []):
                if target not in depth:
                    depth[target] = depth[current] + 1
                    order.append(target)
                    queue.append(target)
    return depth, order


def _order_columns(columns: list[list[str]], parents: dict[str, list[str]]) -> list[list[str]]:
    """Sort each column by the mean row of its parents in earlier columns (barycentre), stably.

    A node whose parents are all in later columns (or that has none) keeps its discovery position.
    """
    row: dict[str, int] = {}
    ordered: list[list[str]] = []
    for column in columns:
        weights = {}
        for position, node_id in enumerate(column):
            rows = [row[p] for p in parents.get(node_id, []) if p in row]
            weights[node_id] = sum(rows) / len(rows) if rows else float(position)
        placed = sorted(column, key=weights.__getitem__)
        row.update({node_id: i for i, node_id in enumerate(placed)})
        ordered.append(placed)
    return ordered


def scenario_map(scenario: ScenarioSpec, analysis: Analysis | None = None) -> ScenarioMap:
    """The map of a parsed scenario. Pass the analysis to mark the best path and the condition flags."""
    nodes = [n for n in scenario.nodes if scenario.node(n.id) is n]  # a duplicated id plays as its first
    by_id = {n.id: n for n in nodes}
    depth, order = _depths(scenario, nodes)
    unreachable = _unreachable(nodes, by_id, depth)
    step_count = max(depth.values(), default=-1) + 1
    columns = _order_columns(_columns(order, depth, step_count, unreachable), _parents(nodes))
    best_path = tuple(analysis.max_score_path) if analysis else ()
    placed = _place(scenario, columns, by_id, depth, _best_nodes(scenario, best_path), analysis)
    rows = max((len(c) for c in columns), default=0)
    boxes_bottom = MARGIN + HEADER + rows * BOX_HEIGHT + max(rows - 1, 0) * ROW_GAP
    edges = _edges(scenario, nodes, placed, best_path, boxes_bottom)
    lowest = max((e.label_y for e in edges if e.loop), default=0.0)
    height = max(boxes_bottom, lowest + 24) + MARGIN
    width = MARGIN * 2 + len(columns) * BOX_WIDTH + max(len(columns) - 1, 0) * COLUMN_GAP
    headings = (
        ["start"] + [f"step {i}" for i in range(1, step_count)] + (["unreachable"] if unreachable else [])
    )
    return ScenarioMap(
        nodes=tuple(placed[node_id] for column in columns for node_id in column),
        edges=edges,
        columns=tuple(MapColumn(h, _column_x(i)) for i, h in enumerate(headings)),
        width=float(width),
        height=float(height),
        best_path=best_path,
        max_score=analysis.max_score if analysis else 0.0,
    )


def _unreachable(nodes: list[Node], by_id: dict[str, Node], depth: dict[str, int]) -> list[str]:
    """Nodes the start never leads to, then the missing targets only such nodes point at."""
    unreachable = [n.id for n in nodes if n.id not in depth]
    missing_targets = [c.target for n in nodes for c in n.choices if c.target and c.target not in by_id]
    for target in missing_targets:
        if target not in depth and target not in unreachable:
            unreachable.append(target)
    return unreachable


def _columns(
    order: list[str], depth: dict[str, int], step_count: int, unreachable: list[str]
) -> list[list[str]]:
    """One column per step from the start, in discovery order, and a last one for the unreachable."""
    columns: list[list[str]] = [[] for _ in range(step_count)]
    for node_id in order:
        columns[depth[node_id]].append(node_id)
    if unreachable:
        columns.append(unreachable)
    return columns


def _parents(nodes: list[Node]) -> dict[str, list[str]]:
    parents: dict[str, list[str]] = {}
    for n in nodes:
        for c in n.choices:
            parents.setdefault(c.target, []).append(n.id)
    return parents


def _best_nodes(scenario: ScenarioSpec, best_path: tuple[str, ...]) -> set[str]:
    """The start and every node a choice on the best path leads to (nothing without a best path)."""
    best_nodes = {scenario.start} if best_path else set()
    for ref in best_path:
        choice = scenario.choice(ref)
        if choice is not None:
            best_nodes.add(choice.target)
    return best_nodes


def _place(
    scenario: ScenarioSpec,
    columns: list[list[str]],
    by_id: dict[str, Node],
    depth: dict[str, int],
    best_nodes: set[str],
    analysis: Analysis | None,
) -> dict[str, MapNode]:
    """Each node's box: its column's x, its row's y, its flags."""
    placed: dict[str, MapNode] = {}
    for column_index, column in enumerate(columns):
        for row_index, node_id in enumerate(column):
            placed[node_id] = _map_node(
                scenario,
                by_id.get(node_id),
                node_id,
                column_index,
                _column_x(column_index),
                MARGIN + HEADER + row_index * (BOX_HEIGHT + ROW_GAP),
                node_id in best_nodes,
                node_id not in depth,
                analysis,
            )
    return placed


def _column_x(index: int) -> float:
    return float(MARGIN + index * (BOX_WIDTH + COLUMN_GAP))


def _flags(node: Node, unreachable: bool, analysis: Analysis | None) -> list[str]:
    """What is wrong with a node, in the order the caption lists it."""
    flags: list[str] = []
    if unreachable:
        flags.append("unreachable")
    if node.kind == NodeKind.DECISION and not node.choices:
        flags.append("dead end")
    if analysis is None:
        return flags
    if node.id in analysis.stuck_nodes and node.choices:
        flags.append("can get stuck")
    if (
        node.is_ending
        and not unreachable
        and not analysis.truncated
        and node.id not in analysis.endings_reached
    ):
        flags.append("never reached")
    return flags


def _map_node(
    scenario: ScenarioSpec,
    node: Node | None,
    node_id: str,
    column: int,
    x: float,
    y: float,
    on_best_path: bool,
    unreachable: bool,
    analysis: Analysis | None,
) -> MapNode:
    if node is None:
        return MapNode(
            id=node_id,
            kind=MISSING,
            label="(no such node)",
            title=f"no node has the id {node_id}",
            caption="Missing · no such node",
            column=column,
            x=x,
            y=y,
            is_start=False,
            on_best_path=False,
            flags=("no such node",),
        )
    flags = _flags(node, unreachable, analysis)
    kind_word = {NodeKind.DECISION: "Decision", NodeKind.WRITE_UP: "Write-up"}.get(node.kind, "Ending")
    if node.is_ending and node.outcome:
        kind_word = f"Ending: {node.outcome}"
    is_start = node.id == scenario.start
    caption = " · ".join((["Start"] if is_start else []) + [kind_word] + flags)
    title = plain(node.title) or node.id
    return MapNode(
        id=node.id,
        kind=node.kind,
        label=_shorten(title, TITLE_CHARS),
        title=title,
        caption=caption,
        column=column,
        x=x,
        y=y,
        is_start=is_start,
        on_best_path=on_best_path,
        flags=tuple(flags),
        outcome=node.outcome,
        line=node.line,
    )


def _edges(
    scenario: ScenarioSpec,
    nodes: list[Node],
    placed: dict[str, MapNode],
    best_path: tuple[str, ...],
    boxes_bottom: float,
) -> tuple[MapEdge, ...]:
    steps: dict[str, list[int]] = {}
    for step, ref in enumerate(best_path, 1):
        steps.setdefault(ref, []).append(step)
    grouped: dict[tuple[str, str], list] = {}
    for node in nodes:
        for choice in node.choices:
            if choice.target in placed:
                grouped.setdefault((node.id, choice.target), []).append(choice)
    edges = []
    loops_seen = 0
    for (source_id, target_id), choices in grouped.items():
        source, target = placed[source_id], placed[target_id]
        refs = tuple(c.ref for c in choices)
        best_steps = tuple(sorted(s for ref in refs for s in steps.get(ref, [])))
        critical = any(c.critical for c in choices)
        loop = target.column <= source.column
        if loop:
            loops_seen += 1
        path, label_x, label_y = _geometry(source, target, loop, loops_seen, boxes_bottom)
        words = [", ".join(ref.rpartition("/")[2] for ref in refs)]
        if best_steps:
            words.append("★" + ",".join(str(s) for s in best_steps))
        if critical:
            words.append("critical")
        edges.append(
            MapEdge(
                source=source_id,
                target=target_id,
                refs=refs,
                texts=tuple(plain(c.text) for c in choices),
                path=path,
                label=" · ".join(words),
                label_x=label_x,
                label_y=label_y,
                best_steps=best_steps,
                critical=critical,
                loop=loop,
            )
        )
    return tuple(edges)


def _geometry(
    source: MapNode, target: MapNode, loop: bool, loop_number: int, boxes_bottom: float
) -> tuple[str, float, float]:
    """SVG path data and the label position (the curve's midpoint) for one edge."""
    if source.id == target.id:  # a node that leads to itself: a small loop on its right
        x, top, bottom = source.x + source.width, source.y + 14, source.y + source.height - 14
        return (f"M{x:.0f},{top:.0f} C{x + 46:.0f},{top - 18:.0f} {x + 46:.0f},{bottom + 18:.0f} "
                f"{x:.0f},{bottom:.0f}", x + 36, (top + bottom) / 2)  # fmt: skip
    if not loop:
        x1, y1 = source.x + source.width, source.y + source.height / 2
        x2, y2 = target.x, target.y + target.height / 2
        bend = (x2 - x1) / 2
        path = f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 - bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}"
        return path, (x1 + x2) / 2, (y1 + y2) / 2
    # Back to the same or an earlier column: leave from the bottom, pass below every box (behind the
    # boxes in between), come up into the target; successive loops dip to different depths.
    x1, y1 = source.x + source.width / 2 + 12, source.y + source.height
    x2, y2 = target.x + target.width / 2 - 12, target.y + target.height
    dip = boxes_bottom + LOOP_DEPTH + 14 * (loop_number % 4)
    path = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{dip:.0f} {x2:.0f},{dip:.0f} {x2:.0f},{y2:.0f}"
    return path, (x1 + x2) / 2, (y1 + y2) / 8 + dip * 0.75
