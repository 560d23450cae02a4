"""How good a set of probability forecasts is against what happened: Brier score, expected calibration
error (ECE), and the ECE that chance alone gives a perfectly calibrated forecaster on the same forecasts.

ECE over equal-width bins is biased upwards at small n: with 33 trainees judged, a forecaster that is
exactly right still shows an ECE of several points. `ece_noise_band` draws outcomes from the forecasts
themselves (each y ~ Bernoulli(p)) and returns a quantile of the ECE those draws give, the consistency
resampling of Bröcker and Smith (2007). An observed ECE inside the band cannot be told apart from noise at
this n; one above it is miscalibration.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def brier(p: ArrayLike, y: ArrayLike) -> float:
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    return float(np.mean((p - y) ** 2))


def ece(p: ArrayLike, y: ArrayLike, bins: int = 10) -> float:
    """Count-weighted |mean forecast - observed rate| over `bins` equal-width bins of the forecast."""
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    index = np.minimum((p * bins).astype(int), bins - 1)
    total = 0.0
    for k in range(bins):
        inside = index == k
        if inside.any():
            total += inside.mean() * abs(p[inside].mean() - y[inside].mean())
    return float(total)


def ece_noise_band(
    p: ArrayLike, quantile: float = 0.9, draws: int = 2000, seed: int = 0, bins: int = 10
) -> float:
    """The `quantile` of ECE for outcomes drawn from the forecasts themselves (a calibrated world)."""
    p = np.asarray(p, dtype=float)
    outcomes = np.random.default_rng(seed).random((draws, p.size)) < p
    index = np.minimum((p * bins).astype(int), bins - 1)
    errors = np.zeros(draws)
    for k in np.unique(index):  # the bins depend on the forecasts only: every draw shares them
        inside = index == k
        errors += inside.mean() * np.abs(p[inside].mean() - outcomes[:, inside].mean(axis=1))
    return float(np.quantile(errors, quantile))
