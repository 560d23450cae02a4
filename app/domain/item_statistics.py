"""Item analysis of practice questions and reliability of fixed forms, after Moodle's quiz statistics.

The per-item indices follow Moodle's quiz statistics report (docs.moodle.org/dev/Quiz_statistics_calculations,
implemented in Moodle's question/classes/statistics/questions/calculator.php). Moodle prints them as
percentages; here they are fractions, so Moodle's "discrimination index 35.20 %" is 0.352 here.
All variances and covariances are sample ones (divided by n - 1), as in Moodle.

Pure numpy: values in, values out. A statistic that is undefined for the data (too few attempts, no
spread) is None, never NaN and never a warning.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

from app.domain.questions import QuestionSpec

# A variance below this (an SD under 1e-9 on the 0-1 score scale) is rounding noise, not spread: 0.3 and
# (1.3 - 1.0) differ in the last bit. Statistics that divide by such a variance are reported as None.
_ZERO_VARIANCE = 1e-18


@dataclass(frozen=True)
class ItemResponse:
    """One attempt's response to one item.

    `item_id` names one question *version* (for example "credit-release-authority@3"): statistics of
    an edited question must not mix its versions, so the caller chooses an id per version.
    """

    attempt_id: str
    item_id: str
    score: float | None  # fraction of the item's marks, 0-1; None: the item was not presented
    chosen: tuple[str, ...] = ()  # option keys the trainee selected; () when omitted or numeric
    seconds: float | None = None  # time spent on the item; None when not recorded


@dataclass(frozen=True)
class AnswerKey:
    """The option keys an item offered, in display order, and which of them are correct."""

    options: tuple[str, ...]
    correct: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.correct or not set(self.correct) <= set(self.options):
            raise ValueError(
                f"answer key {self.correct!r} must be one or more of the options {self.options!r}"
            )

    @classmethod
    def for_question(cls, question: QuestionSpec) -> AnswerKey:
        return cls(tuple(o.key for o in question.options), question.correct_keys)


class ItemFlag(StrEnum):
    TOO_HARD = "too hard"
    TOO_EASY = "too easy"
    NEGATIVE_DISCRIMINATION = "negative discrimination"
    DISTRACTOR_BEATS_KEY = "a distractor is chosen more often than the key"


@dataclass(frozen=True)
class OptionRate:
    """How many of an item's respondents selected one option; `rate` is `count / respondents`."""

    key: str
    correct: bool
    count: int
    rate: float


@dataclass(frozen=True)
class ItemStatistics:
    """Moodle-style statistics for one item (question version); see `item_statistics`."""

    item_id: str
    count: int  # attempts the item was presented in
    facility: float
    sd: float | None
    discrimination: float | None
    discriminative_efficiency: float | None
    median_seconds: float | None
    options: tuple[OptionRate, ...]  # in the answer key's order; () without an answer key
    flags: tuple[ItemFlag, ...]
    suggest_retire: bool


@dataclass(frozen=True)
class FormStatistics:
    """Totals and reliability of a fixed form; see `form_statistics`."""

    attempts: int
    items: int
    mean_total: float | None  # in items' worth of marks: 0 to `items`
    sd_total: float | None
    alpha: float | None
    kr20: float | None  # None unless every score is 0 or 1
    sem: float | None  # standard error of measurement, on the same scale as `mean_total`


