"""Scenario variants: parameters drawn per run, derived figures, and constraints that keep the case sound.

Front matter (all optional):

    variants:
      parameters:
        drives: [24, 36]                      # a whole number from 24 to 36
        unit_price: [3380.00, 3580.00, 20]    # from 3380 to 3580 in steps of 20
        buyer: {one_of: [Ilse Varga, Maren Holt]}
      derived:
        line_total: drives * unit_price       # arithmetic over parameters and earlier derived figures
      constraints:
        - line_total > 90000                  # must hold in every variant

Text anywhere in the file uses `{{name}}` (numbers with thousands separators, decimals kept to two places)
or `{{name:$}}` (money: $1,234.56). Rules:
- Expressions are parsed, never evaluated as Python: numbers, names, + - * / // %, parentheses,
  comparisons, and/or/not, and round(x[, n]), min(...), max(...), abs(x).
- A run draws one variant from its own seed, so a resumed run keeps its figures.
- The checker draws `SAMPLES` variants from fixed seeds; a constraint false in any is an error naming the
  variant. Variants change only text, never the graph, effects or scores, so the expert path, its
  maximum score and the absence of dead ends hold for every variant once they hold for the file.
"""

from __future__ import annotations

import ast
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

SAMPLES = 200
REDRAWS = 50
PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*(?::\s*([$]))?\s*\}\}")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")
_FUNCTIONS = {"round": round, "min": min, "max": max, "abs": abs}
_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: a // b,
    ast.Mod: lambda a, b: a % b,
}
_COMPARE = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}

Value = int | float | str


class VariantError(ValueError):
    """A parameter, expression or constraint that cannot be used; the message says what to change."""


@dataclass(frozen=True)
class Parameter:
    name: str
    low: float | None = None
    high: float | None = None
    step: float | None = None  # None for a whole-number range
    choices: tuple[Value, ...] = ()
    line: int = 0

    def draw(self, rng: random.Random) -> Value:
        if self.choices:
            return rng.choice(self.choices)
        assert self.low is not None and self.high is not None
        if self.step is None:
            return rng.randint(int(self.low), int(self.high))
        steps = int(round((self.high - self.low) / self.step))
        value = Decimal(str(self.low)) + Decimal(str(self.step)) * rng.randint(0, steps)
        return float(value)


@dataclass(frozen=True)
class VariantSpec:
    parameters: tuple[Parameter, ...]
    derived: tuple[tuple[str, str, int], ...] = ()  # (name, expression, line)
    constraints: tuple[tuple[str, int], ...] = ()  # (expression, line)
    names: frozenset[str] = field(default=frozenset())

    def draw(self, seed: str) -> dict[str, Value]:
        """One variant: parameters from `seed`, then the derived figures in order. A draw that breaks a
        constraint is drawn again from the same seed's sequence (the checker's samples make that rare), so
        a run never meets figures its author ruled out."""
        rng = random.Random(f"variant:{seed}")
        for _ in range(REDRAWS):
            values = self._values(rng)
            if all(evaluate(expression, values) for expression, _ in self.constraints):
                return values
        return values  # the checker reports a spec whose constraints almost never hold

    def _values(self, rng: random.Random) -> dict[str, Value]:
        values: dict[str, Value] = {p.name: p.draw(rng) for p in self.parameters}
        for name, expression, _ in self.derived:
            values[name] = evaluate(expression, values)
        return values


def parse_spec(
    data: object, line_of: Mapping[str, int], first_line: int
) -> tuple[VariantSpec | None, list[tuple[int, str]]]:
    """The `variants:` front-matter value; problems as (line, message)."""
    problems: list[tuple[int, str]] = []
    if not isinstance(data, dict):
        return None, [
            (line_of.get("variants", first_line), "variants must hold parameters, derived and constraints")
        ]
    for key in data:
        if key not in ("parameters", "derived", "constraints"):
            problems.append(
                (
                    line_of.get(f"variants.{key}", first_line),
                    f"unknown variants key {key!r}: use parameters, derived, constraints",
                )
            )
    parameters = []
    for name, raw in (data.get("parameters") or {}).items():
        line = line_of.get(f"variants.parameters.{name}", first_line)
        try:
            parameters.append(_parameter(str(name), raw, line))
        except VariantError as exc:
            problems.append((line, str(exc)))
    names = {p.name for p in parameters}
    derived = []
    for name, expression in (data.get("derived") or {}).items():
        line = line_of.get(f"variants.derived.{name}", first_line)
        if not _NAME.fullmatch(str(name)) or name in names:
            problems.append((line, f"derived figure {name!r} needs a new lowercase name"))
            continue
        try:
            _check(str(expression), names)
        except VariantError as exc:
            problems.append((line, f"derived {name}: {exc}"))
            continue
        derived.append((str(name), str(expression), line))
        names.add(str(name))
    constraints = []
    for index, expression in enumerate(data.get("constraints") or []):
        line = line_of.get(f"variants.constraints.{index}", first_line)
        try:
            _check(str(expression), names)
        except VariantError as exc:
            problems.append((line, f"constraint: {exc}"))
            continue
        constraints.append((str(expression), line))
    if problems:
        return None, problems
    return VariantSpec(tuple(parameters), tuple(derived), tuple(constraints), frozenset(names)), []


