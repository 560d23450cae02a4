"""Scoring: hand-computed partial credit, numeric tolerance, CBM marks and the CBM summary."""

from __future__ import annotations

import math

import pytest

from app.domain.questions import Option, QuestionSpec, QuestionType
from app.domain.scoring import AnswerScore, InvalidResponse, cbm_summary, score_answer


def item(qtype: QuestionType, correct: str = "", keys: str = "ABCD", **numeric: float) -> QuestionSpec:
    options = tuple(Option(k, f"option {k}", f"why {k}", k in correct, 10 + i) for i, k in enumerate(keys))
    if qtype is QuestionType.TRUE_FALSE:
        options = (
            Option("A", "True", "r", "A" in correct, 10),
            Option("B", "False", "r", "B" in correct, 12),
        )
    return QuestionSpec(
        id="q-test",
        path="t.md",
        line=1,
        domain="D7",
        topics=(),
        difficulty=3,
        cognitive="application",
        type=qtype,
        prompt="p",
        stem="",
        options=() if qtype is QuestionType.NUMERIC else options,
        explanation="e",
        answer=numeric.get("answer"),
        tolerance=numeric.get("tolerance"),
    )


SINGLE = item(QuestionType.SINGLE, correct="B")
MULTIPLE = item(QuestionType.MULTIPLE, correct="ABD", keys="ABCDE")
TRUE_FALSE = item(QuestionType.TRUE_FALSE, correct="A")
NUMERIC = item(QuestionType.NUMERIC, answer=94.2, tolerance=0.1)


def test_single_answer_right_and_wrong() -> None:
    assert score_answer(SINGLE, ["B"]) == AnswerScore(correct=True, credit=1.0, cbm_mark=None)
    assert score_answer(SINGLE, ["C"]) == AnswerScore(correct=False, credit=0.0, cbm_mark=None)
    assert score_answer(TRUE_FALSE, ["A"]).correct
    assert not score_answer(TRUE_FALSE, ["B"]).correct


@pytest.mark.parametrize(
    ("chosen", "credit"),
    [
        ("ABD", 1.0),  # (3 - 0) / 3
        ("AB", 2 / 3),  # (2 - 0) / 3
        ("ABC", 1 / 3),  # (2 - 1) / 3
        ("AC", 0.0),  # (1 - 1) / 3
        ("CE", 0.0),  # (0 - 2) / 3 floored at 0
        ("ABCDE", 1 / 3),  # (3 - 2) / 3: ticking everything does not pay
        ("D", 1 / 3),
    ],
)
def test_multiple_response_partial_credit(chosen: str, credit: float) -> None:
    score = score_answer(MULTIPLE, list(chosen))
    assert score.credit == pytest.approx(credit)
    assert score.correct is (chosen == "ABD")


def test_repeated_keys_count_once() -> None:
    assert score_answer(MULTIPLE, ["A", "A", "B"]).credit == pytest.approx(2 / 3)
    assert score_answer(SINGLE, ["B", "B"]).correct


@pytest.mark.parametrize(
    ("value", "correct"),
    [(94.2, True), (94.1, True), (94.3, True), (94.25, True), (94.31, False), (94.0, False), (-94.2, False)],
)
def test_numeric_within_tolerance_inclusive(value: float, correct: bool) -> None:
    score = score_answer(NUMERIC, value=value)
    assert score.correct is correct
    assert score.credit == (1.0 if correct else 0.0)


def test_numeric_with_zero_tolerance_is_exact() -> None:
    exact = item(QuestionType.NUMERIC, answer=50.0, tolerance=0.0)
    assert score_answer(exact, value=50).correct
    assert not score_answer(exact, value=50.001).correct


@pytest.mark.parametrize(
    ("confidence", "right", "wrong"),
    [("low", 1.0, 0.0), ("medium", 2.0, -2.0), ("high", 3.0, -6.0)],
)
def test_cbm_marks_follow_moodle(confidence: str, right: float, wrong: float) -> None:
    assert score_answer(SINGLE, ["B"], confidence=confidence).cbm_mark == right
    assert score_answer(SINGLE, ["A"], confidence=confidence).cbm_mark == wrong
    assert score_answer(NUMERIC, value=94.2, confidence=confidence).cbm_mark == right
    assert score_answer(NUMERIC, value=90, confidence=confidence).cbm_mark == wrong


