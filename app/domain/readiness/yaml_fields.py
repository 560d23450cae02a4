"""Typed reading of a YAML mapping node that reports each problem at the line it is on.

The policy linter reads YAML as nodes (`yaml.compose`), not as plain values, so every problem can point
at `path:line`. A `Fields` wraps one mapping; each getter checks one key and returns its value, or None
after recording a Problem. `unknown_keys()` reports keys nobody asked for (usually a typo).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import yaml

from app.domain.problems import Problem, Severity


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class Fields:
    """One YAML mapping: `where` names it in messages ("exam", "dimensions.coordination")."""

    def __init__(self, node: yaml.MappingNode, where: str, path: str, problems: list[Problem], line: int):
        self.node = node
        self.where = where
        self.path = path
        self.problems = problems
        self.line = line  # where the mapping is named: its key's line, or 1 for the whole file
        self.values: dict[str, yaml.Node] = {}
        self.key_lines: dict[str, int] = {}
        self.used: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in self.values:
                self.error(line_of(key_node), f"`{self.name(key)}` is given twice; keep one")
            self.values[key] = value_node
            self.key_lines[key] = line_of(key_node)

    @classmethod
    def of(cls, node: yaml.Node, where: str, path: str, problems: list[Problem], line: int) -> Fields | None:
        """`node` as Fields, or None after reporting that it is not a mapping."""
        if isinstance(node, yaml.MappingNode):
            return cls(node, where, path, problems, line)
        what = f"`{where}`" if where else "the file"
        problems.append(Problem(path, line, f"{what} must be a mapping of settings (`key: value` lines)"))
        return None

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def warning(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, Severity.WARNING))

    def line_for(self, key: str) -> int:
        node = self.values.get(key)
        return line_of(node) if node is not None else self.line

    def has(self, key: str) -> bool:
        return key in self.values

    def _take(self, key: str, required: bool) -> yaml.Node | None:
        self.used.add(key)
        node = self.values.get(key)
        if node is None and required:
            self.error(self.line, f"`{self.name(key)}` is missing")
        return node

    def section(self, key: str, required: bool = True) -> Fields | None:
        node = self._take(key, required)
        if node is None:
            return None
        return Fields.of(node, self.name(key), self.path, self.problems, self.key_lines[key])

    def number(
        self,
        key: str,
        low: float,
        high: float,
        integer: bool = False,
        required: bool = True,
        default: Any = None,
    ) -> Any:
        """A number in [low, high] (an int if `integer`)."""
        node = self._take(key, required)
        if node is None:
            return default
        kind = "a whole number" if integer else "a number"
        value = _scalar(node)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (integer and not isinstance(value, int))
        ):
            self.error(line_of(node), f"`{self.name(key)}` must be {kind} from {low:g} to {high:g}")
            return None
        if not low <= value <= high:
            self.error(line_of(node), f"`{self.name(key)}` is {value:g}; it must be from {low:g} to {high:g}")
            return None
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        node = self._take(key, required=False)
        if node is None:
            return default
        value = _scalar(node)
        if not isinstance(value, bool):
            self.error(line_of(node), f"`{self.name(key)}` must be true or false")
            return default
        return value

    def words(
        self, key: str, allowed: Collection[str] | None, what: str, required: bool = True
    ) -> tuple[str, ...]:
        """A non-empty list of distinct words, each in `allowed` (any word when None)."""
        node = self._take(key, required)
        if node is None:
            return ()
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.error(line_of(node), f"`{self.name(key)}` must be a list such as [a, b]")
            return ()
        words: list[str] = []
        for item in node.value:
            word = _scalar(item)
            if not isinstance(word, str) or not word:
                self.error(line_of(item), f"`{self.name(key)}`: {word!r} is not a {what}")
            elif allowed is not None and word not in allowed:
                self.error(
                    line_of(item),
                    f"`{self.name(key)}`: unknown {what} `{word}`; use one of {', '.join(allowed)}",
                )
            elif word in words:
                self.error(line_of(item), f"`{self.name(key)}`: `{word}` is listed twice")
            else:
                words.append(word)
        return tuple(words)

    def unknown_keys(self, hint: Collection[str] = ()) -> None:
        for key, line in self.key_lines.items():
            if key not in self.used:
                known = ", ".join(sorted(hint or self.used))
                self.error(line, f"unknown setting `{self.name(key)}`; expected one of {known}")


def _scalar(node: yaml.Node) -> Any:
    """The Python value of a scalar node (None for a sequence or mapping)."""
    if not isinstance(node, yaml.ScalarNode):
        return None
    return yaml.SafeLoader("").construct_object(node, deep=True)  # type: ignore[no-untyped-call]
