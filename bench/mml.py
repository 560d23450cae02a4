"""Full-information marginal maximum likelihood (Bock-Aitkin EM) for the 1PL and 2PL, the reference fit
that the validation compares our calibration with.

Why not girth: girth's `twopl_mml` / `rasch_mml` find each item's difficulty by matching the item's
overall proportion correct to the *population* ability distribution. That step ignores who was served
the item, so when serving depends on earlier answers (adaptive practice: stronger trainees see harder
items) the difficulties are biased, although such missingness is ignorable for the likelihood. Here every
step uses the likelihood of the observed responses only: the E-step gives each respondent a posterior over
the quadrature grid from the items that respondent answered, and the M-step fits each item to the
expected counts of the respondents who answered it. Nothing else is assumed: ability ~ N(0, 1) per fit
(which fixes the scale), no prior on item parameters, no learning.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

NODES = np.linspace(-5.0, 5.0, 41)
PRIOR = np.exp(-0.5 * NODES**2) / np.exp(-0.5 * NODES**2).sum()
DIFFICULTY_BOUND = 6.0  # an item everyone got right (or wrong) has no finite ML difficulty: it stops here
DISCRIMINATION_BOUNDS = (0.2, 5.0)  # girth's bounds, for the same reason


@dataclass(frozen=True)
class MMLFit:
    difficulty: NDArray[np.float64]  # per item, on the N(0, 1) scale of this fit
    discrimination: NDArray[np.float64]
    iterations: int


def fit_mml(
    person: ArrayLike,
    item: ArrayLike,
    correct: ArrayLike,
    n_items: int,
    two_pl: bool = True,
    max_iterations: int = 200,
    tolerance: float = 1e-4,
) -> MMLFit:
    """Fit item parameters to (person, item, correct) triples; persons and items are 0-based indices.
    Items nobody answered keep difficulty 0 and discrimination 1."""
    person = np.asarray(person, dtype=int)
    item = np.asarray(item, dtype=int)
    y = np.asarray(correct, dtype=float)
    n_persons = int(person.max()) + 1 if person.size else 0
    ones = np.ones(y.size)
    by_person = sparse.csr_matrix((ones, (person, np.arange(y.size))), shape=(n_persons, y.size))
    by_item = sparse.csr_matrix((ones, (item, np.arange(y.size))), shape=(n_items, y.size))
    slope = np.ones(n_items)
    intercept = np.zeros(n_items)
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        logits = slope[item, None] * NODES[None, :] + intercept[item, None]  # responses x nodes
        loglik = y[:, None] * logits - np.logaddexp(0.0, logits)
        per_person = by_person @ loglik + np.log(PRIOR)
        per_person -= per_person.max(axis=1, keepdims=True)
        posterior = np.exp(per_person)
        posterior /= posterior.sum(axis=1, keepdims=True)
        weight = posterior[person]  # responses x nodes
        n = by_item @ weight
        r = by_item @ (weight * y[:, None])
        new_slope, new_intercept = _m_step(n, r, slope, intercept, two_pl)
        change = max(np.abs(new_slope - slope).max(), np.abs(new_intercept - intercept).max())
        slope, intercept = new_slope, new_intercept
        if change < tolerance:
            break
    difficulty = np.clip(-intercept / slope, -DIFFICULTY_BOUND, DIFFICULTY_BOUND)
    return MMLFit(difficulty, slope, iterations)


def _m_step(
    n: NDArray[np.float64],
    r: NDArray[np.float64],
    slope: NDArray[np.float64],
    intercept: NDArray[np.float64],
    two_pl: bool,
    steps: int = 5,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Newton steps on each item's expected complete-data log likelihood (logistic in the nodes)."""
    slope, intercept = slope.copy(), intercept.copy()
    low, high = DISCRIMINATION_BOUNDS
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(slope[:, None] * NODES[None, :] + intercept[:, None])))
        residual = r - n * p
        info = n * p * (1 - p) + 1e-9
        g_c, h_cc = residual.sum(axis=1), info.sum(axis=1)
        if two_pl:
            g_a = (residual * NODES).sum(axis=1)
            h_aa = (info * NODES**2).sum(axis=1)
            h_ac = (info * NODES).sum(axis=1)
            det = h_aa * h_cc - h_ac**2 + 1e-12
            slope = np.clip(slope + (h_cc * g_a - h_ac * g_c) / det, low, high)
            intercept = intercept + (h_aa * g_c - h_ac * g_a) / det
        else:
            intercept = intercept + g_c / h_cc
        bound = DIFFICULTY_BOUND * slope + 1.0  # keep -intercept/slope just past the difficulty bound
        intercept = np.clip(intercept, -bound, bound)
    return slope, intercept
