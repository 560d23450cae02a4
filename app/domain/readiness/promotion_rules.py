"""The promotion policy (content/policy/promotion.yaml): every threshold readiness applies, and its linter.

The six readiness dimensions are fixed (docs/domain.md); the policy says, for each, what evidence measures
it (one source), how much evidence is enough, and the scores for `developing` and `senior-ready`
(below `developing` is `junior`). Sources:
- `domains: [D1, ...]`: the lowest domain mastery among these domains (knowledge);
- `scenario_scores: [accuracy, ...]`: the rolling scenario score of these rubric dimensions;
- `item_domains` / `numeric_items` / `item_topics`: mastery on the questions selected by domain, by being
  numeric, or by topic (any match).
Mastery is the expected percent correct on the selected bank items at the trainee's estimated ability.

`parse_promotion_rules(text, path)` returns (rules, problems); the rules are None when any problem is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import yaml

from app.domain.problems import Problem
from app.domain.questions import DOMAINS
from app.domain.scenarios.model import DIMENSIONS as RUBRIC_DIMENSIONS
from app.domain.scenarios.model import EXCEPTION_TYPES

from .yaml_fields import Fields

DIMENSION_NAMES = (
    "knowledge",
    "exception_judgement",
    "coordination",
    "metrics_literacy",
    "customer_recovery",
    "root_cause",
)
CERTAINTY_LEVELS = ("low", "medium", "high")
ITEM_SELECTORS = ("item_domains", "numeric_items", "item_topics")


class Level(StrEnum):
    JUNIOR = "junior"
    DEVELOPING = "developing"
    SENIOR_READY = "senior-ready"


@dataclass(frozen=True)
class DimensionRule:
    """How one readiness dimension is measured and judged. Exactly one source is set."""

    name: str
    developing: float
    senior: float
    domains: tuple[str, ...] = ()
    scenario_scores: tuple[str, ...] = ()
    unaided_only: bool = False
    item_domains: tuple[str, ...] = ()
    numeric_items: bool = False
    item_topics: tuple[str, ...] = ()
    min_runs: int = 0
    min_items: int = 0

    @property
    def source(self) -> str:
        """ "domains", "scenarios" or "items"."""
        if self.domains:
            return "domains"
        return "scenarios" if self.scenario_scores else "items"

    def level(self, score: float) -> Level:
        if score >= self.senior:
            return Level.SENIOR_READY
        return Level.DEVELOPING if score >= self.developing else Level.JUNIOR


@dataclass(frozen=True)
class InterventionRules:
    """When the trainer's intervention queue lists a trainee (app/domain/interventions.py)."""

    stalled_days: int = 7
    pass_drop: float = 0.05
    critical_errors: int = 2
    overconfidence: float = 0.15
    handled_days: int = 7  # a flag a trainer marked handled stays out of the queue this long


@dataclass(frozen=True)
class PromotionRules:
    half_life_days: float
    items_per_domain: int
    scenario_runs: int
    pass_mark: float
    ready_probability: float
    almost_probability: float
    score_interval: float
    dimensions: tuple[DimensionRule, ...]
    at_senior: tuple[str, ...]
    scenario_window: int
    exception_types: int
    senior_difficulty: int
    no_critical_in_last: int
    almost_max_unmet: int
    stated_confidence: Mapping[str, float] = field(default_factory=dict)
    confidence_flag_at: float = 0.15
    check_length: int = 80  # items on a promotion check (a blueprint form of this length)
    check_min_accuracy: float = 0.90  # a check result decides only when classification accuracy reaches this
    check_required: bool = True  # Ready needs a decisive, passed promotion check
    interventions: InterventionRules = InterventionRules()

    def __post_init__(self) -> None:
        object.__setattr__(self, "stated_confidence", MappingProxyType(dict(self.stated_confidence)))

    def dimension(self, name: str) -> DimensionRule:
        return next(d for d in self.dimensions if d.name == name)


def parse_promotion_rules(text: str, path: str) -> tuple[PromotionRules | None, list[Problem]]:
    """Read and check a promotion policy; problems carry `path` and the 1-based line they are on."""
    problems: list[Problem] = []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(exc, path)]
    if root is None:
        return None, [Problem(path, 1, "the policy is empty")]
    top = Fields.of(root, "", path, problems, 1)
    if top is None:
        return None, problems
    policy = _read(top)
    top.unknown_keys()
    problems.sort()
    if any(p.is_error for p in problems):
        return None, problems
    return policy, problems


