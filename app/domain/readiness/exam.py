"""Pass probability on a blueprint exam form: P(expected proportion correct >= pass mark).

Rules
- The form: each blueprint domain contributes its weight (number of items) times the domain's expected
  proportion correct over its bank items (the domain characteristic curve). This is the expected score on
  a form assembled at random from the bank to the blueprint.
- "Pass" means the trainee's *expected* score on that form, at the abilities given, reaches `pass_mark`.
  The luck of one sitting (about +-4 points in 100 on 130 scored items) is deliberately not included;
  docs/readiness.md explains why.
- Uncertainty: each domain's ability is N(theta, se), independent across domains (a domain with no
  estimate gets the N(0, 1) prior). The score distribution is integrated with a fixed scrambled Sobol
  sample, the same for every call, so the result is deterministic and never decreases when an ability
  rises.
- The interval is the central `interval` credible interval of the expected score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm, qmc

from .ability import Ability
from .irt import GRID, ItemParams, characteristic_curve

PRIOR = Ability(theta=0.0, se=1.0)


@dataclass(frozen=True)
class PassProbability:
    """`p` = P(expected score >= pass_mark); scores are proportions correct (0-1) on the blueprint form."""

    p: float
    expected_score: float
    score_low: float
    score_high: float
    pass_mark: float
    interval: float


def pass_probability(
    abilities: Mapping[str, Ability],
    blueprint: Mapping[str, float],
    items_by_domain: Mapping[str, Sequence[ItemParams]],
    pass_mark: float,
    interval: float = 0.8,
) -> PassProbability:
    """See the module rules. Raises ValueError if a weighted domain has no items to predict from."""
    domains = [d for d, w in blueprint.items() if w > 0]
    if not domains:
        raise ValueError("the blueprint gives no domain a positive weight")
    empty = [d for d in domains if not items_by_domain.get(d)]
    if empty:
        raise ValueError(f"no calibrated items in {', '.join(empty)}")
    weights = np.array([blueprint[d] for d in domains], dtype=float)
    weights /= weights.sum()
    z = _standard_normal_draws(len(domains))
    score = np.zeros(z.shape[0])
    for k, domain in enumerate(domains):
        ability = abilities.get(domain, PRIOR)
        curve = domain_curve(items_by_domain[domain])
        score += weights[k] * np.interp(ability.theta + ability.se * z[:, k], GRID, curve)
    tail = (1 - interval) / 2
    low, high = np.quantile(score, [tail, 1 - tail])
    return PassProbability(
        p=float(np.mean(score >= pass_mark)),
        expected_score=float(score.mean()),
        score_low=float(low),
        score_high=float(high),
        pass_mark=pass_mark,
        interval=interval,
    )


def domain_curve(items: Sequence[ItemParams]) -> NDArray[np.float64]:
    """Expected proportion correct over these items at each point of the shared grid."""
    b = np.array([p.difficulty for p in items])
    a = np.array([p.discrimination for p in items])
    return characteristic_curve(GRID, b, a)


@lru_cache(maxsize=16)
def _standard_normal_draws(dimensions: int, log2_draws: int = 13) -> NDArray[np.float64]:
    points = qmc.Sobol(dimensions, scramble=True, seed=20261126).random_base2(log2_draws)
    draws = norm.ppf(points)
    draws.setflags(write=False)
    return draws
