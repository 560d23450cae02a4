"""bench/mml.py: the full-information MML the validation compares our item calibration with."""

from __future__ import annotations

import girth
import numpy as np

from bench.mml import DIFFICULTY_BOUND, fit_mml


def _adaptive(seed: int, persons: int = 500, items: int = 20, per_person: int = 10):
    """Each person is served items near a running estimate: who answers an item depends on earlier
    answers, the missingness a naive marginal-proportion fit gets wrong."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1, persons)
    b = np.linspace(-2, 2, items)
    a = np.exp(rng.normal(0, 0.25, items))
    rows = []
    for p in range(persons):
        estimate, seen = 0.0, set()
        for _ in range(per_person):
            near = {k: abs(b[k] - estimate) + rng.normal(0, 0.4) for k in range(items) if k not in seen}
            j = min(near, key=near.__getitem__)
            y = rng.random() < 1 / (1 + np.exp(-a[j] * (theta[p] - b[j])))
            rows.append((p, j, y))
            seen.add(j)
            estimate += 0.6 if y else -0.6
    person, item, correct = (np.array(c) for c in zip(*rows, strict=True))
    return person, item, correct, b


def test_mml_recovers_difficulties_from_adaptively_served_items_where_girth_does_not():
    person, item, correct, b = _adaptive(seed=5)
    for two_pl, limit in ((True, 0.45), (False, 0.3)):  # 2PL slopes from ~250 answers an item are noisy
        fit = fit_mml(person, item, correct, b.size, two_pl=two_pl)
        error = np.sqrt(np.mean((fit.difficulty - b) ** 2))
        assert error < limit, (two_pl, error)
    matrix = np.full((b.size, person.max() + 1), girth.INVALID_RESPONSE, dtype=int)
    matrix[item, person] = correct
    theirs = np.asarray(girth.twopl_mml(matrix)["Difficulty"], dtype=float)
    assert np.sqrt(np.mean((theirs - b) ** 2)) > 2 * error  # strong people got the hard items


def test_an_item_everyone_got_right_stops_at_the_bound_and_unanswered_items_stay_put():
    person = np.array([0, 1, 2, 0, 1, 2])
    item = np.array([0, 0, 0, 1, 1, 1])
    correct = np.array([True, True, True, True, False, False])
    fit = fit_mml(person, item, correct, n_items=3)
    assert fit.difficulty[0] <= -DIFFICULTY_BOUND + 1e-6
    assert -DIFFICULTY_BOUND < fit.difficulty[1] < DIFFICULTY_BOUND
    assert fit.difficulty[2] == 0.0 and fit.discrimination[2] == 1.0


def test_on_a_complete_matrix_mml_agrees_with_girth():
    """Without missing answers girth's difficulty step is right too: the two fits must agree."""
    rng = np.random.default_rng(1)
    theta = rng.normal(0, 1, 400)
    b = np.linspace(-2, 2, 12)
    a = np.exp(rng.normal(0, 0.25, 12))
    person, item = (m.ravel() for m in np.meshgrid(np.arange(400), np.arange(12), indexing="ij"))
    correct = rng.random(person.size) < 1 / (1 + np.exp(-a[item] * (theta[person] - b[item])))
    ours = fit_mml(person, item, correct, 12)
    matrix = np.zeros((12, 400), dtype=int)
    matrix[item, person] = correct
    theirs = girth.twopl_mml(matrix)
    assert np.abs(ours.difficulty - theirs["Difficulty"]).max() < 0.05
    assert np.abs(ours.discrimination - theirs["Discrimination"]).max() < 0.05