def _yaml_problem(exc: yaml.YAMLError, path: str) -> Problem:
    """A syntax error at the line PyYAML stopped on, naming the construct it was reading."""
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    message = f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None:
        message += f" ({context} started on line {context_mark.line + 1})"
    return Problem(path, line, message)


def _read(top: Fields) -> PromotionRules | None:
    """Every section in file order of the documentation; None when anything is missing or wrong (each
    problem is reported on the Fields as it is found)."""
    sections = {
        key: top.section(key)
        for key in ("evidence", "exam", "dimensions", "senior_ready", "scenarios", "almost", "confidence")
    }
    values: dict[str, object] = {}
    if evidence := sections["evidence"]:
        values.update(_read_evidence(evidence))
    if exam := sections["exam"]:
        values.update(_read_exam(exam))
    if scenarios := sections["scenarios"]:
        values.update(_read_scenarios(scenarios))
    rules: tuple[DimensionRule | None, ...] = ()
    if dims := sections["dimensions"]:
        window = values.get("scenario_window")
        rules = tuple(_read_dimension(dims, name, window) for name in DIMENSION_NAMES)  # type: ignore[arg-type]
        dims.unknown_keys(DIMENSION_NAMES)
    if senior_ready := sections["senior_ready"]:
        values["at_senior"] = senior_ready.words("at_senior", DIMENSION_NAMES, "dimension")
        senior_ready.unknown_keys()
    if almost := sections["almost"]:
        values["almost_max_unmet"] = almost.number("max_unmet", 0, 50, integer=True)
        almost.unknown_keys()
    if confidence := sections["confidence"]:
        values["stated_confidence"] = _read_stated(confidence)
        values["confidence_flag_at"] = confidence.number("flag_at", 0.01, 1)
        confidence.unknown_keys()
    if check := top.section("promotion_check", required=False):
        values.update(_read_promotion_check(check))
    if queue := top.section("interventions", required=False):
        interventions = _read_interventions(queue)
        if interventions is None:
            return None
        values["interventions"] = interventions
    if None in sections.values() or None in rules or any(v is None for v in values.values()):
        return None
    return PromotionRules(dimensions=tuple(r for r in rules if r is not None), **values)  # type: ignore[arg-type]


def _read_evidence(evidence: Fields) -> dict[str, object]:
    values = {
        "half_life_days": evidence.number("half_life_days", 1, 3650),
        "items_per_domain": evidence.number("items_per_domain", 1, 1000, integer=True),
        "scenario_runs": evidence.number("scenario_runs", 0, 1000, integer=True),
    }
    evidence.unknown_keys()
    return values


def _read_exam(exam: Fields) -> dict[str, object]:
    """The exam section; `almost_probability` may not be above `ready_probability`."""
    values: dict[str, object] = {"pass_mark": exam.number("pass_mark", 0.01, 0.99)}
    values["ready_probability"] = ready = exam.number("ready_probability", 0.5, 0.999)
    values["almost_probability"] = almost_p = exam.number("almost_probability", 0.01, 0.999)
    values["score_interval"] = exam.number("score_interval", 0.5, 0.99)
    if ready is not None and almost_p is not None and almost_p > ready:
        exam.error(
            exam.line_for("almost_probability"),
            f"`exam.almost_probability` ({almost_p:g}) is above `exam.ready_probability` ({ready:g})",
        )
    exam.unknown_keys()
    return values


def _read_scenarios(scenarios: Fields) -> dict[str, object]:
    values = {
        "scenario_window": scenarios.number("window", 1, 100, integer=True),
        "exception_types": scenarios.number("exception_types", 0, len(EXCEPTION_TYPES), integer=True),
        "senior_difficulty": scenarios.number("senior_difficulty", 0, 100, integer=True),
        "no_critical_in_last": scenarios.number("no_critical_in_last", 0, 100, integer=True),
    }
    scenarios.unknown_keys()
    return values


def _read_promotion_check(check: Fields) -> dict[str, object]:
    values = {
        "check_length": check.number("length", 10, 300, integer=True),
        "check_min_accuracy": check.number("min_accuracy", 0.5, 0.999),
        "check_required": check.flag("required", default=True),
    }
    check.unknown_keys()
    return values


