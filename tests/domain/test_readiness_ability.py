"""Ability estimation: recency-weighted EAP checked against direct numerical integration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import log_expit
from scipy.stats import norm

from app.domain.readiness.ability import domain_likelihood, estimate
from app.domain.readiness.irt import ItemParams, PracticeCurve

NOW = datetime(2026, 11, 26, 12, 0)
PARAMS = {
    "easy": ItemParams(difficulty=-1.0, discrimination=1.0),
    "mid": ItemParams(difficulty=0.0, discrimination=1.5),
    "hard": ItemParams(difficulty=1.2, discrimination=0.8),
}


@dataclass(frozen=True)
class Answer:
    item_id: str
    correct: bool
    answered_at: datetime


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def direct_posterior(answers, prior_mean=0.0, prior_sd=1.0, half_life=None, shift=None):
    """Posterior mean and sd by adaptive quadrature of prior x (weighted) likelihood."""

    def log_density(theta: float) -> float:
        total = norm.logpdf(theta, prior_mean, prior_sd)
        for k, (item_id, correct, age) in enumerate(answers):
            p = PARAMS[item_id]
            weight = 1.0 if half_life is None else 0.5 ** (age / half_life)
            b = p.difficulty + (shift[k] if shift else 0.0)
            total += weight * log_expit((1 if correct else -1) * p.discrimination * (theta - b))
        return total

    mode = quad(lambda t: np.exp(log_density(t)), -12, 12, points=[0])[0]
    mean = quad(lambda t: t * np.exp(log_density(t)), -12, 12, points=[0])[0] / mode
    second = quad(lambda t: t * t * np.exp(log_density(t)), -12, 12, points=[0])[0] / mode
    return mean, np.sqrt(second - mean**2)


def test_no_answers_gives_the_prior():
    ability = estimate([], PARAMS, NOW, half_life_days=60, prior_mean=0.3, prior_sd=0.9)
    assert ability.theta == pytest.approx(0.3, abs=1e-6)
    assert ability.se == pytest.approx(0.9, abs=1e-3)
    assert ability.n == 0


def test_eap_matches_numerical_integral_without_weighting():
    answers = [("easy", True, 0), ("mid", True, 0), ("hard", False, 0)]
    ability = estimate([Answer(i, c, NOW) for i, c, _ in answers], PARAMS, NOW, half_life_days=1e9)
    mean, sd = direct_posterior(answers)
    assert ability.theta == pytest.approx(mean, abs=1e-4)
    assert ability.se == pytest.approx(sd, abs=1e-4)
    assert ability.n == 3


def test_eap_matches_numerical_integral_with_recency_weights():
    answers = [("easy", False, 120), ("mid", True, 30), ("hard", True, 0)]
    responses = [Answer(i, c, ago(age)) for i, c, age in answers]
    ability = estimate(responses, PARAMS, NOW, half_life_days=30, prior_mean=0.2, prior_sd=1.2)
    mean, sd = direct_posterior(answers, prior_mean=0.2, prior_sd=1.2, half_life=30)
    assert ability.theta == pytest.approx(mean, abs=1e-4)
    assert ability.se == pytest.approx(sd, abs=1e-4)
    assert ability.weight == pytest.approx(0.5**4 + 0.5 + 1)


def test_an_old_wrong_answer_weighs_less_than_a_new_one():
    old_wrong = [Answer("mid", False, ago(180)), Answer("easy", True, NOW)]
    new_wrong = [Answer("mid", False, NOW), Answer("easy", True, ago(180))]
    assert (
        estimate(old_wrong, PARAMS, NOW, half_life_days=30).theta
        > estimate(new_wrong, PARAMS, NOW, half_life_days=30).theta
    )


def test_latest_attempt_counts_and_future_and_unknown_answers_are_ignored():
    responses = [
        Answer("mid", False, ago(10)),
        Answer("mid", True, ago(1)),  # the latest attempt at "mid" is the one that counts
        Answer("hard", True, NOW + timedelta(days=1)),  # after `now`
        Answer("retired-item", False, ago(1)),  # not in the bank any more
    ]
    ability = estimate(responses, PARAMS, NOW, half_life_days=1e9)
    mean, sd = direct_posterior([("mid", True, 0)])
    assert ability.n == 1
    assert ability.theta == pytest.approx(mean, abs=1e-4)


def test_practice_gain_reads_old_answers_at_a_lower_ability():
    curve = PracticeCurve(starts=(0, 2), gains=(0.0, 0.5))
    responses = [Answer("easy", True, ago(3)), Answer("mid", False, ago(2)), Answer("hard", True, ago(1))]
    ability = estimate(responses, PARAMS, NOW, half_life_days=1e9, practice=curve)
    # Three answers so far: gain now 0.5. The first two were given at gain 0 (0.5 below now), the
    # third at gain 0.5; the prior moves up by the gain too.
    mean, sd = direct_posterior(
        [("easy", True, 0), ("mid", False, 0), ("hard", True, 0)], prior_mean=0.5, shift=[0.5, 0.5, 0.0]
    )
    assert ability.theta == pytest.approx(mean, abs=1e-4)
    assert ability.se == pytest.approx(sd, abs=1e-4)


def test_domain_likelihood_counts_practice_and_items():
    curve = PracticeCurve(starts=(0, 2), gains=(0.0, 0.4))
    likelihood = domain_likelihood(
        [Answer("easy", True, ago(2)), Answer("easy", False, ago(1))], PARAMS, NOW, 60, curve
    )
    assert likelihood.n == 1
    assert likelihood.practice_gain == pytest.approx(0.4)
