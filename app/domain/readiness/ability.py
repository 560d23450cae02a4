"""A trainee's ability on one set of items (a domain, or the metric items): recency-weighted EAP.

Rules
- theta is the ability now, after all the practice passed in. Ability grows with practice along the
  calibrated practice curve, so an answer given after k earlier answers in the domain (of K so far) is
  read at theta - (gain(K) - gain(k)): old answers were given by a less practised trainee.
- Each item counts once: its latest answer (a repeat is fresher evidence, not extra evidence); every
  answer, repeats included, counts as practice.
- An answer's log-likelihood is weighted by 0.5 ** (age in days / half_life_days) at `now`: old answers
  count less, so the estimate follows a trainee who changes, and its standard error widens while a
  trainee does not practise. Answers dated after `now` are ignored.
- Answers to items without parameters are ignored (the item left the bank).
- `estimate`: prior N(prior_mean + gain(K), prior_sd), by default the calibration population N(0, 1)
  moved up by the practice gain; theta is the posterior mean (EAP), se the posterior sd, integrated on a
  fine grid. With no answers the estimate is the prior.

`domain_likelihood` is the part that depends on one (trainee, domain)'s answers only: a caller can keep
it per pair and recompute it after each answer; profile.pool combines the domains.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from .irt import (
    GRID,
    ItemParams,
    PracticeCurve,
    characteristic_curve,
    log_likelihood_on_grid,
    normal_log_density,
)
from .results import Ability

NO_LEARNING = PracticeCurve()


class AnswerLike(Protocol):
    item_id: str
    correct: bool
    answered_at: datetime


@dataclass(frozen=True, eq=False)
class DomainLikelihood:
    """One (trainee, domain)'s answers summarised on the shared grid of abilities-now."""

    log_likelihood: NDArray[np.float64]  # over irt.GRID
    n: int  # distinct items answered
    weight: float  # sum of recency weights
    practice_gain: float  # gain(K): how far practice has moved this trainee in this domain

    @classmethod
    def empty(cls) -> DomainLikelihood:
        return cls(np.zeros_like(GRID), 0, 0.0, 0.0)


def domain_likelihood(
    responses: Sequence[AnswerLike],
    item_params: Mapping[str, ItemParams],
    now: datetime,
    half_life_days: float,
    practice: PracticeCurve = NO_LEARNING,
) -> DomainLikelihood:
    """Summarise these answers (see the module rules); practice is counted among `responses`."""
    order = sorted(range(len(responses)), key=lambda i: responses[i].answered_at)
    given = [i for i in order if responses[i].answered_at <= now]
    counts = {i: rank for rank, i in enumerate(given)}
    latest: dict[str, int] = {}
    for i in given:
        if responses[i].item_id in item_params:
            latest[responses[i].item_id] = i
    gain_now = float(practice.gain(len(given)))
    if not latest:
        return DomainLikelihood(np.zeros_like(GRID), 0, 0.0, gain_now)
    chosen = list(latest.values())
    params = [item_params[responses[i].item_id] for i in chosen]
    age_days = np.array([(now - responses[i].answered_at).total_seconds() / 86400 for i in chosen])
    weight = 0.5 ** (age_days / half_life_days)
    learned_since = gain_now - practice.gain([counts[i] for i in chosen])
    log_lik = log_likelihood_on_grid(
        GRID,
        np.array([responses[i].correct for i in chosen]),
        np.array([p.difficulty for p in params]) + learned_since,
        np.array([p.discrimination for p in params]),
        weight,
    )
    return DomainLikelihood(log_lik, len(chosen), float(weight.sum()), gain_now)


def estimate(
    responses: Sequence[AnswerLike],
    item_params: Mapping[str, ItemParams],
    now: datetime,
    half_life_days: float,
    practice: PracticeCurve = NO_LEARNING,
    prior_mean: float = 0.0,
    prior_sd: float = 1.0,
) -> Ability:
    """The recency-weighted EAP ability from these answers alone (see the module rules)."""
    likelihood = domain_likelihood(responses, item_params, now, half_life_days, practice)
    return summarise(likelihood, prior_mean + likelihood.practice_gain, prior_sd)


def summarise(likelihood: DomainLikelihood, prior_mean: float, prior_sd: float) -> Ability:
    """Posterior mean and sd of ability-now under a normal prior."""
    log_post = normal_log_density(GRID, prior_mean, prior_sd) + likelihood.log_likelihood
    posterior = np.exp(log_post - log_post.max())
    return ability_from(posterior / posterior.sum(), likelihood)


def ability_from(posterior: NDArray[np.float64], likelihood: DomainLikelihood) -> Ability:
    theta = float(posterior @ GRID)
    se = float(np.sqrt(max(posterior @ (GRID - theta) ** 2, 0.0)))
    return Ability(theta=theta, se=se, n=likelihood.n, weight=likelihood.weight)


def expected_score(ability: Ability, items: Sequence[ItemParams], points: int = 41) -> tuple[float, float]:
    """Mean and sd of the expected proportion correct on `items` under N(theta, se) (Gauss-Hermite)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(points)
    weights = weights / weights.sum()
    b = np.array([p.difficulty for p in items])
    a = np.array([p.discrimination for p in items])
    curve = characteristic_curve(ability.theta + ability.se * nodes, b, a)
    mean = float(weights @ curve)
    return mean, float(np.sqrt(max(weights @ (curve - mean) ** 2, 0.0)))
