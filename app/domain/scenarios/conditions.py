"""A tiny, safe expression language for `if:` lines: comparisons on state joined by and / or.

Grammar (no eval, no attribute access, no calls):

    condition  := conjunction ("or" conjunction)*
    conjunction := comparison ("and" comparison)*
    comparison := VARIABLE OP LITERAL | "(" condition ")"
    OP         := == | != | < | <= | > | >=
    LITERAL    := a number (-2, 0.5) or a word (held, partial-release)

`and` binds tighter than `or`, as in Python. A number variable compares with numbers; a word
variable compares with words and only with == or !=.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Value = int | float | str

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

OPERATORS: dict[str, Callable[[object, object], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

_TOKEN = re.compile(
    r"\s*(?:(?P<op>==|!=|<=|>=|<|>)|(?P<paren>[()])|(?P<number>-?\d+(?:\.\d+)?)(?![\w-])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_-]*)|(?P<bad>\S))"
)


class ConditionError(ValueError):
    """An `if:` line that cannot be parsed; the message says what to write instead."""


def parse_number(text: str) -> int | float:
    """Read an authored number: an int when it has no decimals, else a float."""
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


@dataclass(frozen=True)
class Comparison:
    variable: str
    op: str
    value: Value

    def holds(self, state: Mapping[str, Value]) -> bool:
        return OPERATORS[self.op](state[self.variable], self.value)

    @property
    def variables(self) -> frozenset[str]:
        return frozenset({self.variable})


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Condition, ...]

    def holds(self, state: Mapping[str, Value]) -> bool:
        return all(p.holds(state) for p in self.parts)

    @property
    def variables(self) -> frozenset[str]:
        return frozenset().union(*(p.variables for p in self.parts))


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Condition, ...]

    def holds(self, state: Mapping[str, Value]) -> bool:
        return any(p.holds(state) for p in self.parts)

    @property
    def variables(self) -> frozenset[str]:
        return frozenset().union(*(p.variables for p in self.parts))


Condition = Comparison | AllOf | AnyOf


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is None:  # trailing whitespace
            continue
        value = match.group(kind)
        if kind == "bad":
            hint = " (use == to compare)" if value == "=" else ""
            raise ConditionError(f"unexpected {value!r} in condition{hint}")
        if kind == "word" and value in ("and", "or"):
            kind = value
        tokens.append((kind, value))
    return tokens


class _Parser:
    """Recursive descent over the token list; `variables` maps each name to its type (int or str)."""

    def __init__(self, tokens: list[tuple[str, str]], variables: Mapping[str, type]):
        self.tokens = tokens
        self.pos = 0
        self.variables = variables

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str, what: str) -> str:
        token = self.peek()
        if token is None or token[0] != expected:
            found = "the end of the line" if token is None else repr(token[1])
            raise ConditionError(f"expected {what}, found {found}")
        self.pos += 1
        return token[1]

    def condition(self) -> Condition:
        parts = [self.conjunction()]
        while (token := self.peek()) is not None and token[0] == "or":
            self.pos += 1
            parts.append(self.conjunction())
        return parts[0] if len(parts) == 1 else AnyOf(tuple(parts))

    def conjunction(self) -> Condition:
        parts = [self.comparison()]
        while (token := self.peek()) is not None and token[0] == "and":
            self.pos += 1
            parts.append(self.comparison())
        return parts[0] if len(parts) == 1 else AllOf(tuple(parts))

    def comparison(self) -> Condition:
        token = self.peek()
        if token is not None and token == ("paren", "("):
            self.pos += 1
            inner = self.condition()
            self.take("paren", "')'")
            return inner
        name = self.take("word", "a state variable")
        if name not in self.variables:
            known = ", ".join(sorted(self.variables)) or "none declared"
            raise ConditionError(f"unknown variable {name!r} in condition (state has: {known})")
        op = self.take("op", f"a comparison (== != < <= > >=) after {name!r}")
        token = self.peek()
        if token is None or token[0] not in ("number", "word"):
            found = "the end of the line" if token is None else repr(token[1])
            raise ConditionError(f"expected a number or a word after {name} {op}, found {found}")
        self.pos += 1
        kind, text = token
        if self.variables[name] is str:
            if kind != "word":
                raise ConditionError(f"{name!r} holds a word, so compare it with a word, not {text}")
            if op not in ("==", "!="):
                raise ConditionError(f"{name!r} holds a word: only == and != apply, not {op}")
            return Comparison(name, op, text)
        if kind != "number":
            raise ConditionError(f"{name!r} holds a number, so compare it with a number, not {text!r}")
        return Comparison(name, op, parse_number(text))


def parse_condition(text: str, variables: Mapping[str, type]) -> Condition:
    """Parse an `if:` expression against the declared variables (name -> int or str); raise ConditionError."""
    tokens = _tokenize(text)
    if not tokens:
        raise ConditionError("empty condition")
    parser = _Parser(tokens, variables)
    result = parser.condition()
    if parser.pos != len(tokens):
        raise ConditionError(
            f"unexpected {tokens[parser.pos][1]!r} in condition (join comparisons with and / or)"
        )
    return result
