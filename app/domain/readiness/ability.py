"""A trainee's ability on one set of items (a domain, or the metric items): recency-weighted EAP.

Rules
- Each item counts once: its latest answer (a repeat is fresher evidence, not extra evidence).
- An answer's log-likelihood is weighted by 0.5 ** (age in days / half_life_days) at `now`: old answers
  count less, so the estimate follows a trainee who is learning, and its standard error widens while a
  trainee does not practise. Answers dated after `now` are ignored.
- Prior N(prior_mean, prior_sd), by default the calibration's N(0, 1): with no answers the estimate is
  the prior itself.
- theta is the posterior mean (EAP) and se the posterior standard deviation, integrated on a fine grid.
- Answers to items without parameters are ignored (the item left the bank).

Only the answers passed in are read, so updating readiness after one answer re-estimates one
(trainee, domain) pair.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from .irt import GRID, ItemParams, characteristic_curve, log_likelihood_on_grid, normal_log_density


class Answer(Protocol):
    item_id: str
    correct: bool
    answered_at: datetime


@dataclass(frozen=True)
class Ability:
    """Posterior summary: `theta` and `se` on the calibration scale, `n` items answered, `weight` the
    sum of recency weights (the effective number of answers)."""

    theta: float
    se: float
    n: int = 0
    weight: float = 0.0


def estimate(
    responses: Sequence[Answer],
    item_params: Mapping[str, ItemParams],
    now: datetime,
    half_life_days: float,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
) -> Ability:
    """The recency-weighted EAP ability from these answers (see the module rules)."""
    posterior, n, weight = _posterior(responses, item_params, now, half_life_days, prior_mean, prior_sd)
    theta = float(posterior @ GRID)
    se = float(np.sqrt(max(posterior @ (GRID - theta) ** 2, 0.0)))
    return Ability(theta=theta, se=se, n=n, weight=weight)


def expected_score(ability: Ability, items: Sequence[ItemParams], points: int = 41) -> tuple[float, float]:
    """Mean and sd of the expected proportion correct on `items` under N(theta, se) (Gauss-Hermite)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(points)
    weights = weights / weights.sum()
    b = np.array([p.difficulty for p in items])
    a = np.array([p.discrimination for p in items])
    curve = characteristic_curve(ability.theta + ability.se * nodes, b, a)
    mean = float(weights @ curve)
    return mean, float(np.sqrt(max(weights @ (curve - mean) ** 2, 0.0)))


def _posterior(
    responses: Sequence[Answer],
    item_params: Mapping[str, ItemParams],
    now: datetime,
    half_life_days: float,
    prior_mean: float,
    prior_sd: float,
) -> tuple[NDArray[np.float64], int, float]:
    latest: dict[str, Answer] = {}
    for r in responses:
        if r.item_id in item_params and r.answered_at <= now:
            seen = latest.get(r.item_id)
            if seen is None or r.answered_at >= seen.answered_at:
                latest[r.item_id] = r
    log_post = normal_log_density(GRID, prior_mean, prior_sd)
    weight = 0.0
    if latest:
        answers = list(latest.values())
        params = [item_params[r.item_id] for r in answers]
        age_days = np.array([(now - r.answered_at).total_seconds() / 86400 for r in answers])
        w = 0.5 ** (age_days / half_life_days)
        log_post = log_post + log_likelihood_on_grid(
            GRID,
            np.array([r.correct for r in answers]),
            np.array([p.difficulty for p in params]),
            np.array([p.discrimination for p in params]),
            w,
        )
        weight = float(w.sum())
    post = np.exp(log_post - log_post.max())
    return post / post.sum(), len(latest), weight
