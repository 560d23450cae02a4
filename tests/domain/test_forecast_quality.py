"""Brier, ECE and the ECE noise band: a calibrated forecaster sits inside the band, a biased one above it."""

from __future__ import annotations

import numpy as np
import pytest

from app.domain.forecast_quality import brier, ece, ece_noise_band


def test_brier_and_ece_by_hand():
    p, y = [0.9, 0.9, 0.1, 0.1], [1, 0, 0, 0]
    assert brier(p, y) == pytest.approx((0.01 + 0.81 + 0.01 + 0.01) / 4)
    # two bins: forecasts 0.9 with half passing (|0.9-0.5|), forecasts 0.1 with none (|0.1-0|)
    assert ece(p, y) == pytest.approx(0.5 * 0.4 + 0.5 * 0.1)


def test_a_calibrated_forecaster_at_small_n_stays_inside_the_band_about_nine_times_in_ten():
    rng = np.random.default_rng(7)
    inside = 0
    for _ in range(200):
        p = rng.beta(0.6, 0.6, 33)  # 33 trainees judged, forecasts spread towards 0 and 1 as readiness's are
        y = rng.random(33) < p
        inside += ece(p, y) <= ece_noise_band(p, draws=400, seed=int(rng.integers(1 << 30)))
    assert 0.84 <= inside / 200 <= 0.96
    assert ece_noise_band(rng.beta(0.6, 0.6, 33), draws=400) > 0.05  # n=33: ECE 0.05 is within noise


def test_a_forecaster_twenty_points_too_sure_falls_outside_the_band():
    rng = np.random.default_rng(8)
    p_true = rng.uniform(0.1, 0.6, 400)
    y = rng.random(400) < p_true
    stated = np.clip(p_true + 0.2, 0, 1)
    assert ece(stated, y) > ece_noise_band(stated, draws=400)
