"""Item calibration: recovery on small simulated sets, girth as the oracle, priors and the data rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import girth
import numpy as np
import pytest

from app.domain.readiness.calibration import (
    AuthorPrior,
    CalibrationResponse,
    CalibrationSettings,
    calibrate,
    calibrate_arrays,
)

START = datetime(2026, 1, 1)


def simulate_complete(rng, n_people, difficulty, discrimination):
    theta = rng.normal(0, 1, n_people)
    p = 1 / (1 + np.exp(-discrimination[:, None] * (theta[None, :] - difficulty[:, None])))
    return (rng.random(p.shape) < p).astype(int)  # items x people


def to_arrays(data):
    item, person = np.nonzero(np.ones_like(data))
    return person, item, data[item, person].astype(bool)


def test_rasch_difficulties_agree_with_girth_rasch_mml():
    rng = np.random.default_rng(7)
    difficulty = np.linspace(-1.8, 1.8, 20)
    data = simulate_complete(rng, 800, difficulty, np.ones(20))
    person, item, correct = to_arrays(data)
    rasch = CalibrationSettings(
        min_responses_2pl=10**9, learn_author_prior=False, author_prior=AuthorPrior(sd=10)
    )
    ours = calibrate_arrays(person, item, correct, np.full(20, 3.0), settings=rasch)
    theirs = girth.rasch_mml(data)["Difficulty"]
    assert ours.converged
    assert np.abs(ours.difficulty - theirs).max() < 0.06
    assert np.corrcoef(ours.difficulty, difficulty)[0, 1] > 0.98
    assert np.all(ours.discrimination == 1.0)


def test_2pl_recovers_discrimination_where_data_allow():
    rng = np.random.default_rng(11)
    difficulty = rng.normal(0, 1, 15)
    discrimination = np.linspace(0.6, 1.8, 15)
    data = simulate_complete(rng, 2000, difficulty, discrimination)
    person, item, correct = to_arrays(data)
    result = calibrate_arrays(person, item, correct, np.full(15, 3.0))
    assert np.corrcoef(result.discrimination, discrimination)[0, 1] > 0.9
    assert np.sqrt(np.mean((result.difficulty - difficulty) ** 2)) < 0.12
    assert np.all(result.se < 0.12)


def test_items_with_few_responses_lean_on_the_author_rating():
    rng = np.random.default_rng(3)
    difficulty = np.linspace(-1.5, 1.5, 12)
    data = simulate_complete(rng, 600, difficulty, np.ones(12))
    person, item, correct = to_arrays(data)
    # Item 12 (rated 5, hardest) and item 13 (rated 1) are new: nobody answered them.
    ratings = np.concatenate([np.clip(np.round(3 + difficulty / 0.75), 1, 5), [5.0, 1.0]])
    result = calibrate_arrays(person, item, correct, ratings)
    prior = result.author_prior
    assert prior.slope > 0.4  # learned from the answered items: harder rating, harder item
    assert result.n[12] == 0
    assert result.difficulty[12] == pytest.approx(prior.mean(5), abs=1e-6)
    assert result.difficulty[13] == pytest.approx(prior.mean(1), abs=1e-6)
    assert result.se[12] == pytest.approx(prior.sd)
    assert result.difficulty[12] > result.difficulty[13]


def test_calibrate_uses_first_attempts_and_keeps_every_bank_item():
    responses = [
        CalibrationResponse("t1", "q1", "D1", False, START),
        CalibrationResponse("t1", "q1", "D1", True, START + timedelta(days=1)),  # a repeat: not calibrated
        CalibrationResponse("t2", "q1", "D1", True, START),
        CalibrationResponse("t2", "gone", "D1", True, START),  # not in the bank
    ]
    result = calibrate(responses, {"q1": 3, "q2": 4})
    assert set(result.items) == {"q1", "q2"}
    assert result.items["q1"].n == 2
    assert result.items["q2"].n == 0


def test_practice_curve_and_domain_correlation_are_recovered():
    rng = np.random.default_rng(5)
    n_people, rho, learned = 700, 0.6, 0.5
    general = rng.normal(0, np.sqrt(rho), n_people)
    b = {d: rng.normal(0, 1, 30) for d in ("D1", "D2")}
    responses = []
    for t in range(n_people):
        for d in ("D1", "D2"):
            theta = general[t] + rng.normal(0, np.sqrt(1 - rho))
            for k, j in enumerate(rng.permutation(30)):
                ability = theta + (learned if k >= 10 else 0.0)
                correct = rng.random() < 1 / (1 + np.exp(-(ability - b[d][j])))
                responses.append(
                    CalibrationResponse(t, f"{d}-{j}", d, bool(correct), START + timedelta(hours=k))
                )
    ratings = {f"{d}-{j}": 3 for d in ("D1", "D2") for j in range(30)}
    settings = CalibrationSettings(practice_starts=(0, 10), min_responses_2pl=10**9)
    result = calibrate(responses, ratings, settings)
    assert result.converged
    assert result.practice.gains[1] == pytest.approx(learned, abs=0.1)
    assert result.structure.general_sd**2 == pytest.approx(rho, abs=0.1)
