"""Item analysis and form reliability against hand-computed examples, plus properties that must always hold."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from app.domain.item_statistics import (
    AnswerKey,
    ItemFlag,
    ItemResponse,
    cronbach_alpha,
    form_statistics,
    item_statistics,
    kr20,
    standard_error_of_measurement,
)

# Five attempts at a three-item form (rows: attempts a0-a4; columns: items A, B, C).
#        A  B  C   total
FORM = [
    [1, 1, 1],  # 3
    [1, 1, 0],  # 2
    [1, 0, 0],  # 1
    [0, 1, 0],  # 1
    [0, 0, 0],  # 0
]


def responses_of(matrix, items="ABCDEFGHIJ"):
    """ItemResponses for an attempts x items matrix; None cells are items the attempt did not present."""
    return [
        ItemResponse(f"a{row}", items[col], None if score is None else float(score))
        for row, scores in enumerate(matrix)
        for col, score in enumerate(scores)
    ]


def test_fixed_form_item_a_by_hand():
    # Item A: x = 1 1 1 0 0, mean 0.6. Rest of test (total - x) = 2 1 0 1 0, mean 0.8.
    # dx = .4 .4 .4 -.6 -.6      sum dx^2 = 3(.16) + 2(.36) = 1.2  -> V(x) = 1.2/4 = .3, sd = sqrt(.3)
    # dX = 1.2 .2 -.8 .2 -.8     sum dX^2 = 1.44 + .04 + .64 + .04 + .64 = 2.8
    # sum dx dX = .48 + .08 - .32 - .12 + .48 = .6
    # discrimination = .6 / sqrt(1.2 * 2.8) = .6 / sqrt(3.36) = 0.327327
    # C_max: sorted x 0 0 1 1 1 (dx -.6 -.6 .4 .4 .4) paired with sorted X 0 0 1 1 2 (dX -.8 -.8 .2 .2 1.2)
    #        = .48 + .48 + .08 + .08 + .48 = 1.6  -> efficiency = .6 / 1.6 = 0.375
    a = item_statistics(responses_of(FORM))["A"]
    assert a.count == 5
    assert a.facility == pytest.approx(0.6)
    assert a.sd == pytest.approx(math.sqrt(0.3))
    assert a.discrimination == pytest.approx(0.6 / math.sqrt(3.36))
    assert a.discrimination == pytest.approx(0.327327, abs=1e-6)
    assert a.discriminative_efficiency == pytest.approx(0.375)
    assert a.flags == ()


def test_fixed_form_item_c_by_hand():
    # Item C: x = 1 0 0 0 0, mean .2; rest X = 2 2 1 1 0, mean 1.2.
    # dx = .8 -.2 -.2 -.2 -.2    sum dx^2 = .64 + 4(.04) = .8  -> sd = sqrt(.8/4) = sqrt(.2)
    # dX = .8 .8 -.2 -.2 -1.2    sum dX^2 = .64 + .64 + .04 + .04 + 1.44 = 2.8
    # sum dx dX = .64 - .16 + .04 + .04 + .24 = .8   -> discrimination = .8 / sqrt(.8 * 2.8) = 0.534522
    # C_max: dx sorted -.2 -.2 -.2 -.2 .8 with dX sorted -1.2 -.2 -.2 .8 .8
    #        = .24 + .04 + .04 - .16 + .64 = .8      -> efficiency = .8 / .8 = 1: as good as its facility allows
    c = item_statistics(responses_of(FORM))["C"]
    assert c.facility == pytest.approx(0.2)
    assert c.sd == pytest.approx(math.sqrt(0.2))
    assert c.discrimination == pytest.approx(0.8 / math.sqrt(0.8 * 2.8))
    assert c.discriminative_efficiency == pytest.approx(1.0)
    assert c.flags == ()  # 0.2 is not below the 0.2 threshold


def test_fixed_form_discrimination_is_moodles_correlation_with_total_minus_item():
    rng = np.random.default_rng(7)
    matrix = (rng.random((40, 6)) < np.linspace(0.2, 0.9, 6)).astype(float)
    stats = item_statistics(responses_of(matrix.tolist()))
    totals = matrix.sum(axis=1)
    for col, item in enumerate("ABCDEF"):
        x, rest = matrix[:, col], totals - matrix[:, col]
        assert stats[item].discrimination == pytest.approx(np.corrcoef(x, rest)[0, 1])
        c_max = np.cov(np.sort(x), np.sort(rest))[0, 1]
        assert stats[item].discriminative_efficiency == pytest.approx(np.cov(x, rest)[0, 1] / c_max)


def test_pool_rest_score_is_the_mean_of_the_other_presented_items():
    # Attempts draw different items; None = not presented.
    #        A     B     C        rest of A = mean of the other presented items
    pool = [
        [1, 1, 0],  # (1 + 0) / 2 = .5
        [0, 1, None],  # 1
        [1, None, 1],  # 1
        [0, 0, 0],  # 0
        [1, None, None],  # A alone: no rest score, left out of the discrimination
    ]
    # Facility uses all five: (1 + 0 + 1 + 0 + 1) / 5 = .6
    # Discrimination pairs (x, X): (1, .5) (0, 1) (1, 1) (0, 0); means .5 and .625
    # dx = .5 -.5 .5 -.5   dX = -.125 .375 .375 -.625
    # sum dx dX = -.0625 - .1875 + .1875 + .3125 = .25; sum dx^2 = 1; sum dX^2 = .6875
    # discrimination = .25 / sqrt(.6875) = 0.301511
    # C_max: dx sorted -.5 -.5 .5 .5 with dX sorted -.625 -.125 .375 .375 = .3125 + .0625 + .1875 + .1875 = .75
    # efficiency = .25 / .75 = 1/3
    a = item_statistics(responses_of(pool))["A"]
    assert a.count == 5
    assert a.facility == pytest.approx(0.6)
    assert a.discrimination == pytest.approx(0.25 / math.sqrt(0.6875))
    assert a.discriminative_efficiency == pytest.approx(1 / 3)
    b = item_statistics(responses_of(pool))["B"]
    assert b.count == 3  # presented in three attempts only


def test_distractor_rates_and_the_distractor_beats_key_flag():
    # Key B. Five respondents chose B, C, C, C and nothing: A 0/5, B 1/5, C 3/5, D 0/5.
    chosen = [("B",), ("C",), ("C",), ("C",), ()]
    responses = [
        ItemResponse(f"a{i}", "q", 1.0 if pick == ("B",) else 0.0, pick) for i, pick in enumerate(chosen)
    ]
    stats = item_statistics(responses, {"q": AnswerKey(("A", "B", "C", "D"), ("B",))})["q"]
    assert [(o.key, o.correct, o.count, o.rate) for o in stats.options] == [
        ("A", False, 0, 0.0),
        ("B", True, 1, 0.2),
        ("C", False, 3, 0.6),
        ("D", False, 0, 0.0),
    ]
    assert stats.flags == (ItemFlag.DISTRACTOR_BEATS_KEY,)  # facility .2 is not below .2


def test_multiple_response_compares_distractors_with_the_least_chosen_key():
    # Keys A and B. Chosen: AB, AB, AC, A  -> A 4, B 2, C 1: C is below the least-chosen key B, no flag.
    key = AnswerKey(("A", "B", "C"), ("A", "B"))
    picks = [("A", "B"), ("A", "B"), ("A", "C"), ("A",)]
    responses = [ItemResponse(f"a{i}", "q", 0.5, p) for i, p in enumerate(picks)]
    stats = item_statistics(responses, {"q": key})["q"]
    assert [o.count for o in stats.options] == [4, 2, 1]
    assert sum(o.rate for o in stats.options) == pytest.approx(7 / 4)  # shares can add up to more than 1
    assert ItemFlag.DISTRACTOR_BEATS_KEY not in stats.flags
    # Two more respondents pick C alone: C 3 > B 2.
    responses += [ItemResponse(f"b{i}", "q", 0.0, ("C",)) for i in range(2)]
    assert ItemFlag.DISTRACTOR_BEATS_KEY in item_statistics(responses, {"q": key})["q"].flags


def test_median_time_ignores_unrecorded_times():
    # Recorded 30, 10, 20, 40 (one missing): sorted 10 20 30 40, median (20 + 30) / 2 = 25.
    times = [30, 10, 20, None, 40]
    responses = [ItemResponse(f"a{i}", "q", 1.0, seconds=t) for i, t in enumerate(times)]
    # A second item with an odd count: 7, 3, 5 -> 5; a third with no times at all.
    responses += [ItemResponse(f"a{i}", "r", 0.0, seconds=t) for i, t in enumerate([7, 3, 5])]
    responses += [ItemResponse("a0", "s", 0.0)]
    stats = item_statistics(responses)
    assert stats["q"].median_seconds == 25
    assert stats["r"].median_seconds == 5
    assert stats["s"].median_seconds is None


def test_too_hard_too_easy_and_negative_discrimination_flags():
    # Item A is answered right only by the weakest attempts (B + C totals 0), wrong by the strongest.
    #        A  B  C
    matrix = [
        [0, 1, 1],
        [0, 1, 1],
        [0, 1, 0],
        [1, 0, 0],
        [0, 1, 1],
    ]
    stats = item_statistics(responses_of(matrix))
    assert stats["A"].facility == pytest.approx(0.2)
    assert stats["A"].discrimination < 0
    assert stats["A"].flags == (ItemFlag.NEGATIVE_DISCRIMINATION,)
    assert ItemFlag.TOO_HARD in item_statistics(responses_of(matrix), too_hard_below=0.25)["A"].flags
    assert stats["B"].facility == pytest.approx(0.8)
    assert item_statistics(responses_of(matrix), too_easy_above=0.75)["B"].flags[0] is ItemFlag.TOO_EASY


def test_item_everyone_gets_right_is_too_easy_without_a_discrimination():
    matrix = [[1, 1], [1, 0], [1, 1]]
    a = item_statistics(responses_of(matrix))["A"]
    assert a.facility == 1.0
    assert a.sd == 0.0
    assert a.discrimination is None
    assert a.discriminative_efficiency is None
    assert a.flags == (ItemFlag.TOO_EASY,)
    assert a.suggest_retire is False


def test_suggest_retire_needs_poor_discrimination_and_enough_evidence():
    # 30 attempts; item A's score is unrelated to B: A = 1 0 1 0 ..., B = 1 1 0 0 1 1 0 0 ...
    # Each (A, B) combination occurs 7 or 8 times; the correlation is small and below 0.1.
    matrix = [[(i + 1) % 2, 1 if i % 4 < 2 else 0] for i in range(30)]
    stats = item_statistics(responses_of(matrix))["A"]
    assert stats.discrimination is not None and stats.discrimination < 0.1
    assert stats.suggest_retire is True
    assert item_statistics(responses_of(matrix[:29]))["A"].suggest_retire is False
    assert item_statistics(responses_of(matrix), retire_min_count=31)["A"].suggest_retire is False
    assert item_statistics(responses_of(matrix), retire_below=-0.5)["A"].suggest_retire is False


def test_degenerate_inputs_give_none_not_warnings():
    assert item_statistics([]) == {}
    single = item_statistics([ItemResponse("a0", "q", 0.5), ItemResponse("a0", "r", 1.0)])["q"]
    assert (single.count, single.facility, single.sd, single.discrimination) == (1, 0.5, None, None)
    assert single.discriminative_efficiency is None
    # The rest of the test is the same for everyone (0.3 computed two ways differs in the last bit).
    rest_constant = [
        ItemResponse("a0", "q", 1.0),
        ItemResponse("a0", "r", 0.3),
        ItemResponse("a1", "q", 0.0),
        ItemResponse("a1", "r", 1.3 - 1.0),
    ]
    assert item_statistics(rest_constant)["q"].discrimination is None
    unpresented = item_statistics([ItemResponse("a0", "q", None), ItemResponse("a1", "q", 1.0)])["q"]
    assert unpresented.count == 1


@pytest.mark.parametrize(
    ("responses", "keys", "message"),
    [
        ([ItemResponse("a0", "q", 1.5)], None, "not a fraction"),
        ([ItemResponse("a0", "q", float("nan"))], None, "not a fraction"),
        ([ItemResponse("a0", "q", 1.0), ItemResponse("a0", "q", 0.0)], None, "more than once"),
        ([ItemResponse("a0", "q", None, ("A",))], None, "score is None"),
        ([ItemResponse("a0", "q", 1.0, seconds=-3)], None, "negative time"),
        ([ItemResponse("a0", "q", 0.0, ("E",))], {"q": AnswerKey(("A", "B"), ("A",))}, "not one of"),
    ],
)
def test_bad_input_is_reported(responses, keys, message):
    with pytest.raises(ValueError, match=message):
        item_statistics(responses, keys)


def test_answer_key_must_name_its_correct_options():
    with pytest.raises(ValueError, match="one or more of the options"):
        AnswerKey(("A", "B"), ("C",))
    with pytest.raises(ValueError):
        AnswerKey(("A", "B"), ())


def test_form_reliability_by_hand():
    # FORM item variances (n - 1 = 4): A and B p = .6 -> 1.2/4 = .3 each; C p = .2 -> .8/4 = .2. Sum .8.
    # Totals 3 2 1 1 0, mean 1.4, deviations 1.6 .6 -.4 -.4 -1.4, squares sum 5.2 -> V(T) = 1.3.
    # alpha = 3/2 * (1 - .8/1.3) = 1.5 * .5/1.3 = 0.576923
    # KR-20: sum pq = .24 + .24 + .16 = .64; population V(T) = 5.2/5 = 1.04; 1.5 * (1 - .64/1.04) = 0.576923
    # SEM = sqrt(1.3) * sqrt(1 - alpha); SEM^2 = 1.3 - 1.5 * (1.3 - .8) = .55 -> SEM = sqrt(.55) = 0.741620
    stats = form_statistics(responses_of(FORM))
    assert (stats.attempts, stats.items) == (5, 3)
    assert stats.mean_total == pytest.approx(1.4)
    assert stats.sd_total == pytest.approx(math.sqrt(1.3))
    assert stats.alpha == pytest.approx(0.75 / 1.3)
    assert stats.kr20 == pytest.approx(0.75 / 1.3)
    assert stats.sem == pytest.approx(math.sqrt(0.55))


def test_alpha_with_partial_credit_by_hand():
    # Item 1: 1 .5 .5 0, mean .5, squares .25 0 0 .25 -> V = .5/3 = 1/6
    # Item 2: .5 .5 0 0, mean .25, squares 4 x .0625 -> V = .25/3 = 1/12
    # Totals 1.5 1 .5 0, mean .75, squares .5625 .0625 .0625 .5625 = 1.25 -> V = 1.25/3 = 5/12
    # alpha = 2 * (1 - (1/6 + 1/12) / (5/12)) = 2 * (1 - .6) = 0.8
    matrix = [[1, 0.5], [0.5, 0.5], [0.5, 0], [0, 0]]
    assert cronbach_alpha(matrix) == pytest.approx(0.8)
    stats = form_statistics(responses_of(matrix))
    assert stats.alpha == pytest.approx(0.8)
    assert stats.kr20 is None
    with pytest.raises(ValueError, match="0 or 1"):
        kr20(matrix)


def test_alpha_can_be_negative_when_items_pull_against_each_other():
    # Item 2 = 1 - item 1: totals are all 1, so V(T) = 0 and alpha is undefined...
    assert cronbach_alpha([[1, 0], [0, 1], [1, 0]]) is None
    # ...add a third item that varies with neither: alpha = 3/2 * (1 - sum V(x_i) / V(T)).
    # Items: 1 0 1 0 | 0 1 0 1 | 1 1 0 0 -> each V = 1/3; totals 2 2 1 1 -> V = 1/3.
    # alpha = 1.5 * (1 - 1 / (1/3)) = 1.5 * (1 - 3) = -3
    assert cronbach_alpha([[1, 0, 1], [0, 1, 1], [1, 0, 0], [0, 1, 0]]) == pytest.approx(-3.0)


def test_form_degenerate_cases():
    empty = form_statistics([])
    assert (empty.attempts, empty.items, empty.mean_total, empty.alpha, empty.sem) == (0, 0, None, None, None)
    one = form_statistics(responses_of([[1, 0, 1]]))
    assert (one.mean_total, one.sd_total, one.alpha, one.kr20, one.sem) == (2.0, None, None, None, None)
    same = form_statistics(responses_of([[1, 0], [1, 0], [1, 0]]))
    assert (same.sd_total, same.alpha, same.kr20, same.sem) == (0.0, None, None, None)
    single_item = form_statistics(responses_of([[1], [0]]))
    assert single_item.alpha is None
    assert cronbach_alpha(np.zeros((0, 3))) is None
    with pytest.raises(ValueError, match="matrix"):
        cronbach_alpha([1, 0, 1])


def test_form_needs_every_item_in_every_attempt():
    with pytest.raises(ValueError, match="'a1' did not present item 'B'"):
        form_statistics(responses_of([[1, 0], [1, None]]))


def test_standard_error_of_measurement():
    # SD 10, reliability .91 -> 10 * sqrt(.09) = 3
    assert standard_error_of_measurement(10.0, 0.91) == pytest.approx(3.0)
    assert standard_error_of_measurement(10.0, None) is None
    assert standard_error_of_measurement(None, 0.8) is None
    with pytest.raises(ValueError):
        standard_error_of_measurement(10.0, 1.2)


def test_large_pool_matches_a_direct_computation():
    # 6,000 attempts of 20 items drawn from 200: 120,000 responses.
    rng = np.random.default_rng(3)
    ability, difficulty = rng.normal(size=6000), rng.normal(size=200)
    responses = []
    for a in range(6000):
        items = rng.choice(200, size=20, replace=False)
        right = rng.random(20) < 1 / (1 + np.exp(difficulty[items] - ability[a]))
        responses += [ItemResponse(f"a{a}", f"q{i}", float(r)) for i, r in zip(items, right, strict=True)]
    stats = item_statistics(responses)  # speed is measured in bench/, never asserted in tests

    by_attempt: dict[str, dict[str, float]] = {}
    for r in responses:
        by_attempt.setdefault(r.attempt_id, {})[r.item_id] = r.score
    pairs = [(s["q5"], (sum(s.values()) - s["q5"]) / 19) for s in by_attempt.values() if "q5" in s]
    x, rest = np.array(pairs).T
    assert stats["q5"].count == len(pairs)
    assert stats["q5"].facility == pytest.approx(x.mean())
    assert stats["q5"].discrimination == pytest.approx(np.corrcoef(x, rest)[0, 1])


scores = st.sampled_from([0.0, 0.25, 1 / 3, 0.5, 1.0]) | st.floats(0, 1)


@settings(max_examples=150, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(1, 25), st.integers(1, 5)), elements=scores),
    st.data(),
)
def test_item_indices_stay_in_their_ranges(matrix, data):
    presented = data.draw(arrays(np.bool_, matrix.shape))
    cells = np.where(presented, matrix, np.nan).tolist()
    responses = responses_of([[None if math.isnan(v) else v for v in row] for row in cells])
    for stats in item_statistics(responses).values():
        assert 0 <= stats.facility <= 1
        assert stats.sd is None or stats.sd >= 0
        if stats.discrimination is not None:
            d, e = stats.discrimination, stats.discriminative_efficiency
            assert -1 <= d <= 1
            assert e <= 1
            # C_max <= sqrt(V(x) V(X)) (Cauchy-Schwarz), so efficiency is at least as far from 0 as d.
            if d > 1e-9:
                assert e >= d - 1e-9
            if d < -1e-9:
                assert e <= d + 1e-9


@settings(max_examples=150, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(0, 25), st.integers(0, 6)), elements=scores))
def test_alpha_is_at_most_one(matrix):
    alpha = cronbach_alpha(matrix)
    assert alpha is None or alpha <= 1


@settings(max_examples=150, deadline=None)
@given(
    arrays(np.float64, st.tuples(st.integers(2, 25), st.integers(2, 6)), elements=st.sampled_from([0.0, 1.0]))
)
def test_kr20_equals_alpha_on_right_wrong_scores(matrix):
    alpha = cronbach_alpha(matrix)
    assert (alpha is None) == (kr20(matrix) is None)
    if alpha is not None:
        assert kr20(matrix) == pytest.approx(alpha, abs=1e-9)


def test_flags_wait_for_enough_first_attempts_and_a_confidence_bound():
    one_wrong = [ItemResponse(f"a{k}", "q", 0.0) for k in range(3)]
    assert item_statistics(one_wrong)["q"].flags == (ItemFlag.TOO_HARD,)  # point estimate: 0 of 3
    assert item_statistics(one_wrong, flag_min_count=10)["q"].flags == ()  # too few to say
    # 2 right of 12: facility 0.17 is below 0.2, but its 90% Wilson upper bound (0.33) is not
    few_right = [ItemResponse(f"a{k}", "q", 1.0 if k < 2 else 0.0) for k in range(12)]
    assert item_statistics(few_right, flag_min_count=10, confidence=0.9)["q"].flags == ()
    # 2 right of 60: upper bound 0.07, clearly too hard
    many = [ItemResponse(f"a{k}", "q", 1.0 if k < 2 else 0.0) for k in range(60)]
    assert item_statistics(many, flag_min_count=10, confidence=0.9)["q"].flags == (ItemFlag.TOO_HARD,)


def test_bounds_match_hand_computations():
    from app.domain.item_statistics import correlation_upper_bound, wilson_interval

    low, high = wilson_interval(0.5, 100, 0.9)  # z = 1.2816: 0.5 -/+ 0.0638 (Wilson, n = 100)
    assert abs(low - 0.4363) < 1e-3 and abs(high - 0.5637) < 1e-3
    # r = -0.2, n = 30: atanh(-0.2) + 1.2816 / sqrt(27) = -0.2027 + 0.2466 -> tanh = 0.0439
    assert abs(correlation_upper_bound(-0.2, 30, 0.9) - 0.0439) < 1e-3
