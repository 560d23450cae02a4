"""Item calibration: 2PL item parameters from stored responses by marginal maximum likelihood (EM).

Rules
- Data: each trainee's first attempt at each item (a second attempt measures memory of the feedback, not
  the skill). `calibrate` applies this rule; `calibrate_arrays` trusts its caller.
- Respondents: abilities are per domain and grow with practice, so a respondent is a (trainee, domain,
  period) triple (`period_days`, default 28): within one period a trainee's ability in one domain is
  taken as fixed. Every respondent's ability is drawn from N(0, 1); this fixes the scale.
- Estimation: Bock-Aitkin EM over a fixed quadrature, vectorised with sparse matrices, so 1M responses take
  seconds. Each M-step is one Fisher-scoring step per item, all items at once.
- Priors (this is how items with few responses lean on their author): difficulty ~ N(c + s (rating - 3),
  tau^2) from the author's 1-5 rating, where c, s and tau are re-estimated each iteration from the items
  with enough responses (empirical Bayes; defaults until there are enough). log discrimination ~ N(0, 0.3^2).
- Rasch or 2PL: an item's discrimination is estimated only once it has `min_responses_2pl` responses;
  until then it is 1 (Rasch).
- Standard errors come from the information of the last M-step plus the prior; they slightly understate
  the uncertainty (the information lost by not knowing each respondent's ability is not added back).
  An item with no responses gets the author prior: its difficulty and se are the prior's mean and sd.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.special import expit, log_expit, logsumexp

from .irt import ItemParams

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

    period_days: float | None = 28.0  # None: one respondent per (trainee, domain)
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
    tolerance: float = 1e-3  # stop when no difficulty or discrimination moves more than this


@dataclass(frozen=True)
class CalibrationResult:
    """Arrays in item order, plus the fitted author prior and how the EM went."""

    difficulty: NDArray[np.float64]
    discrimination: NDArray[np.float64]
    se: NDArray[np.float64]
    n: NDArray[np.int64]
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
) -> dict[str, ItemParams]:
    """Parameters for every item in `prior_difficulty` (item id -> author's 1-5 rating).

    Responses to items missing from `prior_difficulty` are ignored (the item left the bank).
    """
    settings = settings or CalibrationSettings()
    item_ids = list(prior_difficulty)
    item_index = {item_id: k for k, item_id in enumerate(item_ids)}
    first: dict[tuple[Hashable, str], CalibrationResponse] = {}
    for r in responses:
        key = (r.trainee_id, r.item_id)
        if r.item_id in item_index and (key not in first or r.answered_at < first[key].answered_at):
            first[key] = r
    respondents: dict[tuple[Hashable, str, int], int] = {}
    rows, cols, correct = [], [], []
    for r in first.values():
        unit = (r.trainee_id, r.domain, _period(r.answered_at, settings.period_days))
        rows.append(respondents.setdefault(unit, len(respondents)))
        cols.append(item_index[r.item_id])
        correct.append(r.correct)
    ratings = np.array([prior_difficulty[i] for i in item_ids], dtype=float)
    result = calibrate_arrays(
        np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(correct, dtype=bool),
        ratings, settings,
    )
    return result.item_params(item_ids)


def _period(at: datetime, period_days: float | None) -> int:
    if period_days is None:
        return 0
    return int((at - EPOCH).total_seconds() // (period_days * 86400))


def calibrate_arrays(
    respondent: NDArray[np.int64],
    item: NDArray[np.int64],
    correct: NDArray[np.bool_],
    author_rating: NDArray[np.float64],
    settings: CalibrationSettings | None = None,
    start: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
) -> CalibrationResult:
    """Calibrate from parallel arrays: response k is `respondent[k]` answering `item[k]`, right or not.

    Items are 0..len(author_rating)-1; respondents 0..max. `start` (difficulty, discrimination) warm-starts
    the EM, e.g. from the previous calibration.
    """
    settings = settings or CalibrationSettings()
    n_items = len(author_rating)
    n_resp = int(respondent.max()) + 1 if len(respondent) else 0
    shape = (n_resp, n_items)
    right = sparse.csr_matrix((correct.astype(float), (respondent, item)), shape=shape)
    wrong = sparse.csr_matrix(((~correct).astype(float), (respondent, item)), shape=shape)
    answered_t = (right + wrong).T.tocsr()
    right_t = right.T.tocsr()
    n = np.bincount(item, minlength=n_items).astype(np.int64)
    free_a = n >= settings.min_responses_2pl

    nodes = np.linspace(-settings.quadrature_bound, settings.quadrature_bound, settings.quadrature_points)
    log_weights = -0.5 * nodes**2
    log_weights -= logsumexp(log_weights)

    prior = settings.author_prior
    if start is None:
        b = np.array([prior.mean(r) for r in author_rating])
        a = np.ones(n_items)
    else:
        b, a = (np.array(x, dtype=float) for x in start)
        a = np.where(free_a, a, 1.0)
    se = np.full(n_items, prior.sd)
    converged = False
    log_lik = -np.inf
    iterations = 0
    while iterations < settings.max_iterations and not converged:
        iterations += 1
        z = a[:, None] * (nodes[None, :] - b[:, None])
        log_post = right @ log_expit(z) + wrong @ log_expit(-z) + log_weights
        norm = logsumexp(log_post, axis=1, keepdims=True)
        log_lik = float(norm.sum())
        post = np.exp(log_post - norm)
        expected_n = answered_t @ post
        expected_right = right_t @ post
        prior_mean = prior.intercept + prior.slope * (author_rating - 3)
        new_b, new_a, se = _m_step(
            b, a, free_a, nodes, expected_n, expected_right, prior_mean, prior.sd,
            settings.discrimination_log_sd,
        )
        change = max(np.abs(new_b - b).max(initial=0.0), np.abs(new_a - a).max(initial=0.0))
        b, a = new_b, new_a
        if settings.learn_author_prior:
            prior = _fit_author_prior(b, se, n, author_rating, prior, settings)
        converged = change < settings.tolerance
    return CalibrationResult(b, a, se, n, prior, iterations, converged, log_lik)


def _m_step(
    b: NDArray[np.float64],
    a: NDArray[np.float64],
    free_a: NDArray[np.bool_],
    nodes: NDArray[np.float64],
    expected_n: NDArray[np.float64],
    expected_right: NDArray[np.float64],
    prior_mean: NDArray[np.float64],
    prior_sd: float,
    log_a_sd: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """One Fisher-scoring step on (b, log a) for every item, with the priors; returns b, a and se(b)."""
    dev = nodes[None, :] - b[:, None]
    p = expit(a[:, None] * dev)
    resid = expected_right - expected_n * p
    info = expected_n * p * (1 - p)
    log_a = np.log(a)
    # Score and Fisher information for (b, alpha = log a).
    g_b = -a * resid.sum(axis=1) - (b - prior_mean) / prior_sd**2
    g_al = a * (resid * dev).sum(axis=1) - log_a / log_a_sd**2
    i_bb = a**2 * info.sum(axis=1) + 1 / prior_sd**2
    i_aa = a**2 * (info * dev**2).sum(axis=1) + 1 / log_a_sd**2
    i_ba = -(a**2) * (info * dev).sum(axis=1)
    det = i_bb * i_aa - i_ba**2
    step_b_2pl = (i_aa * g_b - i_ba * g_al) / det
    step_al = (i_bb * g_al - i_ba * g_b) / det
    step_b = np.where(free_a, step_b_2pl, g_b / i_bb)
    step_al = np.where(free_a, step_al, 0.0)
    new_b = b + np.clip(step_b, -1.0, 1.0)
    new_a = np.exp(log_a + np.clip(step_al, -0.5, 0.5))
    # se(b): the (b, b) element of the inverse information for 2PL items, 1/i_bb for Rasch ones.
    var_b = np.where(free_a, i_aa / det, 1 / i_bb)
    return new_b, new_a, np.sqrt(var_b)


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