def _parameter(name: str, raw: object, line: int) -> Parameter:
    if not _NAME.fullmatch(name):
        raise VariantError(f"parameter {name!r} must be a lowercase name like unit_price")
    if isinstance(raw, dict) and set(raw) == {"one_of"} and isinstance(raw["one_of"], list) and raw["one_of"]:
        choices = tuple(raw["one_of"])
        if not all(isinstance(c, str | int | float) and not isinstance(c, bool) for c in choices):
            raise VariantError(f"parameter {name}: one_of lists words or numbers")
        return Parameter(name, choices=choices, line=line)
    if isinstance(raw, list) and len(raw) in (2, 3) and all(_number(v) for v in raw):
        low, high = float(raw[0]), float(raw[1])
        if low > high:
            raise VariantError(f"parameter {name}: the range [{raw[0]}, {raw[1]}] runs backwards")
        if len(raw) == 2:
            if not all(isinstance(v, int) for v in raw):
                raise VariantError(
                    f"parameter {name}: a two-number range is whole numbers; add a step for decimals"
                )
            return Parameter(name, low, high, line=line)
        if raw[2] <= 0:
            raise VariantError(f"parameter {name}: the step must be above 0")
        return Parameter(name, low, high, float(raw[2]), line=line)
    raise VariantError(
        f"parameter {name} must be [low, high], [low, high, step] or {{one_of: [...]}}, not {raw!r}"
    )


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check(expression: str, names: set[str]) -> None:
    tree = _parse(expression)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in names and node.id not in _FUNCTIONS:
            raise VariantError(f"{node.id!r} is not a parameter or an earlier derived figure")


def _parse(expression: str) -> ast.Expression:
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except SyntaxError:
        raise VariantError(f"cannot read {expression!r} as an expression") from None
    allowed = (
        ast.Expression,
        ast.BinOp,
        ast.UnaryOp,
        ast.Compare,
        ast.BoolOp,
        ast.Name,
        ast.Constant,
        ast.Call,
        ast.Load,
        ast.USub,
        ast.UAdd,
        ast.Not,
        ast.And,
        ast.Or,
        *_BINARY,
        *_COMPARE,
    )
    for node in ast.walk(tree):
        if not isinstance(node, allowed):
            raise VariantError(f"{expression!r} uses something other than arithmetic and comparisons")
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
        ):
            raise VariantError(f"{expression!r} calls something other than round, min, max or abs")
        if isinstance(node, ast.Constant) and not _number(node.value):
            raise VariantError(f"{expression!r}: only numbers may be written in an expression")
    return tree


def evaluate(expression: str, values: Mapping[str, Value]) -> Value:
    """The value of an expression over `values` (see the module rules)."""
    return _eval(_parse(expression).body, values)


def _eval(node: ast.AST, values: Mapping[str, Value]):  # noqa: C901 - one branch per node kind
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise VariantError(f"{node.id!r} has no value")
        return values[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, values), _eval(node.right, values))
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return (
            -operand
            if isinstance(node.op, ast.USub)
            else (+operand if isinstance(node.op, ast.UAdd) else not operand)
        )
    if isinstance(node, ast.BoolOp):
        results = [_eval(v, values) for v in node.values]
        return all(results) if isinstance(node.op, ast.And) else any(results)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, values)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, values)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Call):
        return _FUNCTIONS[node.func.id](*[_eval(a, values) for a in node.args])  # type: ignore[attr-defined]
    raise VariantError("unsupported expression")


def check_samples(spec: VariantSpec, samples: int = SAMPLES) -> list[tuple[int, str]]:
    """Constraints over `samples` variants from fixed seeds: (line, message) for the first failure of each."""
    problems, failed = [], set()
    for n in range(samples):
        try:
            values = spec._values(random.Random(f"variant:check-{n}"))
        except (VariantError, ZeroDivisionError, TypeError) as exc:
            return [(spec.derived[0][2] if spec.derived else 1, f"variant {n} cannot be computed: {exc}")]
        for expression, line in spec.constraints:
            if line not in failed and not evaluate(expression, values):
                failed.add(line)
                shown = ", ".join(f"{k}={format_value(v)}" for k, v in values.items())
                problems.append((line, f"constraint `{expression}` fails in variant {n} ({shown})"))
    return problems


def format_value(value: Value, style: str | None = None) -> str:
    """How a figure reads in the case file: 1,234 / 1,234.56 / $1,234.56 / words as they are."""
    if isinstance(value, str):
        return value
    if style == "$":
        return f"${value:,.2f}"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}"


def label_placeholders(text: str) -> str:
    """For pages about every run at once (statistics, queues): `{{unit_price}}` reads ‹unit price›."""
    return PLACEHOLDER.sub(lambda m: "\u2039" + m.group(1).replace("_", " ") + "\u203a", text)


def placeholders(text: str) -> list[str]:
    return [m.group(1) for m in PLACEHOLDER.finditer(text)]


def fill(text: str, values: Mapping[str, Value], escape=lambda s: s) -> str:
    """Replace every `{{name}}` / `{{name:$}}` with its formatted value (`escape` for HTML)."""
    if not values:
        return text
    return PLACEHOLDER.sub(
        lambda m: (
            escape(format_value(values[m.group(1)], m.group(2))) if m.group(1) in values else m.group(0)
        ),
        text,
    )
