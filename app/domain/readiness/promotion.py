"""The promotion check: a secure sitting the readiness decision rests on, and how sure its result is.

Rules
- A check's score is its proportion of credit over every item on the form (unanswered items count 0).
- Classification accuracy (Rudner's index for one sitting): the probability that the trainee's true
  proportion lies on the same side of the cut as the observed one, taking the true proportion as normal
  around the observed with the binomial standard error, floored at 1/(2n) so no finite sitting is
  certain: accuracy = Phi(|observed - cut| / SE).
- A result decides only when that accuracy reaches the policy's `min_accuracy`; a result closer to the cut
  than that asks for more evidence instead of deciding, whichever side it fell on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    TOO_CLOSE = "too-close"  # within the measurement error of the cut: sit another check

    @property
    def label(self) -> str:
        return {"passed": "Passed", "failed": "Not passed"}.get(self.value, "Too close to the cut to decide")


@dataclass(frozen=True)
class CheckResult:
    """A closed promotion check. `check_id` is cited in the readiness evidence ("check:12")."""

    check_id: str
    credit: float
    items: int
    closed_at: datetime

    @property
    def score(self) -> float:
        return self.credit / self.items if self.items else 0.0


def classification_accuracy(credit: float, items: int, cut: float) -> float:
    """P(true proportion on the observed side of `cut`) for `credit` out of `items` (see the module rules)."""
    if items <= 0:
        return 0.5
    observed = credit / items
    se = max(math.sqrt(observed * (1 - observed) / items), 0.5 / items)
    return 0.5 * (1 + math.erf(abs(observed - cut) / se / math.sqrt(2)))


def outcome(result: CheckResult, cut: float, min_accuracy: float) -> Outcome:
    if classification_accuracy(result.credit, result.items, cut) < min_accuracy:
        return Outcome.TOO_CLOSE
    return Outcome.PASSED if result.score >= cut else Outcome.FAILED