def item_statistics(
    responses: Iterable[ItemResponse],
    answer_keys: Mapping[str, AnswerKey] | None = None,
    *,
    too_hard_below: float = 0.2,
    too_easy_above: float = 0.95,
    retire_below: float = 0.1,
    retire_min_count: int = 30,
    flag_min_count: int = 0,
    confidence: float | None = None,
) -> dict[str, ItemStatistics]:
    """Statistics for every item presented at least once, keyed and ordered by item id.

    Works for a fixed form and for a pool from which attempts draw different items. Responses whose
    score is None (not presented) are ignored. Every item counts equally towards an attempt's total.
    With x the item's score and n the attempts it was presented in:

    - facility: mean of x (Moodle: average mark / maximum mark).
    - sd: sample standard deviation of x, None when n < 2 (Moodle).
    - discrimination: Pearson correlation of x with the rest-of-test score X (Moodle's discrimination
      index), C(x, X) / sqrt(V(x) V(X)). Moodle's X is the attempt total minus x; here X is the *mean*
      of the other items the attempt presented, (total - x) / (m - 1) for an attempt of m items. When
      every attempt presents the same number of items (any fixed form) that is a constant rescaling of
      Moodle's X and the index is identical; in a pool with attempts of different lengths it keeps a
      long attempt from looking able merely because it had more items. Attempts that presented only
      this item have no rest score and are left out of this and the next index. None when fewer than
      two attempts remain or either x or X has no spread.
    - discriminative_efficiency (Moodle): C(x, X) / C_max(x, X), where C_max is the covariance obtained
      by sorting x and X independently in ascending order and pairing them rank by rank, the largest
      covariance any pairing of these two score distributions can reach. It says how close the item
      comes to the best discrimination its facility allows. It is at most 1 but, unlike the
      correlation, can fall below -1. None when the discrimination index is None.
    - median_seconds: median of the recorded times, None if none were recorded.
    - options: for items in `answer_keys`, the share of the n respondents (omitters included) who
      selected each option; for multiple-response items the shares can add up to more than 1.

    Flags, each a strict comparison with the keyword thresholds:
    - TOO_HARD: facility < `too_hard_below` (0.2); TOO_EASY: facility > `too_easy_above` (0.95).
    - NEGATIVE_DISCRIMINATION: discrimination < 0: stronger trainees do worse on it; check the key.
    - DISTRACTOR_BEATS_KEY: some wrong option was selected more often than the least-selected
      correct option.

    `suggest_retire` is True when the item has been presented at least `retire_min_count` (30) times
    and its discrimination is below `retire_below` (0.1): enough evidence that it does not separate
    stronger from weaker trainees.

    Evidence before a flag (the app passes both; the defaults keep point estimates): no flag at all
    below `flag_min_count` presentations; with `confidence` (e.g. 0.90) each comparison uses a one-sided
    bound instead of the point estimate: TOO_HARD when the Wilson upper bound of the facility is below
    the threshold, TOO_EASY when its lower bound is above it, NEGATIVE_DISCRIMINATION and
    `suggest_retire` when the Fisher-z upper bound of the discrimination is below 0 (or `retire_below`). An item nobody gets wrong (or right) has no discrimination index;
    it is flagged too easy (or too hard) but not suggested for retirement.

    Raises ValueError for a score outside 0-1, a negative time, an attempt holding the same item
    twice, an unpresented item with chosen options, or a chosen key that the answer key lacks.
    """
    answer_keys = answer_keys or {}
    presented = _presented(responses)
    if not presented:
        return {}
    coded = _Coded.of(presented)
    k = len(coded.item_ids)
    x, item = coded.score, coded.item

    count = np.bincount(item, minlength=k)
    facility = np.bincount(item, weights=x, minlength=k) / count
    squares = np.bincount(item, weights=(x - facility[item]) ** 2, minlength=k)
    sd = np.full(k, np.nan)
    several = count >= 2
    sd[several] = np.sqrt(squares[several] / (count[several] - 1))

    totals = np.bincount(coded.attempt, weights=x)
    lengths = np.bincount(coded.attempt)[coded.attempt]
    has_rest = lengths >= 2
    rest = (totals[coded.attempt][has_rest] - x[has_rest]) / (lengths[has_rest] - 1)
    discrimination, efficiency = _rest_of_test_indices(item[has_rest], x[has_rest], rest, k)

    timed = ~np.isnan(coded.seconds)
    median_seconds = _group_medians(item[timed], coded.seconds[timed], k)

    chosen_counts = _count_choices(presented, answer_keys)
    results: dict[str, ItemStatistics] = {}
    for code in sorted(range(k), key=coded.item_ids.__getitem__):
        item_id = coded.item_ids[code]
        n = int(count[code])
        disc = _optional(discrimination[code])
        key = answer_keys.get(item_id)
        options = _option_rates(key, chosen_counts, item_id, n) if key else ()
        if n < flag_min_count:
            flags, retire = (), False
        elif confidence is None:
            flags = _flags(float(facility[code]), disc, options, too_hard_below, too_easy_above)
            retire = disc is not None and disc < retire_below and n >= retire_min_count
        else:
            low, high = wilson_interval(float(facility[code]), n, confidence)
            disc_high = correlation_upper_bound(disc, n, confidence)
            flags = _flags(
                float(facility[code]),
                disc_high,
                options,
                too_hard_below,
                too_easy_above,
                facility_bounds=(low, high),
            )
            retire = disc_high is not None and disc_high < retire_below and n >= retire_min_count
        results[item_id] = ItemStatistics(
            item_id=item_id,
            count=n,
            facility=float(facility[code]),
            sd=_optional(sd[code]),
            discrimination=disc,
            discriminative_efficiency=_optional(efficiency[code]),
            median_seconds=_optional(median_seconds[code]),
            options=options,
            flags=flags,
            suggest_retire=retire,
        )
    return results


