"""Pass probability and the pooled ability profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.special import expit, log_expit
from scipy.stats import norm

from app.domain.readiness.ability import domain_likelihood, estimate
from app.domain.readiness.exam import pass_probability
from app.domain.readiness.irt import ItemParams
from app.domain.readiness.profile import AbilityStructure, pool

NOW = datetime(2026, 11, 26)
BANK = {
    f"q{k}": ItemParams(difficulty=b, discrimination=1.0) for k, b in enumerate(np.linspace(-1.5, 1.5, 10))
}
ITEMS = list(BANK.values())


@dataclass(frozen=True)
class Answer:
    item_id: str
    correct: bool
    answered_at: datetime = NOW


def likelihood(pattern):
    answers = [Answer(f"q{k}", bool(c)) for k, c in enumerate(pattern)]
    return domain_likelihood(answers, BANK, NOW, half_life_days=1e9)


def test_one_domain_pass_probability_is_the_posterior_mass_above_the_cut():
    pattern = [1, 1, 1, 0, 1, 1, 0, 1, 0, 0]
    # general^2 + specific^2 = 1: a single domain's prior is N(0, 1).
    profile = pool({"D1": likelihood(pattern)}, ["D1"], AbilityStructure(general_sd=0.6, specific_sd=0.8))
    result = pass_probability(profile, {"D1": 1}, {"D1": ITEMS}, pass_mark=0.55)

    def density(theta):
        log_lik = sum(
            log_expit((1 if c else -1) * (theta - p.difficulty)) for c, p in zip(pattern, ITEMS, strict=True)
        )
        return norm.pdf(theta) * np.exp(log_lik)

    cut = brentq(lambda t: np.mean([expit(t - p.difficulty) for p in ITEMS]) - 0.55, -6, 6)
    expected = quad(density, cut, 12)[0] / quad(density, -12, 12)[0]
    assert result.p == pytest.approx(expected, abs=0.01)
    assert result.score_low < result.expected_score < result.score_high


def test_pooling_without_a_general_factor_matches_the_single_domain_estimate():
    pattern = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
    answers = [Answer(f"q{k}", bool(c)) for k, c in enumerate(pattern)]
    independent = AbilityStructure(general_sd=1e-3, specific_sd=1.0)
    pooled = pool({"D1": likelihood(pattern)}, ["D1", "D2"], independent).ability("D1")
    alone = estimate(answers, BANK, NOW, half_life_days=1e9)
    assert pooled.theta == pytest.approx(alone.theta, abs=2e-3)
    assert pooled.se == pytest.approx(alone.se, abs=2e-3)


def test_a_domain_without_answers_borrows_from_the_others():
    strong = likelihood([1] * 9 + [0])
    profile = pool({"D1": strong, "D2": strong}, ["D1", "D2", "D3"], AbilityStructure(0.8, 0.6))
    assert profile.ability("D3").n == 0
    assert profile.ability("D3").theta > 0.5
    assert profile.ability("D3").se < 1.0


def test_pass_probability_rises_with_ability_and_stays_in_bounds():
    structure = AbilityStructure(0.8, 0.6)
    probabilities = []
    for right in range(0, 11, 2):
        pattern = [1] * right + [0] * (10 - right)
        profile = pool({"D1": likelihood(pattern), "D2": likelihood(pattern)}, ["D1", "D2"], structure)
        probabilities.append(
            pass_probability(profile, {"D1": 80, "D2": 40}, {"D1": ITEMS, "D2": ITEMS}, 0.6).p
        )
    assert probabilities == sorted(probabilities)
    assert probabilities[0] < 0.05 and probabilities[-1] > 0.95


def test_the_headline_includes_the_luck_of_one_sitting():
    """On a short sitting a borderline trainee can pass or fail by luck: the predictive probability is
    pulled towards the middle, while P(expected score >= cut) ignores the sitting."""
    profile = pool({"D1": likelihood([1] * 8 + [0] * 2)}, ["D1"], AbilityStructure(0.8, 0.6))
    short = pass_probability(profile, {"D1": 10}, {"D1": ITEMS}, 0.6)
    long = pass_probability(profile, {"D1": 400}, {"D1": ITEMS}, 0.6)
    assert short.sitting_items == 10 and long.sitting_items == 400
    assert abs(short.p - 0.5) < abs(short.expected_p - 0.5)
    assert abs(long.p - long.expected_p) < abs(short.p - short.expected_p)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.booleans(), min_size=10, max_size=10),
    st.lists(st.booleans(), min_size=10, max_size=10),
    st.integers(0, 9),
)
def test_a_right_answer_instead_of_a_wrong_one_never_lowers_the_pass_probability(d1, d2, flip):
    structure = AbilityStructure(0.8, 0.6)
    blueprint, items = {"D1": 12, "D2": 14}, {"D1": ITEMS, "D2": ITEMS}
    before = pool({"D1": likelihood(d1), "D2": likelihood(d2)}, ["D1", "D2"], structure)
    better = list(d1)
    better[flip] = True
    after = pool({"D1": likelihood(better), "D2": likelihood(d2)}, ["D1", "D2"], structure)
    assert (
        pass_probability(after, blueprint, items, 0.6).p >= pass_probability(before, blueprint, items, 0.6).p
    )
    assert after.ability("D1").theta >= before.ability("D1").theta - 1e-12
    assert after.ability("D2").theta >= before.ability("D2").theta - 1e-12


def test_pass_probability_needs_items_in_every_weighted_domain():
    profile = pool({}, ["D1"], AbilityStructure())
    with pytest.raises(ValueError, match="D2"):
        pass_probability(profile, {"D1": 1, "D2": 1}, {"D1": ITEMS}, 0.6)
