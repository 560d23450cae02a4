"""The values readiness is computed from: answers, scenario runs, the item bank and a trainee's evidence.

The caller (a service) loads them; nothing here reads a database. Ids (`answer_id`, `run_id`, item ids)
are passed through untouched into the readiness report so the app can link to them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from types import MappingProxyType

from .ability import DomainLikelihood
from .irt import ItemParams, PracticeCurve
from .profile import AbilityStructure
from .promotion import CheckResult


@dataclass(frozen=True)
class GivenAnswer:
    """One answer to a practice or exam question. `certainty` is low | medium | high, or None if not asked."""

    answer_id: str
    item_id: str
    correct: bool
    answered_at: datetime
    certainty: str | None = None


@dataclass(frozen=True)
class BankItem:
    """What readiness needs to know about a question: its domain, calibrated parameters and tags."""

    id: str
    domain: str
    params: ItemParams
    numeric: bool = False
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScenarioRun:
    """One finished scenario attempt. `scores` maps rubric dimension -> 0-100 for this run.

    `aided` is true when the trainee used help that an unaided judgement would not have (going back,
    hints); `difficulty` is the scenario's junior | intermediate | senior.
    """

    run_id: str
    scenario_id: str
    finished_at: datetime
    difficulty: str
    exception_types: tuple[str, ...]
    passed: bool
    scores: Mapping[str, float]
    critical_errors: tuple[str, ...] = ()
    aided: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "scores", MappingProxyType(dict(self.scores)))


@dataclass(frozen=True)
class TraineeEvidence:
    """Everything known about one trainee that readiness uses.

    `blueprint` maps domain -> number of exam items (the exam form's weights). `due_reviews` is the count
    of spaced-repetition reviews due now. `exception_types_available` are the exception types the
    scenario library covers (to suggest untried ones).

    `practice` (how ability grows with practice) and `structure` (how domains go together) come from the
    last calibration. `likelihoods` may hold per-domain summaries the caller cached when the trainee last
    answered in that domain (`ability.domain_likelihood` on that domain's answers only, at that time);
    domains not in it are summarised afresh at `now`.
    """

    trainee_id: str
    responses: tuple[GivenAnswer, ...]
    bank: Mapping[str, BankItem]
    blueprint: Mapping[str, float]
    scenario_runs: tuple[ScenarioRun, ...] = ()
    due_reviews: int = 0
    exception_types_available: tuple[str, ...] = ()
    practice: PracticeCurve = field(default_factory=PracticeCurve)
    structure: AbilityStructure = field(default_factory=AbilityStructure)
    likelihoods: Mapping[str, DomainLikelihood] = field(default_factory=dict)
    promotion_check: CheckResult | None = None  # the latest closed promotion check, if any

    def __post_init__(self) -> None:
        object.__setattr__(self, "bank", MappingProxyType(dict(self.bank)))
        object.__setattr__(self, "blueprint", MappingProxyType(dict(self.blueprint)))
        object.__setattr__(self, "likelihoods", MappingProxyType(dict(self.likelihoods)))

    @cached_property
    def items_by_domain(self) -> dict[str, list[ItemParams]]:
        """The bank's item parameters grouped by domain."""
        grouped: dict[str, list[ItemParams]] = {}
        for item in self.bank.values():
            grouped.setdefault(item.domain, []).append(item.params)
        return grouped

    def responses_where(self, keep: Callable[[BankItem], bool]) -> tuple[GivenAnswer, ...]:
        """This trainee's answers to bank items that `keep` accepts (answers to unknown items are left out)."""
        return tuple(r for r in self.responses if r.item_id in self.bank and keep(self.bank[r.item_id]))
