"""The scenario graph: frozen values produced by the parser and played by the engine."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .conditions import Condition, Value

EXCEPTION_TYPES = (
    "credit-hold",
    "payment-fraud-hold",
    "address-tax-validation",
    "pricing-contract-mismatch",
    "backorder-allocation",
    "atp-ctp-promise",
    "split-partial-shipment",
    "edi-mismatch",
    "retailer-chargeback",
    "duplicate-order",
    "expedite",
    "change-after-release",
    "returns-rma",
    "drop-ship",
    "quality-hold-recall",
    "trade-compliance-hold",
    "lost-freight-claim",
    "mto-cancellation",
    "executive-escalation",
)
FUNCTIONS = (
    "customer-service",
    "sales",
    "credit",
    "finance",
    "warehouse",
    "transportation",
    "planning",
    "production",
    "purchasing",
    "pricing",
    "edi",
    "quality",
    "tax",
    "fraud",
    "supplier",
    "customer",
)
DIMENSIONS = ("accuracy", "resolution_time", "customer_recovery", "coordination", "compliance")
DOMAINS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "D9")
DIFFICULTIES = ("junior", "intermediate", "senior")
CUSTOMER_TIERS = ("strategic", "key", "standard", "small")
OUTCOMES = ("good", "mixed", "bad")
DEFAULT_CRITICAL_CAP = 40.0
# The state variable whose growth is reported as "hours used" against time_budget_hours.
HOURS_VARIABLE = "hours"


class FrozenMap(dict):  # type: ignore[type-arg]
    """A read-only dict: shared scenarios and analyses stay as built, and (unlike MappingProxyType) it
    pickles, so results can be cached across processes."""

    def _read_only(self, *args: object, **kwargs: object) -> None:
        raise TypeError(f"{type(self).__name__} is read-only")

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    clear = pop = popitem = setdefault = update = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict]]:  # type: ignore[type-arg]
        return type(self), (dict(self),)


class NodeKind:
    DECISION = "decision"
    ENDING = "ending"
    WRITE_UP = "write-up"


@dataclass(frozen=True)
class Effect:
    """One state change: `var = value` sets, `var + n` / `var - n` add to a number."""

    variable: str
    op: str  # "=", "+" or "-"
    value: Value

    def apply(self, state: dict[str, Value]) -> None:
        if self.op == "=":
            state[self.variable] = self.value
            return
        current = state[self.variable]
        assert isinstance(current, int | float) and isinstance(self.value, int | float)
        result = current + self.value if self.op == "+" else current - self.value
        # Round away float noise (0.1 + 0.2) so states compare and print cleanly.
        state[self.variable] = int(result) if float(result).is_integer() else round(result, 6)

    def __str__(self) -> str:
        return f"{self.variable} {self.op} {self.value}"


@dataclass(frozen=True)
class Choice:
    """An option at a node. `ref` is `node-id/n` (1-based), or `node-id/next` for a write-up."""

    ref: str
    text: str  # Markdown, one line
    target: str
    effects: tuple[Effect, ...] = ()
    score: tuple[tuple[str, float], ...] = ()  # (dimension, delta) in authored order
    critical: str | None = None
    involves: tuple[str, ...] = ()
    condition_text: str = ""  # the `if:` line as written; "" means always offered
    feedback: str = ""  # Markdown
    condition: Condition | None = field(default=None, compare=False)
    line: int = field(default=0, compare=False)

    def offered_in(self, state: Mapping[str, Value]) -> bool:
        return self.condition is None or self.condition.holds(state)

    def apply(self, state: Mapping[str, Value]) -> dict[str, Value]:
        """The state after taking this choice; the given mapping is not changed."""
        after = dict(state)
        for effect in self.effects:
            effect.apply(after)
        return after

    @property
    def score_map(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for dimension, delta in self.score:
            totals[dimension] = totals.get(dimension, 0) + delta
        return totals


@dataclass(frozen=True)
class RubricItem:
    """One line a trainer grades a write-up against."""

    text: str  # Markdown
    points: float
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Node:
    """A decision, a free-text write-up, or an ending (`kind`), located by its heading line."""

    id: str
    kind: str
    title: str  # Markdown, one line
    body: str  # Markdown narrative (for a write-up: the prompt)
    choices: tuple[Choice, ...] = ()  # a write-up has exactly one, ref `id/next`
    repeatable: bool = False
    outcome: str | None = None  # endings: good | mixed | bad
    kpis: tuple[tuple[str, str], ...] = ()  # endings: (name, value) shown in the debrief
    rubric: tuple[RubricItem, ...] = ()  # write-ups
    line: int = field(default=0, compare=False)

    @property
    def is_ending(self) -> bool:
        return self.kind == NodeKind.ENDING

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(c.target for c in self.choices)


@dataclass(frozen=True)
class Card:
    """A `##` section of the case file, opened beside the narrative."""

    title: str  # Markdown, one line
    body: str  # Markdown
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Fragment:
    """A piece of authored Markdown the app renders at sync; `key` is stable within a version."""

    key: str
    markdown: str
    inline: bool  # one-line text: render without the surrounding <p>


@dataclass(frozen=True)
class ScenarioSpec:
    """A parsed scenario file. Fields marked compare=False (lines, path) do not change its hash."""

    id: str
    title: str
    exception_types: tuple[str, ...]
    domains: tuple[str, ...]
    topics: tuple[str, ...]
    difficulty: str
    order_value: float | None
    customer_tier: str | None
    functions: tuple[str, ...]
    initial_state: Mapping[str, Value]
    rubric: Mapping[str, float]  # dimension -> weight, summing to 100
    pass_mark: float
    critical_cap: float
    time_budget_hours: float | None
    seconds_per_decision: int | None
    allow_back: bool
    start: str
    briefing: str  # Markdown under `# Case file` before the first card
    cards: tuple[Card, ...]
    nodes: tuple[Node, ...]
    path: str = field(default="", compare=False)
    variants: Any = None  # a VariantSpec: parameters drawn per run (see variants.py), or None
    # "id", "rubric.accuracy", "state.hours", ... -> 1-based line, for problems about front matter.
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        # Read-only views, so a shared ScenarioSpec cannot be changed by a caller.
        object.__setattr__(self, "initial_state", FrozenMap(self.initial_state))
        object.__setattr__(self, "rubric", FrozenMap(self.rubric))
        object.__setattr__(self, "lines", FrozenMap(self.lines))
        object.__setattr__(self, "_by_id", {n.id: n for n in reversed(self.nodes)})
        text = json.dumps(_canonical(self), sort_keys=True, separators=(",", ":"), default=str)
        object.__setattr__(self, "_content_hash", hashlib.sha256(text.encode()).hexdigest())

    def __hash__(self) -> int:
        return hash(self.content_hash())

    def node(self, node_id: str) -> Node:
        """The node with this id (the first one if an id is duplicated); KeyError if none."""
        return self._by_id[node_id]  # type: ignore[attr-defined]

    def has_node(self, node_id: str) -> bool:
        return node_id in self._by_id  # type: ignore[attr-defined]

    def line_of(self, key: str, default: int = 1) -> int:
        return self.lines.get(key, default)

    @property
    def endings(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.is_ending)

    def choices(self) -> Iterator[tuple[Node, Choice]]:
        for node in self.nodes:
            for choice in node.choices:
                yield node, choice

    def choice(self, ref: str) -> Choice | None:
        node_id, _, _ = ref.rpartition("/")
        if not self.has_node(node_id):
            return None
        return next((c for c in self.node(node_id).choices if c.ref == ref), None)

    def markdown_fragments(self) -> Iterator[Fragment]:
        """Every piece of authored Markdown, keyed for the app to render once and store.

        Keys: `title`, `briefing`, `card/<n>/title|body` (n 1-based), `node/<id>/title|body`,
        `choice/<ref>/text|feedback|critical`, `rubric/<id>/<n>`.
        """
        yield Fragment("title", self.title, True)
        yield Fragment("briefing", self.briefing, False)
        for n, card in enumerate(self.cards, 1):
            yield Fragment(f"card/{n}/title", card.title, True)
            yield Fragment(f"card/{n}/body", card.body, False)
        for node in self.nodes:
            yield Fragment(f"node/{node.id}/title", node.title, True)
            yield Fragment(f"node/{node.id}/body", node.body, False)
            for choice in node.choices:
                yield Fragment(f"choice/{choice.ref}/text", choice.text, True)
                yield Fragment(f"choice/{choice.ref}/feedback", choice.feedback, False)
                if choice.critical:
                    yield Fragment(f"choice/{choice.ref}/critical", choice.critical, True)
            for n, item in enumerate(node.rubric, 1):
                yield Fragment(f"rubric/{node.id}/{n}", item.text, True)

    def content_hash(self) -> str:
        """SHA-256 of everything a trainee sees or is scored on; line numbers and the path do not count."""
        return self._content_hash  # type: ignore[attr-defined]


def _canonical(value: Any) -> Any:
    """Plain JSON-able data for hashing, skipping compare=False fields (lines, parsed conditions)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _canonical(getattr(value, f.name)) for f in dataclasses.fields(value) if f.compare}
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    return value