@pytest.mark.parametrize(
    ("confidence", "mark"),
    [
        ("low", 2 / 3),  # 2/3 * 1 + 1/3 * 0
        ("medium", 2 / 3),  # 2/3 * 2 + 1/3 * -2
        ("high", 0.0),  # 2/3 * 3 + 1/3 * -6
    ],
)
def test_cbm_with_partial_credit_interpolates_between_right_and_wrong(confidence: str, mark: float) -> None:
    score = score_answer(MULTIPLE, ["A", "B"], confidence=confidence)
    assert score.cbm_mark == pytest.approx(mark)
    assert not score.correct


@pytest.mark.parametrize(
    ("question", "kwargs", "phrase"),
    [
        (SINGLE, {"chosen": ["E"]}, "option E is not one of"),
        (MULTIPLE, {"chosen": ["A", "Z"]}, "option Z is not one of"),
        (SINGLE, {"chosen": []}, "no option chosen"),
        (MULTIPLE, {}, "no option chosen"),
        (SINGLE, {"chosen": ["A", "B"]}, "choose exactly one"),
        (TRUE_FALSE, {"chosen": ["A", "B"]}, "choose exactly one"),
        (NUMERIC, {}, "give a number"),
        (NUMERIC, {"value": math.nan}, "give a number"),
        (NUMERIC, {"chosen": ["A"], "value": 94.2}, "has no options"),
        (SINGLE, {"chosen": ["B"], "value": 1.0}, "not a number"),
        (SINGLE, {"chosen": ["B"], "confidence": "sure"}, "unknown certainty 'sure'"),
    ],
)
def test_invalid_responses_raise_with_a_clear_message(
    question: QuestionSpec, kwargs: dict, phrase: str
) -> None:
    with pytest.raises(InvalidResponse, match=phrase):
        score_answer(question, **kwargs)
    assert issubclass(InvalidResponse, ValueError)


def test_cbm_summary_matches_the_worked_example_in_the_docs() -> None:
    scores = [
        score_answer(SINGLE, ["B"], confidence="high"),  # +3
        score_answer(SINGLE, ["B"], confidence="high"),  # +3
        score_answer(SINGLE, ["A"], confidence="low"),  # 0
        score_answer(SINGLE, ["B"], confidence="medium"),  # +2
    ]
    summary = cbm_summary(scores)
    assert summary.count == 4
    assert summary.accuracy == pytest.approx(0.75)
    assert summary.average_mark == pytest.approx(2.0)
    # best single level at 75% accuracy is medium: 0.75 * 2 + 0.25 * -2 = 1.0
    assert summary.bonus == pytest.approx(0.1)
    assert summary.accuracy_and_bonus == pytest.approx(0.85)


def test_cbm_summary_penalises_overconfidence_and_underconfidence() -> None:
    overconfident = [score_answer(SINGLE, [k], confidence="high") for k in "BBAA"]  # 3 + 3 - 6 - 6
    summary = cbm_summary(overconfident)
    assert summary.average_mark == pytest.approx(-1.5)
    assert summary.bonus == pytest.approx(0.1 * (-1.5 - 0.5))  # best level at 50% is low: 0.5
    underconfident = [score_answer(SINGLE, ["B"], confidence="low")] * 4
    assert cbm_summary(underconfident).bonus == pytest.approx(0.1 * (1.0 - 3.0))


def test_cbm_summary_counts_answers_without_certainty_as_low() -> None:
    summary = cbm_summary(
        [score_answer(MULTIPLE, ["A", "B"]), score_answer(SINGLE, ["B"], confidence="medium")]
    )
    assert summary.average_mark == pytest.approx((2 / 3 + 2.0) / 2)
    assert summary.accuracy == pytest.approx((2 / 3 + 1.0) / 2)


def test_cbm_summary_of_nothing() -> None:
    summary = cbm_summary([])
    assert (summary.count, summary.accuracy, summary.average_mark, summary.bonus) == (0, 0.0, 0.0, 0.0)
