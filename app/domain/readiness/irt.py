"""The two-parameter logistic (2PL) item response model and the quadrature grid shared by the estimators.

P(correct | theta) = 1 / (1 + exp(-a (theta - b))), with `a` the discrimination and `b` the difficulty on
the logit scale; a = 1 for every item is the Rasch model. Abilities and difficulties share one scale whose
origin and unit are fixed by calibration: the respondents' abilities are standard normal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, log_expit

# A fine, evenly spaced grid: posteriors of trainees with hundreds of answers are narrow, and an even grid
# keeps posterior moments exact to well under 0.01 logit where Gauss-Hermite nodes would straddle the peak.
GRID = np.linspace(-6.0, 6.0, 241)


@dataclass(frozen=True)
class ItemParams:
    """Calibrated parameters of one item.

    `se` is the standard error of the difficulty; `n` the number of responses the calibration used (0 for
    an item known only from its author's difficulty rating).
    """

    difficulty: float
    discrimination: float = 1.0
    se: float = 1.0
    n: int = 0


def p_correct(
    theta: ArrayLike, difficulty: ArrayLike, discrimination: ArrayLike = 1.0
) -> NDArray[np.float64]:
    """The 2PL probability of a correct answer, broadcasting its arguments."""
    return expit(np.asarray(discrimination) * (np.asarray(theta) - np.asarray(difficulty)))


def log_likelihood_on_grid(
    grid: NDArray[np.float64],
    correct: NDArray[np.bool_],
    difficulty: NDArray[np.float64],
    discrimination: NDArray[np.float64],
    weight: NDArray[np.float64] | None = None,
) -> NDArray[np.float64]:
    """Sum over responses of (weight x) the log-probability of each observed answer, at each grid point."""
    z = discrimination[:, None] * (grid[None, :] - difficulty[:, None])
    sign = np.where(correct, 1.0, -1.0)[:, None]
    per_response = log_expit(sign * z)
    if weight is not None:
        per_response = per_response * weight[:, None]
    return per_response.sum(axis=0)


def normal_log_density(grid: NDArray[np.float64], mean: float, sd: float) -> NDArray[np.float64]:
    """log N(grid; mean, sd) up to a constant (constants cancel when a posterior is normalised)."""
    return -0.5 * ((grid - mean) / sd) ** 2


def characteristic_curve(
    theta: ArrayLike, difficulty: NDArray[np.float64], discrimination: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Expected proportion correct over a set of items at each theta (the test characteristic curve / n)."""
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    return p_correct(theta[:, None], difficulty[None, :], discrimination[None, :]).mean(axis=1)


@dataclass(frozen=True)
class PracticeCurve:
    """The average ability gained by practice in a domain, estimated by calibration.

    `gains[k]` (logits) applies to an answer given after at least `starts[k]` earlier answers in the same
    domain; `starts[0]` is 0 and `gains[0]` is 0. The default curve assumes no learning.
    """

    starts: tuple[int, ...] = (0,)
    gains: tuple[float, ...] = (0.0,)

    def bin_of(self, count: ArrayLike) -> NDArray[np.int64]:
        """The curve segment for answers given after `count` earlier ones."""
        return np.searchsorted(np.asarray(self.starts), np.asarray(count), side="right") - 1

    def gain(self, count: ArrayLike) -> NDArray[np.float64]:
        return np.asarray(self.gains)[self.bin_of(count)]
