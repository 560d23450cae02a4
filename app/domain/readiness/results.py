"""What a readiness assessment produces: the verdict, its criteria, each domain's mastery and ability, the
pass probability. Plain values, stored as JSON (stored.py) and shown by the report pages.

They live apart from the model that computes them (ability, exam, mastery, verdict) because that model
needs numpy and scipy: a page that shows a stored result imports this module only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .confidence import ConfidenceCalibration
from .promotion_rules import Level


@dataclass(frozen=True)
class Ability:
    """Posterior summary: `theta` and `se` on the calibration scale, `n` items answered, `weight` the
    sum of recency weights (the effective number of answers)."""

    theta: float
    se: float
    n: int = 0
    weight: float = 0.0


@dataclass(frozen=True)
class PassProbability:
    """`p` = P(expected score >= pass_mark); scores are proportions correct (0-1) on the blueprint form,
    `score_low`-`score_high` their central `interval` credible interval."""

    p: float
    expected_score: float
    score_low: float
    score_high: float
    pass_mark: float
    interval: float
    sitting_items: int = 0  # the length of the sitting the probability is about
    expected_p: float = 0.0  # P(expected score >= pass_mark), the old headline, for comparison
    method: str = "irt"  # irt, or percent-correct while the bank is too thinly calibrated


@dataclass(frozen=True)
class DomainMastery:
    """Mastery = expected percent correct on the domain's bank items; low/high span the score interval."""

    domain: str
    ability: Ability
    mastery: float | None
    low: float | None
    high: float | None
    answer_ids: tuple[str, ...]


class Verdict(StrEnum):
    READY = "ready"
    ALMOST = "almost"
    NOT_YET = "not-yet"
    NOT_ENOUGH_EVIDENCE = "not-enough-evidence"

    @property
    def label(self) -> str:
        return {"ready": "Ready", "almost": "Almost", "not-yet": "Not yet"}.get(
            self.value, "Not enough evidence"
        )


@dataclass(frozen=True)
class Criterion:
    """One rule of the policy, met or not, with the ids of the evidence it was judged on.

    `key` is stable ("evidence.items.D4", "dimension.coordination", "exam.pass_probability", ...);
    `about_evidence` marks evidence minimums, which decide Not enough evidence.
    """

    key: str
    label: str
    met: bool
    observed: str
    evidence: tuple[str, ...] = ()
    missing: str | None = None
    about_evidence: bool = False


@dataclass(frozen=True)
class DimensionResult:
    """A dimension's 0-100 score and level; both None while its evidence is below the minimum."""

    name: str
    score: float | None
    level: Level | None
    n: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class NextAction:
    """`kind`: promotion-check | practise-domain | practise-topics | replay-scenario | review |
    try-exception-type | senior-scenario | scenarios | confidence; `target`: the domain, comma-separated topics, scenario id or
    exception type to link to."""

    kind: str
    message: str
    target: str | None = None


@dataclass(frozen=True)
class Readiness:
    verdict: Verdict
    criteria: tuple[Criterion, ...]
    dimensions: tuple[DimensionResult, ...]
    domains: tuple[DomainMastery, ...]
    pass_probability: PassProbability | None
    confidence: ConfidenceCalibration
    next_actions: tuple[NextAction, ...]
    missing: tuple[str, ...]