def form_statistics(responses: Iterable[ItemResponse]) -> FormStatistics:
    """Total-score statistics and reliability for a fixed form: every attempt presents every item.

    The form's items are those in the responses; the total of an attempt is the sum of its item
    scores. `sd_total` is the sample SD of the totals (Moodle), `alpha` is `cronbach_alpha` (Moodle's
    coefficient of internal consistency), `kr20` is `kr20` when every score is 0 or 1, and `sem` is
    `standard_error_of_measurement(sd_total, alpha)` (Moodle's standard error). Raises ValueError
    naming an attempt that is missing an item: a pool is analysed with `item_statistics` only.
    """
    matrix = _form_matrix(_presented(responses))
    attempts, items = matrix.shape
    totals = matrix.sum(axis=1)
    sd_total = float(totals.std(ddof=1)) if attempts >= 2 else None
    alpha = cronbach_alpha(matrix)
    dichotomous = bool(np.isin(matrix, (0.0, 1.0)).all())
    return FormStatistics(
        attempts=attempts,
        items=items,
        mean_total=float(totals.mean()) if attempts else None,
        sd_total=sd_total,
        alpha=alpha,
        kr20=kr20(matrix) if dichotomous else None,
        sem=standard_error_of_measurement(sd_total, alpha),
    )


def cronbach_alpha(matrix: ArrayLike) -> float | None:
    """Cronbach's alpha of an attempts x items score matrix (Moodle's coefficient of internal consistency).

    alpha = k / (k - 1) * (1 - sum_i V(x_i) / V(T)), with k items, V(x_i) the sample variance of item
    i and V(T) the sample variance of the attempt totals. It is at most 1 (rounding above 1 is
    clipped) and can be negative when items pull against each other. None when there are fewer than
    two attempts or two items, or the totals do not vary.
    """
    scores = _as_matrix(matrix)
    attempts, items = scores.shape
    if attempts < 2 or items < 2:
        return None
    total_variance = scores.sum(axis=1).var(ddof=1)
    if total_variance <= _ZERO_VARIANCE * items * items:
        return None
    item_variance = scores.var(axis=0, ddof=1).sum()
    return min(1.0, float(items / (items - 1) * (1 - item_variance / total_variance)))


def kr20(matrix: ArrayLike) -> float | None:
    """Kuder-Richardson formula 20 of an attempts x items matrix of 0/1 scores.

    KR-20 = k / (k - 1) * (1 - sum_i p_i q_i / s^2), with p_i the share of attempts scoring 1 on item
    i, q_i = 1 - p_i and s^2 the population variance (divided by n) of the totals. p_i q_i is item i's
    population variance, so on 0/1 data KR-20 equals `cronbach_alpha` exactly. None in the same
    degenerate cases; raises ValueError if a score is not 0 or 1 (use `cronbach_alpha` then).
    """
    scores = _as_matrix(matrix)
    if not np.isin(scores, (0.0, 1.0)).all():
        raise ValueError("KR-20 needs scores of 0 or 1; use cronbach_alpha for partial credit")
    attempts, items = scores.shape
    if attempts < 2 or items < 2:
        return None
    total_variance = scores.sum(axis=1).var(ddof=0)
    if total_variance <= _ZERO_VARIANCE * items * items:
        return None
    p = scores.mean(axis=0)
    return min(1.0, float(items / (items - 1) * (1 - (p * (1 - p)).sum() / total_variance)))


def standard_error_of_measurement(sd_total: float | None, reliability: float | None) -> float | None:
    """SEM = SD_total * sqrt(1 - reliability) (Moodle's standard error); None if either input is None.

    Moodle builds it as error ratio sqrt(1 - CIC) times the SD of the totals; same number. A negative
    reliability gives an SEM larger than the SD: the form does not measure consistently at all.
    """
    if sd_total is None or reliability is None:
        return None
    if reliability > 1:
        raise ValueError(f"reliability {reliability} is above 1")
    return sd_total * float(np.sqrt(1 - reliability))