def _read_interventions(queue: Fields) -> InterventionRules | None:
    rules_read = {
        "stalled_days": queue.number("stalled_days", 1, 365, integer=True),
        "pass_drop": queue.number("pass_drop", 0.01, 1),
        "critical_errors": queue.number("critical_errors", 1, 100, integer=True),
        "overconfidence": queue.number("overconfidence", 0.01, 1),
        "handled_days": queue.number("handled_days", 1, 90, integer=True, required=False, default=7),
    }
    queue.unknown_keys()
    if None in rules_read.values():
        return None
    return InterventionRules(**rules_read)  # type: ignore[arg-type]


def _read_dimension(dims: Fields, name: str, window: int | None) -> DimensionRule | None:
    """One dimension: its two levels and exactly one source of evidence."""
    f = dims.section(name)
    if f is None:
        return None
    developing, senior = _read_levels(f)
    source = _read_source_kind(f)
    if source is None:
        return None
    if source == "domains":
        rule: dict[str, object] | None = {"domains": f.words("domains", DOMAINS, "domain")}
    elif source == "scenario_scores":
        rule = _read_scenario_source(f, window)
    else:
        rule = _read_item_source(f)
    if rule is None:
        return None
    f.unknown_keys()
    if developing is None or senior is None or any(v is None for v in rule.values()):
        return None
    return DimensionRule(name=name, developing=developing, senior=senior, **rule)  # type: ignore[arg-type]


def _read_levels(f: Fields) -> tuple[float | None, float | None]:
    """`developing` and `senior`, the second above the first."""
    developing = f.number("developing", 0, 100)
    senior = f.number("senior", 0, 100)
    if developing is not None and senior is not None and developing >= senior:
        f.error(
            f.line_for("senior"),
            f"`{f.name('senior')}` ({senior:g}) must be above `developing` ({developing:g})",
        )
        senior = None
    return developing, senior


def _read_source_kind(f: Fields) -> str | None:
    """domains, scenario_scores or item selectors: exactly one of them, else None (reported)."""
    sources = [k for k in ("domains", "scenario_scores") if f.has(k)]
    if any(f.has(k) for k in ITEM_SELECTORS):
        sources.append("item selectors")
    if len(sources) != 1:
        f.error(
            f.line,
            f"`{f.where}` needs exactly one source: `domains`, `scenario_scores`, or item selectors "
            f"({', '.join(ITEM_SELECTORS)}); found {', '.join(sources) or 'none'}",
        )
        return None
    return sources[0]


def _read_scenario_source(f: Fields, window: int | None) -> dict[str, object]:
    """Scenario rubric dimensions; `min_runs` cannot exceed the rolling window."""
    rule: dict[str, object] = {
        "scenario_scores": f.words("scenario_scores", RUBRIC_DIMENSIONS, "rubric dimension"),
        "unaided_only": f.flag("unaided_only"),
    }
    rule["min_runs"] = min_runs = f.number("min_runs", 1, 100, integer=True)
    if min_runs is not None and window is not None and min_runs > window:
        f.error(
            f.line_for("min_runs"),
            f"`{f.name('min_runs')}` ({min_runs}) exceeds `scenarios.window` ({window}): "
            "a rolling score never holds that many runs",
        )
        rule["min_runs"] = None
    return rule


def _read_item_source(f: Fields) -> dict[str, object] | None:
    """Questions selected by domain, topic or being numeric; None (reported) when nothing is selected."""
    rule: dict[str, object] = {
        "item_domains": f.words("item_domains", DOMAINS, "domain", required=False),
        "numeric_items": f.flag("numeric_items"),
        "item_topics": f.words("item_topics", None, "topic", required=False),
        "min_items": f.number("min_items", 1, 1000, integer=True),
    }
    if not (rule["item_domains"] or rule["numeric_items"] or rule["item_topics"]):
        f.error(
            f.line,
            f"`{f.where}` selects no questions: give item_domains, item_topics or numeric_items: true",
        )
        return None
    return rule


def _read_stated(confidence: Fields) -> dict[str, float] | None:
    stated = confidence.section("stated")
    if stated is None:
        return None
    values = {level: stated.number(level, 0.0, 1.0) for level in CERTAINTY_LEVELS}
    stated.unknown_keys(CERTAINTY_LEVELS)
    if any(v is None for v in values.values()):
        return None
    ordered = [values[level] for level in CERTAINTY_LEVELS]
    if ordered != sorted(ordered) or len(set(ordered)) != len(ordered):
        stated.error(stated.line, "`confidence.stated` must rise from low to medium to high")
        return None
    return values  # type: ignore[return-value]
