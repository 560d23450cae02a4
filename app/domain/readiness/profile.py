"""A trainee's abilities across domains, each borrowing strength from the others.

Rules
- Model: ability-now in domain d = general + specific_d + practice gain_d, with general ~ N(0,
  general_sd^2) and specific_d ~ N(0, specific_sd^2) independent; general_sd^2 + specific_sd^2 = 1 (the
  calibration scale) and their split is the between-domain correlation calibration estimates.
- So a domain with few answers leans on the trainee's other domains rather than on the whole
  population, and the domains' errors are correlated through the general level: both matter for the
  exam total, which sums the domains.
- Everything is computed exactly on the shared grid (no sampling): the posterior of the general level,
  each domain's marginal posterior, and each domain's posterior given the general level (for drawing
  joint samples with `sample`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from .ability import Ability, DomainLikelihood, ability_from
from .irt import GRID, ItemParams, characteristic_curve

STEP = float(GRID[1] - GRID[0])


@dataclass(frozen=True)
class AbilityStructure:
    """How abilities in different domains go together (from calibration)."""

    general_sd: float = 0.8
    specific_sd: float = 0.6

    @classmethod
    def from_correlation(cls, correlation: float) -> AbilityStructure:
        """Between-domain correlation rho of abilities on the N(0, 1) calibration scale."""
        rho = min(max(correlation, 0.01), 0.95)  # neither part may vanish: both are divided by
        return cls(general_sd=float(np.sqrt(rho)), specific_sd=float(np.sqrt(1 - rho)))


@dataclass(frozen=True, eq=False)
class AbilityProfile:
    """Joint posterior of a trainee's domain abilities; build it with `pool`.

    Internally abilities are held before practice ("base" = general + specific, on GRID); a domain's
    ability now is its base plus `gains[k]`.
    """

    domains: tuple[str, ...]
    gains: NDArray[np.float64]  # practice gain per domain
    general: NDArray[np.float64]  # posterior of the general level over GRID
    conditionals: NDArray[np.float64]  # domains x general-grid x base-grid, rows sum to 1
    marginals: NDArray[np.float64]  # domains x base-grid
    abilities: Mapping[str, Ability]

    def ability(self, domain: str) -> Ability:
        return self.abilities[domain]

    def expected_score(
        self, domain: str, items: Sequence[ItemParams], interval: float
    ) -> tuple[float, float, float]:
        """Mean and central `interval` of the expected proportion correct on `items` in `domain`."""
        k = self.domains.index(domain)
        b = np.array([p.difficulty for p in items])
        a = np.array([p.discrimination for p in items])
        curve = characteristic_curve(GRID + self.gains[k], b, a)  # increasing, so quantiles carry over
        cdf = np.cumsum(self.marginals[k])
        tail = (1 - interval) / 2
        low, high = (curve[min(np.searchsorted(cdf, q), len(GRID) - 1)] for q in (tail, 1 - tail))
        return float(self.marginals[k] @ curve), float(low), float(high)

    def sample(self, uniforms: NDArray[np.float64]) -> NDArray[np.float64]:
        """Joint draws of the abilities now (draws x domains) from uniforms (draws x 1 + domains).

        Inverse-CDF sampling: the same uniforms give draws that never go down when evidence improves.
        """
        n = len(GRID)
        row = np.minimum(np.searchsorted(np.cumsum(self.general), uniforms[:, 0]), n - 1)
        # Row r's CDF lies in [0, 1]; lifted by 2r, all rows form one sorted array for one searchsorted.
        lift = 2.0 * np.arange(n)
        draws = np.empty((uniforms.shape[0], len(self.domains)))
        for k in range(len(self.domains)):
            cdf = np.cumsum(self.conditionals[k], axis=1)
            cdf[:, -1] = 1.0
            flat = (cdf + lift[:, None]).ravel()
            u = uniforms[:, k + 1]
            index = np.minimum(np.searchsorted(flat, u + lift[row]) - row * n, n - 1)
            upper = cdf[row, index]
            lower = np.where(index > 0, cdf[row, np.maximum(index - 1, 0)], 0.0)
            fraction = np.clip((u - lower) / np.maximum(upper - lower, 1e-300), 0.0, 1.0)
            # Grid point j carries the probability mass of [j - 1/2, j + 1/2].
            draws[:, k] = GRID[index] - STEP / 2 + fraction * STEP
        return draws + self.gains[None, :]


def pool(
    likelihoods: Mapping[str, DomainLikelihood], domains: Sequence[str], structure: AbilityStructure
) -> AbilityProfile:
    """Combine per-domain evidence (a domain missing from `likelihoods` has no answers yet)."""
    kernel = _kernel(structure.specific_sd)  # p(base = GRID[j] | general = GRID[i]), unnormalised
    log_general = -0.5 * (GRID / structure.general_sd) ** 2
    evidence = [likelihoods.get(d) or DomainLikelihood.empty() for d in domains]
    gains = np.array([e.practice_gain for e in evidence])
    joints = []
    for e, gain in zip(evidence, gains, strict=True):
        # The likelihood of base ability x is that of ability-now x + gain.
        log_lik = np.interp(GRID + gain, GRID, e.log_likelihood)
        likelihood = np.exp(log_lik - log_lik.max())
        joint = kernel * likelihood[None, :]
        evidence_given_general = joint.sum(axis=1)
        with np.errstate(divide="ignore"):
            log_general = log_general + np.log(evidence_given_general)
        joints.append(joint / np.maximum(evidence_given_general, 1e-300)[:, None])
    general = np.exp(log_general - log_general.max())
    general /= general.sum()
    marginals = np.array([general @ conditional for conditional in joints])
    marginals /= marginals.sum(axis=1, keepdims=True)
    abilities = {}
    for k, domain in enumerate(domains):
        base = ability_from(marginals[k], evidence[k])
        abilities[domain] = replace(base, theta=base.theta + float(gains[k]))
    return AbilityProfile(tuple(domains), gains, general, np.array(joints), marginals, abilities)


@lru_cache(maxsize=8)
def _kernel(sd: float) -> NDArray[np.float64]:
    kernel = np.exp(-0.5 * ((GRID[None, :] - GRID[:, None]) / sd) ** 2)
    kernel.setflags(write=False)
    return kernel
