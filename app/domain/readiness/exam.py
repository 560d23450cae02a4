"""Pass probability of one unseen blueprint sitting: P(score on the sitting >= pass mark).

Rules
- The form: each blueprint domain contributes its weight (number of items) times the domain's expected
  proportion correct over its bank items (the domain characteristic curve). This is the expected score on
  a form assembled at random from the bank to the blueprint.
- "Pass" means the score on one sitting of the form's length (the blueprint's item count) reaches
  `pass_mark`: the predictive distribution of that score, not its expectation. Given an expected
  proportion s, the number right on n items is taken as Binomial(n, s) (item-by-item variation would make
  it slightly narrower, so this errs towards caution), and P(pass) averages P(X >= ceil(pass_mark x n))
  over the posterior of s. The luck of the sitting is in the headline.
- Uncertainty: the joint posterior of the domain abilities (profile.AbilityProfile), integrated with a
  fixed scrambled Sobol sample that is the same for every call: the result is deterministic and never
  goes down when the evidence gets better.
- The interval is the central `interval` credible interval of the expected score.
- Thin calibration: when the items have been answered too few times for their parameters to mean much
  (`verdict` decides; see MIN_CALIBRATION_RESPONSES there), `percent_correct_probability` gives the
  headline instead: per domain the proportion correct on first attempts, shrunk by PSEUDO_ANSWERS
  towards the trainee's own overall rate (so a thin domain borrows from the others without pulling the
  total towards 50%), blueprint-weighted; its uncertainty and the sitting's binomial spread combine in a
  normal approximation. `method` says which was used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from statistics import NormalDist

import numpy as np
from numpy.typing import NDArray

from .irt import GRID, ItemParams, characteristic_curve
from .profile import AbilityProfile
from .results import PassProbability

PSEUDO_ANSWERS = 2  # answers' worth of the trainee's overall rate added to each domain


def percent_correct_probability(
    counts: Mapping[str, tuple[int, int]],
    blueprint: Mapping[str, float],
    pass_mark: float,
    interval: float = 0.8,
) -> PassProbability:
    """P(pass an unseen sitting) from first-attempt percent correct per domain (see the module rules).
    `counts` maps domain -> (right, answered); every weighted domain must have answers."""
    domains = [d for d, w in blueprint.items() if w > 0]
    total = sum(blueprint[d] for d in domains)
    all_right = sum(counts[d][0] for d in domains)
    all_answered = sum(counts[d][1] for d in domains)
    overall = (all_right + 1) / (all_answered + 2)
    mean = variance = 0.0
    for domain in domains:
        right, answered = counts[domain]
        share = blueprint[domain] / total
        p = (right + PSEUDO_ANSWERS * overall) / (answered + PSEUDO_ANSWERS)
        mean += share * p
        variance += share**2 * p * (1 - p) / (answered + PSEUDO_ANSWERS)
    n = max(1, round(total))
    sitting = mean * (1 - mean) / n
    z = NormalDist().inv_cdf(1 - (1 - interval) / 2)
    spread = math.sqrt(variance)
    return PassProbability(
        p=_normal_sf((pass_mark - 0.5 / n - mean) / math.sqrt(variance + sitting)),
        expected_score=mean,
        score_low=max(0.0, mean - z * spread),
        score_high=min(1.0, mean + z * spread),
        pass_mark=pass_mark,
        interval=interval,
        sitting_items=n,
        expected_p=_normal_sf((pass_mark - mean) / spread) if spread else float(mean >= pass_mark),
        method="percent-correct",
    )


def pass_probability(
    profile: AbilityProfile,
    blueprint: Mapping[str, float],
    items_by_domain: Mapping[str, Sequence[ItemParams]],
    pass_mark: float,
    interval: float = 0.8,
) -> PassProbability:
    """See the module rules. Raises ValueError if a weighted domain has no items or no ability estimate."""
    from scipy.stats import binom  # scipy.stats costs 0.5 s to import: only where it is needed

    domains = [d for d, w in blueprint.items() if w > 0]
    if not domains:
        raise ValueError("the blueprint gives no domain a positive weight")
    empty = [d for d in domains if not items_by_domain.get(d) or d not in profile.domains]
    if empty:
        raise ValueError(f"no calibrated items or no ability profile in {', '.join(empty)}")
    total = sum(blueprint[d] for d in domains)
    draws = profile.sample(_uniforms(len(profile.domains) + 1))
    score = np.zeros(draws.shape[0])
    for domain in domains:
        curve = domain_curve(items_by_domain[domain])
        column = draws[:, profile.domains.index(domain)]
        score += blueprint[domain] / total * np.interp(column, GRID, curve)
    tail = (1 - interval) / 2
    low, high = np.quantile(score, [tail, 1 - tail])
    n = max(1, round(total))
    needed = math.ceil(pass_mark * n - 1e-9)
    return PassProbability(
        p=float(np.mean(binom.sf(needed - 1, n, np.clip(score, 0.0, 1.0)))),
        sitting_items=n,
        expected_p=float(np.mean(score >= pass_mark)),
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
def _uniforms(dimensions: int, log2_draws: int = 13) -> NDArray[np.float64]:
    from scipy.stats import qmc  # scipy.stats costs 0.5 s to import: only where it is needed

    points = qmc.Sobol(dimensions, scramble=True, seed=20261126).random_base2(log2_draws)
    points.setflags(write=False)
    return points


def _normal_sf(x: float) -> float:
    """P(Z > x) for a standard normal, accurate far into the tail."""
    return 0.5 * math.erfc(x / math.sqrt(2))