@dataclass(frozen=True)
class _Coded:
    """Presented responses as parallel numpy arrays, with ids replaced by dense integer codes."""

    item_ids: list[str]
    attempt_ids: list[str]
    item: NDArray[np.intp]
    attempt: NDArray[np.intp]
    score: NDArray[np.float64]
    seconds: NDArray[np.float64]  # NaN where not recorded

    @classmethod
    def of(cls, responses: Sequence[ItemResponse]) -> _Coded:
        n = len(responses)
        items: dict[str, int] = {}
        attempts: dict[str, int] = {}
        item = np.fromiter((items.setdefault(r.item_id, len(items)) for r in responses), np.intp, n)
        attempt = np.fromiter(
            (attempts.setdefault(r.attempt_id, len(attempts)) for r in responses), np.intp, n
        )
        score = np.fromiter((r.score for r in responses), np.float64, n)
        seconds = np.fromiter((np.nan if r.seconds is None else r.seconds for r in responses), np.float64, n)

        out_of_range = ~((score >= 0) & (score <= 1))  # NaN is out of range too
        if out_of_range.any():
            r = responses[int(np.argmax(out_of_range))]
            raise ValueError(
                f"attempt {r.attempt_id!r}, item {r.item_id!r}: score {r.score!r} is not a fraction "
                "from 0 to 1 of the item's marks"
            )
        if (seconds < 0).any():
            r = responses[int(np.argmax(seconds < 0))]
            raise ValueError(f"attempt {r.attempt_id!r}, item {r.item_id!r}: negative time {r.seconds!r}")
        cells = attempt * len(items) + item
        unique_cells, first = np.unique(cells, return_index=True)
        if len(unique_cells) < n:
            repeated = np.setdiff1d(np.arange(n), first)[0]
            r = responses[int(repeated)]
            raise ValueError(
                f"attempt {r.attempt_id!r} holds item {r.item_id!r} more than once; pass one response "
                "per item per attempt (the final one)"
            )
        return cls(list(items), list(attempts), item, attempt, score, seconds)


def _presented(responses: Iterable[ItemResponse]) -> list[ItemResponse]:
    presented = []
    for r in responses:
        if r.score is not None:
            presented.append(r)
        elif r.chosen:
            raise ValueError(
                f"attempt {r.attempt_id!r}, item {r.item_id!r}: options {r.chosen!r} chosen but the "
                "score is None (not presented)"
            )
    return presented


