"""Read and check a scenario's YAML front matter, reporting each problem at its own line."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..problems import Problem
from .conditions import VARIABLE, WORD, Value
from .model import (
    CUSTOMER_TIERS,
    DEFAULT_CRITICAL_CAP,
    DIFFICULTIES,
    DIMENSIONS,
    DOMAINS,
    EXCEPTION_TYPES,
    FUNCTIONS,
)
from .variants import VariantSpec, parse_spec

KEBAB = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
REQUIRED = ("id", "title", "exception_types", "domains", "difficulty", "rubric", "pass_mark")
OPTIONAL = (
    "topics",
    "order_value",
    "customer_tier",
    "functions",
    "state",
    "critical_cap",
    "time_budget_hours",
    "seconds_per_decision",
    "allow_back",
    "start",
    "variants",
)
RESERVED_WORDS = ("and", "or")


@dataclass
class Meta:
    """Checked front-matter values; a bad value is reported and replaced by a harmless default."""

    id: str = ""
    title: str = ""
    exception_types: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    difficulty: str = ""
    order_value: float | None = None
    customer_tier: str | None = None
    functions: tuple[str, ...] = ()
    state: dict[str, Value] = field(default_factory=dict)
    rubric: dict[str, float] = field(default_factory=dict)
    pass_mark: float = 0.0
    critical_cap: float = DEFAULT_CRITICAL_CAP
    time_budget_hours: float | None = None
    seconds_per_decision: int | None = None
    allow_back: bool = False
    start: str | None = None
    variants: VariantSpec | None = None
    lines: dict[str, int] = field(default_factory=dict)


def split_front_matter(lines: list[str]) -> tuple[int, int] | None:
    """(first, end) indexes of the YAML lines between the `---` fences, or None when there is none."""
    if not lines or lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return 1, index
    return None


def _record_lines(node: yaml.Node, prefix: str, first_line: int, lines: dict[str, int]) -> None:
    """Map `key`, `key.sub` and `key.0` to 1-based file lines (first_line = file line of YAML line 0)."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            name = f"{prefix}{key_node.value}" if isinstance(key_node, yaml.ScalarNode) else prefix + "?"
            lines.setdefault(name, key_node.start_mark.line + first_line)
            _record_lines(value_node, name + ".", first_line, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault(f"{prefix}{index}", item.start_mark.line + first_line)


def _duplicate_keys(node: yaml.Node, first_line: int) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    found.append((key_node.start_mark.line + first_line, f"duplicate key {key_node.value!r}"))
                seen.add(key_node.value)
            found.extend(_duplicate_keys(value_node, first_line))
    return found


def load_yaml(text: str, first_line: int) -> tuple[Any, dict[str, int], list[tuple[int, str]]]:
    """Parse YAML safely: (data, key lines, [(line, message)]); data is None when it failed."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else first_line
        return None, {}, [(line, f"front matter is not valid YAML: {exc.problem or exc.context}")]
    except Exception as exc:  # any other YAML or recursion failure on hostile input must not escape
        return None, {}, [(first_line, f"front matter is not valid YAML: {exc}")]
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if node is not None:
        _record_lines(node, "", first_line, lines)
    return data, lines, _duplicate_keys(node, first_line) if node is not None else []


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Checker:
    def __init__(self, path: str, data: dict[Any, Any], lines: dict[str, int], first_line: int):
        self.path = path
        self.data = data
        self.lines = lines
        self.first_line = first_line
        self.problems: list[Problem] = []

    def line(self, key: str) -> int:
        return self.lines.get(key, self.lines.get(key.split(".")[0], self.first_line))

    def error(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.path, self.line(key), message))

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(key, f"{key} must be text, not {value!r}")
            return None
        return value.strip()

    def choice(self, key: str, allowed: tuple[str, ...]) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if value not in allowed:
            self.error(key, f"unknown {key.replace('_', ' ')} {value!r}; use one of: {', '.join(allowed)}")
            return None
        return str(value)

    def word_list(self, key: str, allowed: tuple[str, ...] | None, what: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.error(key, f"{key} must be a list like [a, b], not {value!r}")
            return ()
        kept: list[str] = []
        for index, item in enumerate(items):
            if allowed is not None and item not in allowed:
                self.error(f"{key}.{index}", f"unknown {what} {item!r}; use one of: {', '.join(allowed)}")
            elif allowed is None and not (isinstance(item, str) and KEBAB.fullmatch(item)):
                self.error(f"{key}.{index}", f"{what} {item!r} must be lowercase kebab-case")
            elif item in kept:
                self.error(f"{key}.{index}", f"{what} {item!r} is listed twice")
            else:
                kept.append(str(item))
        return tuple(kept)

    def number(self, key: str, low: float, high: float, *, integer: bool = False) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not _is_number(value) or (integer and not isinstance(value, int)):
            kind = "a whole number" if integer else "a number"
            self.error(key, f"{key} must be {kind}, not {value!r}")
            return None
        if not low <= value <= high:
            self.error(key, f"{key} must be between {low:g} and {high:g}, not {value:g}")
            return None
        return value

    def state(self) -> dict[str, Value]:
        value = self.data.get("state")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error("state", "state must be a mapping of variable: initial value")
            return {}
        state: dict[str, Value] = {}
        for name, initial in value.items():
            key = f"state.{name}"
            if not (isinstance(name, str) and VARIABLE.fullmatch(name)) or name in RESERVED_WORDS:
                self.error(key, f"state variable {name!r} must be a plain name like hold_status")
            elif isinstance(initial, bool):
                self.error(
                    key, f"state {name}: YAML reads {initial!r} as true/false; quote a word or use 0/1"
                )
            elif _is_number(initial) or isinstance(initial, str) and WORD.fullmatch(initial):
                state[name] = initial
            else:
                self.error(
                    key,
                    f"state {name} must start as a number or one word (letters, digits, - and _), "
                    f"not {initial!r}",
                )
        return state

    def rubric(self) -> dict[str, float]:
        value = self.data.get("rubric")
        if value is None:
            return {}
        if not isinstance(value, dict) or not value:
            self.error("rubric", "rubric must map dimensions to weights, e.g. accuracy: 30")
            return {}
        rubric: dict[str, float] = {}
        for name, weight in value.items():
            key = f"rubric.{name}"
            if name not in DIMENSIONS:
                self.error(key, f"unknown rubric dimension {name!r}; use one of: {', '.join(DIMENSIONS)}")
            elif not _is_number(weight) or weight < 0:
                self.error(key, f"rubric weight for {name} must be a number 0-100, not {weight!r}")
            else:
                rubric[name] = weight
        total = sum(rubric.values())
        if len(rubric) == len(value) and abs(total - 100) > 1e-9:
            self.error("rubric", f"rubric weights must sum to 100, not {total:g}")
        return rubric


def check_meta(path: str, data: Any, lines: dict[str, int], first_line: int) -> tuple[Meta, list[Problem]]:
    """Check the front-matter mapping; every wrong value is reported at its line and dropped."""
    if not isinstance(data, dict):
        problem = Problem(path, first_line, "front matter must be a YAML mapping (key: value lines)")
        return Meta(lines=lines), [problem]
    check = _Checker(path, data, lines, first_line)
    for key in data:
        if key not in REQUIRED + OPTIONAL:
            check.error(str(key), f"unknown front-matter key {key!r}")
    for key in REQUIRED:
        if key not in data:
            check.problems.append(Problem(path, first_line - 1, f"front matter is missing {key!r}"))
    meta = Meta(lines=lines)
    meta.id = check.text("id") or ""
    if meta.id and not (KEBAB.fullmatch(meta.id) and len(meta.id) <= 80):
        check.error("id", f"id {meta.id!r} must be lowercase kebab-case, at most 80 characters")
    meta.title = check.text("title") or ""
    meta.exception_types = check.word_list("exception_types", EXCEPTION_TYPES, "exception type")
    meta.domains = check.word_list("domains", DOMAINS, "domain")
    meta.topics = check.word_list("topics", None, "topic")
    meta.functions = check.word_list("functions", FUNCTIONS, "function")
    for key in ("exception_types", "domains"):
        if key in data and not data[key]:
            check.error(key, f"{key} needs at least one entry")
    meta.difficulty = check.choice("difficulty", DIFFICULTIES) or ""
    meta.customer_tier = check.choice("customer_tier", CUSTOMER_TIERS)
    meta.order_value = check.number("order_value", 0, 1e12)
    meta.state = check.state()
    meta.rubric = check.rubric()
    meta.pass_mark = check.number("pass_mark", 0, 100) or 0.0
    cap = check.number("critical_cap", 0, 100)
    meta.critical_cap = DEFAULT_CRITICAL_CAP if cap is None else cap
    meta.time_budget_hours = check.number("time_budget_hours", 0, 10_000)
    seconds = check.number("seconds_per_decision", 1, 86_400, integer=True)
    meta.seconds_per_decision = int(seconds) if seconds is not None else None
    allow_back = data.get("allow_back", False)
    if not isinstance(allow_back, bool):
        check.error("allow_back", f"allow_back must be true or false, not {allow_back!r}")
    meta.allow_back = allow_back is True
    meta.start = check.text("start")
    if "variants" in data:
        meta.variants, variant_problems = parse_spec(data["variants"], lines, first_line)
        check.problems += [Problem(path, line, message) for line, message in variant_problems]
    return meta, check.problems


def variable_types(state: dict[str, Value]) -> dict[str, type]:
    """Each variable's type for checking effects and conditions: str for words, float for numbers."""
    return {name: str if isinstance(value, str) else float for name, value in state.items()}
