"""Item calibration: 2PL item parameters and the practice curve from stored answers, by marginal ML (EM).

Rules
- Data: each trainee's first attempt at each item (a second attempt measures memory of the feedback, not
  the skill). Every answer, repeats included, counts as practice for the answers after it.
- Model: P(correct) = logistic(a (theta + gain(k) - b)) where theta is the trainee's starting ability in
  the item's domain, k the number of earlier answers in that domain and gain() the practice curve (a step
  function over `practice_starts`, gain 0 for the first segment). A respondent is a (trainee, domain) pair
  with theta ~ N(0, 1); this fixes the scale.
- Estimation: Bock-Aitkin EM over a fixed quadrature, vectorised with sparse matrices, so 1M responses take
  seconds. Each M-step is one Fisher-scoring step per item (all items at once) and one per curve segment.
- Priors (this is how items with few responses lean on their author): difficulty ~ N(c + s (rating - 3),
  tau^2) from the author's 1-5 rating, where c, s and tau are re-estimated each iteration from the items
  with enough responses (empirical Bayes; defaults until there are enough). log discrimination ~ N(0, 0.3^2);
  each practice gain ~ N(0, 1); a segment nobody reached keeps the previous segment's gain.
- Rasch or 2PL: an item's discrimination is estimated only once it has `min_responses_2pl` responses;
  until then it is 1 (Rasch).
- Standard errors come from the information of the last M-step plus the prior; they slightly understate
  the uncertainty (the information lost by not knowing each respondent's ability is not added back).
  An item with no responses gets the author prior: its difficulty and se are the prior's mean and sd.
- Between-domain correlation of abilities (for profile.AbilityStructure): method of moments on the
  respondents' posterior means, pairing the domains of each trainee: rho = sum m_u m_v / sum r_u r_v,
  where r = 1 - posterior variance is each estimate's reliability.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.special import expit, log_expit, logsumexp

from .irt import ItemParams, PracticeCurve
from .profile import AbilityStructure

EPOCH = datetime(2000, 1, 1)


@dataclass(frozen=True)
class CalibrationResponse:
    """One stored answer, as calibration needs it."""

    trainee_id: Hashable
    item_id: str
    domain: str
    correct: bool
    answered_at: datetime


@dataclass(frozen=True)
class AuthorPrior:
    """Prior on an item's difficulty from its author's 1-5 rating: N(intercept + slope (rating - 3), sd)."""

    intercept: float = 0.0
    slope: float = 0.5
    sd: float = 1.0

    def mean(self, rating: float) -> float:
        return self.intercept + self.slope * (rating - 3)

    def params(self, rating: int) -> ItemParams:
        """Parameters for an item nobody has answered yet."""
        return ItemParams(difficulty=self.mean(rating), discrimination=1.0, se=self.sd, n=0)


@dataclass(frozen=True)
class CalibrationSettings:
    """How calibration runs. Statistical settings, not promotion policy."""

    practice_starts: tuple[int, ...] = (0, 3, 6, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200)
    practice_prior_sd: float = 1.0
    min_responses_2pl: int = 150
    discrimination_log_sd: float = 0.3
    author_prior: AuthorPrior = field(default_factory=AuthorPrior)  # used until it can be estimated
    learn_author_prior: bool = True
    author_fit_min_responses: int = 30  # items with this many responses inform the author prior
    author_fit_min_items: int = 10
    author_prior_min_sd: float = 0.2
    quadrature_points: int = 31
    quadrature_bound: float = 5.0
    max_iterations: int = 300
    tolerance: float = 1e-3  # stop when no parameter moves more than this


@dataclass(frozen=True)
class Calibration:
    """Parameters for every item, the practice curve, and the fitted author prior (for new items)."""

    items: dict[str, ItemParams]
    practice: PracticeCurve
    structure: AbilityStructure
    author_prior: AuthorPrior
    iterations: int
    converged: bool


@dataclass(frozen=True)
class CalibrationResult:
    """`calibrate_arrays` output: arrays in item order."""

    difficulty: NDArray[np.float64]
    discrimination: NDArray[np.float64]
    se: NDArray[np.float64]
    n: NDArray[np.int64]
    practice: PracticeCurve
    domain_correlation: float | None  # None without `person`, or with one domain per person
    author_prior: AuthorPrior
    iterations: int
    converged: bool
    log_likelihood: float

    def item_params(self, item_ids: Sequence[str]) -> dict[str, ItemParams]:
        return {
            item_id: ItemParams(
                difficulty=float(self.difficulty[k]),
                discrimination=float(self.discrimination[k]),
                se=float(self.se[k]),
                n=int(self.n[k]),
            )
            for k, item_id in enumerate(item_ids)
        }


def calibrate(
    responses: Sequence[CalibrationResponse],
    prior_difficulty: Mapping[str, int],
    settings: CalibrationSettings | None = None,
) -> Calibration:
    """Calibrate every item in `prior_difficulty` (item id -> author's 1-5 rating) from `responses`.

    Responses to items missing from `prior_difficulty` count as practice but are not calibrated.
    """
    settings = settings or CalibrationSettings()
    item_ids = list(prior_difficulty)
    item_index = {item_id: k for k, item_id in enumerate(item_ids)}
    # Codes for trainees, (trainee, domain) respondents and items, then one vectorised pass.
    trainee = _codes([r.trainee_id for r in responses])
    unit = _codes(list(zip(trainee, (r.domain for r in responses), strict=True)))
    item = np.array([item_index.get(r.item_id, -1) for r in responses], dtype=np.int64)
    correct = np.array([r.correct for r in responses], dtype=bool)
    seconds = np.array([(r.answered_at - EPOCH).total_seconds() for r in responses])
    order = np.lexsort((seconds, unit))  # by respondent, then time (stable for ties)
    starts = np.r_[0, np.flatnonzero(np.diff(unit[order])) + 1]
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    practice_count = np.empty(len(order), dtype=np.int64)
    practice_count[order] = rank  # earlier answers by the same trainee in the same domain
    # First attempt per (trainee, item): the earliest answer of each pair, among bank items.
    known = np.flatnonzero(item >= 0)
    by_time = known[np.argsort(seconds[known], kind="stable")]
    _, first = np.unique(np.stack([trainee[by_time], item[by_time]]), axis=1, return_index=True)
    keep = np.sort(by_time[first])
    respondent = np.unique(unit[keep], return_inverse=True)[1]
    person_of = np.zeros(respondent.max() + 1 if len(keep) else 0, dtype=np.int64)
    person_of[respondent] = trainee[keep]
    curve = PracticeCurve(starts=settings.practice_starts, gains=(0.0,) * len(settings.practice_starts))
    result = calibrate_arrays(
        respondent,
        item[keep],
        correct[keep],
        np.array([prior_difficulty[i] for i in item_ids], dtype=float),
        practice_segment=curve.bin_of(practice_count[keep]),
        person=person_of,
        settings=settings,
    )
    rho = result.domain_correlation
    return Calibration(
        result.item_params(item_ids),
        result.practice,
        AbilityStructure() if rho is None else AbilityStructure.from_correlation(rho),
        result.author_prior,
        result.iterations,
        result.converged,
    )


def _codes(values: Sequence[Hashable]) -> NDArray[np.int64]:
    """0, 1, 2, ... in order of first appearance."""
    seen: dict[Hashable, int] = {}
    return np.array([seen.setdefault(v, len(seen)) for v in values], dtype=np.int64)


def calibrate_arrays(
    respondent: NDArray[np.int64],
    item: NDArray[np.int64],
    correct: NDArray[np.bool_],
    author_rating: NDArray[np.float64],
    practice_segment: NDArray[np.int64] | None = None,
    person: NDArray[np.int64] | None = None,
    settings: CalibrationSettings | None = None,
) -> CalibrationResult:
    """Calibrate from parallel arrays: response k is `respondent[k]` answering `item[k]`, right or not,
    in practice-curve segment `practice_segment[k]` (default 0: no practice effect). `person[u]` names
    the trainee of respondent u, for the between-domain correlation.

    Items are 0..len(author_rating)-1, respondents 0..max; the caller applies the first-attempt rule.
    """
    settings = settings or CalibrationSettings()
    n_items, n_seg = len(author_rating), len(settings.practice_starts)
    segment = np.zeros_like(item) if practice_segment is None else practice_segment
    n_resp = int(respondent.max()) + 1 if len(respondent) else 0
    shape = (n_resp, n_items * n_seg)
    column = item * n_seg + segment  # one pseudo-item per (item, practice segment)
    right = sparse.csr_matrix((correct.astype(float), (respondent, column)), shape=shape)
    wrong = sparse.csr_matrix(((~correct).astype(float), (respondent, column)), shape=shape)
    answered_t = (right + wrong).T.tocsr()
    right_t = right.T.tocsr()
    n = np.bincount(item, minlength=n_items).astype(np.int64)
    free_a = n >= settings.min_responses_2pl

    nodes = np.linspace(-settings.quadrature_bound, settings.quadrature_bound, settings.quadrature_points)
    log_weights = -0.5 * nodes**2
    log_weights -= logsumexp(log_weights)

    prior = settings.author_prior
    b = prior.mean(author_rating)
    a = np.ones(n_items)
    gain = np.zeros(n_seg)
    se = np.full(n_items, prior.sd)
    converged = False
    log_lik = -np.inf
    post = np.zeros((n_resp, len(nodes)))
    iterations = 0
    while iterations < settings.max_iterations and not converged:
        iterations += 1
        dev = nodes[None, None, :] + gain[None, :, None] - b[:, None, None]  # items x segments x nodes
        z = (a[:, None, None] * dev).reshape(n_items * n_seg, -1)
        log_post = right @ log_expit(z) + wrong @ log_expit(-z) + log_weights
        norm = logsumexp(log_post, axis=1, keepdims=True)
        log_lik = float(norm.sum())
        post = np.exp(log_post - norm)
        expected_n = (answered_t @ post).reshape(n_items, n_seg, -1)
        expected_right = (right_t @ post).reshape(n_items, n_seg, -1)
        prior_mean = prior.mean(author_rating)
        new_b, new_a, se = _item_step(
            b, a, free_a, dev, expected_n, expected_right, prior_mean, prior.sd, settings
        )
        new_gain = _practice_step(gain, new_a, nodes, new_b, expected_n, expected_right, settings)
        change = max(
            np.abs(new_b - b).max(initial=0.0),
            np.abs(new_a - a).max(initial=0.0),
            np.abs(new_gain - gain).max(initial=0.0),
        )
        b, a, gain = new_b, new_a, new_gain
        if settings.learn_author_prior:
            prior = _fit_author_prior(b, se, n, author_rating, prior, settings)
        converged = change < settings.tolerance
    unseen = n == 0  # nothing but the author's rating: exactly the final prior
    b[unseen], se[unseen] = prior.mean(author_rating[unseen]), prior.sd
    curve = PracticeCurve(starts=tuple(settings.practice_starts), gains=tuple(float(g) for g in gain))
    rho = None if person is None or n_resp == 0 else _domain_correlation(post, nodes, person)
    return CalibrationResult(b, a, se, n, curve, rho, prior, iterations, converged, log_lik)


def _domain_correlation(
    post: NDArray[np.float64], nodes: NDArray[np.float64], person: NDArray[np.int64]
) -> float | None:
    """Method-of-moments correlation between a trainee's domain abilities (see the module rules)."""
    mean = post @ nodes
    reliability = 1 - (post @ nodes**2 - mean**2)
    pairs_m = _pair_sum(mean, person)
    pairs_r = _pair_sum(reliability, person)
    return None if pairs_r <= 0 else float(pairs_m / pairs_r)


def _pair_sum(x: NDArray[np.float64], group: NDArray[np.int64]) -> float:
    """Sum over unordered pairs u != v in the same group of x_u x_v."""
    total = np.bincount(group, weights=x)
    squares = np.bincount(group, weights=x**2)
    return float(((total**2 - squares) / 2).sum())


def _item_step(
    b: NDArray[np.float64],
    a: NDArray[np.float64],
    free_a: NDArray[np.bool_],
    dev: NDArray[np.float64],
    expected_n: NDArray[np.float64],
    expected_right: NDArray[np.float64],
    prior_mean: NDArray[np.float64],
    prior_sd: float,
    settings: CalibrationSettings,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """One Fisher-scoring step on (b, log a) for every item, with the priors; returns b, a and se(b)."""
    p = expit(a[:, None, None] * dev)
    resid = expected_right - expected_n * p
    info = expected_n * p * (1 - p)
    log_a = np.log(a)
    log_a_sd = settings.discrimination_log_sd
    axes = (1, 2)
    # Score and Fisher information for (b, alpha = log a).
    g_b = -a * resid.sum(axis=axes) - (b - prior_mean) / prior_sd**2
    g_al = a * (resid * dev).sum(axis=axes) - log_a / log_a_sd**2
    i_bb = a**2 * info.sum(axis=axes) + 1 / prior_sd**2
    i_aa = a**2 * (info * dev**2).sum(axis=axes) + 1 / log_a_sd**2
    i_ba = -(a**2) * (info * dev).sum(axis=axes)
    det = i_bb * i_aa - i_ba**2
    step_b = np.where(free_a, (i_aa * g_b - i_ba * g_al) / det, g_b / i_bb)
    step_al = np.where(free_a, (i_bb * g_al - i_ba * g_b) / det, 0.0)
    new_b = b + np.clip(step_b, -1.0, 1.0)
    new_a = np.exp(log_a + np.clip(step_al, -0.5, 0.5))
    # se(b): the (b, b) element of the inverse information for 2PL items, 1/i_bb for Rasch ones.
    return new_b, new_a, np.sqrt(np.where(free_a, i_aa / det, 1 / i_bb))


def _practice_step(
    gain: NDArray[np.float64],
    a: NDArray[np.float64],
    nodes: NDArray[np.float64],
    b: NDArray[np.float64],
    expected_n: NDArray[np.float64],
    expected_right: NDArray[np.float64],
    settings: CalibrationSettings,
) -> NDArray[np.float64]:
    """One Fisher-scoring step per practice segment after the first (whose gain is 0 by definition)."""
    dev = nodes[None, None, :] + gain[None, :, None] - b[:, None, None]
    p = expit(a[:, None, None] * dev)
    resid = expected_right - expected_n * p
    info = expected_n * p * (1 - p)
    sd = settings.practice_prior_sd
    score = (a[:, None, None] * resid).sum(axis=(0, 2)) - gain / sd**2
    fisher = (a[:, None, None] ** 2 * info).sum(axis=(0, 2)) + 1 / sd**2
    new = gain + np.clip(score / fisher, -0.5, 0.5)
    new[0] = 0.0
    reached = expected_n.sum(axis=(0, 2)) >= 1.0
    for k in range(1, len(new)):
        if not reached[k]:
            new[k] = new[k - 1]
    return new


def _fit_author_prior(
    b: NDArray[np.float64],
    se: NDArray[np.float64],
    n: NDArray[np.int64],
    rating: NDArray[np.float64],
    current: AuthorPrior,
    settings: CalibrationSettings,
) -> AuthorPrior:
    """Regress well-answered items' difficulty on their author rating (empirical Bayes)."""
    use = n >= settings.author_fit_min_responses
    if use.sum() < settings.author_fit_min_items or len(np.unique(rating[use])) < 2:
        return current
    x = rating[use] - 3
    slope, intercept = np.polyfit(x, b[use], 1)
    resid = b[use] - (intercept + slope * x)
    var = float(np.mean(resid**2) - np.mean(se[use] ** 2))
    sd = max(np.sqrt(max(var, 0.0)), settings.author_prior_min_sd)
    return AuthorPrior(intercept=float(intercept), slope=float(slope), sd=float(sd))