def _rest_of_test_indices(
    item: NDArray[np.intp], x: NDArray[np.float64], rest: NDArray[np.float64], k: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per item code: Moodle's discrimination index and discriminative efficiency (NaN if undefined)."""
    n = np.bincount(item, minlength=k)
    safe_n = np.maximum(n, 1)
    dx = x - (np.bincount(item, weights=x, minlength=k) / safe_n)[item]
    d_rest = rest - (np.bincount(item, weights=rest, minlength=k) / safe_n)[item]
    sxx = np.bincount(item, weights=dx * dx, minlength=k)
    srr = np.bincount(item, weights=d_rest * d_rest, minlength=k)
    sxr = np.bincount(item, weights=dx * d_rest, minlength=k)
    # Sorting by (item, value) keeps each item's rows together, in the same item order for x and for
    # rest, so pairing the two orders elementwise pairs each item's i-th smallest x with its i-th
    # smallest rest score: Moodle's maximum covariance.
    by_x = np.lexsort((x, item))
    by_rest = np.lexsort((rest, item))
    s_max = np.bincount(item[by_x], weights=dx[by_x] * d_rest[by_rest], minlength=k)

    denominator = np.maximum(n - 1, 1)
    defined = (n >= 2) & (sxx / denominator > _ZERO_VARIANCE) & (srr / denominator > _ZERO_VARIANCE)
    discrimination = np.full(k, np.nan)
    discrimination[defined] = np.clip(sxr[defined] / np.sqrt(sxx[defined] * srr[defined]), -1, 1)
    # With both spreads non-zero, C_max > 0 (Chebyshev's sum inequality), so `defined` suffices.
    efficiency = np.full(k, np.nan)
    efficiency[defined] = np.minimum(sxr[defined] / s_max[defined], 1)
    return discrimination, efficiency


def _group_medians(group: NDArray[np.intp], values: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """Median of `values` within each group code 0..k-1; NaN for a group without values."""
    ordered = values[np.lexsort((values, group))]
    sizes = np.bincount(group, minlength=k)
    starts = np.cumsum(sizes) - sizes
    medians = np.full(k, np.nan)
    some = sizes > 0
    low = starts[some] + (sizes[some] - 1) // 2
    high = starts[some] + sizes[some] // 2
    medians[some] = (ordered[low] + ordered[high]) / 2
    return medians


def _count_choices(
    responses: Sequence[ItemResponse], answer_keys: Mapping[str, AnswerKey]
) -> Counter[tuple[str, str]]:
    """How many responses selected each (item id, option key), for items with an answer key."""
    counts: Counter[tuple[str, str]] = Counter()
    for r in responses:
        if not r.chosen or r.item_id not in answer_keys:
            continue
        options = answer_keys[r.item_id].options
        for option in set(r.chosen):
            if option not in options:
                raise ValueError(
                    f"attempt {r.attempt_id!r}, item {r.item_id!r}: chose {option!r}, which is not one "
                    f"of the options {options!r}; is the answer key for this question version?"
                )
            counts[r.item_id, option] += 1
    return counts


def _option_rates(
    key: AnswerKey, counts: Counter[tuple[str, str]], item_id: str, respondents: int
) -> tuple[OptionRate, ...]:
    return tuple(
        OptionRate(
            option, option in key.correct, counts[item_id, option], counts[item_id, option] / respondents
        )
        for option in key.options
    )


def wilson_interval(proportion: float, n: int, confidence: float) -> tuple[float, float]:
    """One-sided Wilson bounds (each at `confidence`) of a proportion observed over n trials."""
    z = NormalDist().inv_cdf(confidence)
    centre = (proportion + z * z / (2 * n)) / (1 + z * z / n)
    spread = z * math.sqrt(proportion * (1 - proportion) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - spread), min(1.0, centre + spread)


def correlation_upper_bound(r: float | None, n: int, confidence: float) -> float | None:
    """One-sided upper bound of a correlation by Fisher's z; None without an estimate or with n < 4."""
    if r is None or n < 4:
        return None
    z = math.atanh(max(-0.999999, min(0.999999, r))) + NormalDist().inv_cdf(confidence) / math.sqrt(n - 3)
    return math.tanh(z)


def _flags(
    facility: float,
    discrimination: float | None,
    options: tuple[OptionRate, ...],
    too_hard_below: float,
    too_easy_above: float,
    facility_bounds: tuple[float, float] | None = None,
) -> tuple[ItemFlag, ...]:
    low, high = facility_bounds or (facility, facility)
    flags = []
    if high < too_hard_below:
        flags.append(ItemFlag.TOO_HARD)
    if low > too_easy_above:
        flags.append(ItemFlag.TOO_EASY)
    if discrimination is not None and discrimination < 0:
        flags.append(ItemFlag.NEGATIVE_DISCRIMINATION)
    distractors = [o.count for o in options if not o.correct]
    if distractors and max(distractors) > min(o.count for o in options if o.correct):
        flags.append(ItemFlag.DISTRACTOR_BEATS_KEY)
    return tuple(flags)


def _form_matrix(responses: Sequence[ItemResponse]) -> NDArray[np.float64]:
    """Attempts x items score matrix of a fixed form; raises ValueError for a missing cell."""
    if not responses:
        return np.zeros((0, 0))
    coded = _Coded.of(responses)
    matrix = np.full((len(coded.attempt_ids), len(coded.item_ids)), np.nan)
    matrix[coded.attempt, coded.item] = coded.score
    missing = np.argwhere(np.isnan(matrix))
    if len(missing):
        attempt, item = missing[0]
        raise ValueError(
            f"attempt {coded.attempt_ids[attempt]!r} did not present item {coded.item_ids[item]!r}; form "
            "statistics need every item in every attempt (analyse pools with item_statistics)"
        )
    return matrix


def _as_matrix(matrix: ArrayLike) -> NDArray[np.float64]:
    scores = np.asarray(matrix, dtype=np.float64)
    if scores.ndim != 2:
        raise ValueError(f"expected an attempts x items matrix, got an array of shape {scores.shape}")
    return scores


def _optional(value: np.floating) -> float | None:
    return None if np.isnan(value) else float(value)
