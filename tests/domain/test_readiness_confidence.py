"""Confidence calibration: each certainty level against its CBM window (low 0-67%, medium 67-80%,
high 80-100%), judged only with enough answers, with messages in the right direction."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.domain.readiness.confidence import MIN_PER_LEVEL, calibration_index

STATED = {"low": 0.4, "medium": 0.7, "high": 0.9}


@dataclass(frozen=True)
class Rated:
    correct: bool
    certainty: str | None


def at(level: str, right: int, wrong: int) -> list[Rated]:
    return [Rated(True, level)] * right + [Rated(False, level)] * wrong


def test_sure_but_often_wrong_is_over_confident():
    result = calibration_index(at("high", 6, 6), STATED)  # right 50% at "certain" (window 80-100%)
    high = next(lv for lv in result.levels if lv.level == "high")
    assert high.status == "over" and result.index == pytest.approx(0.8 - 0.5)


def test_right_nine_times_in_ten_while_always_saying_low_is_under_confident():
    result = calibration_index(at("low", 18, 2), STATED)
    assert result.index == pytest.approx(-(0.9 - 2 / 3)) and result.index < 0
    assert next(lv for lv in result.levels if lv.level == "low").status == "under"


def test_accuracy_inside_each_window_is_calibrated():
    result = calibration_index(at("high", 9, 1) + at("medium", 7, 3) + at("low", 5, 5), STATED)
    assert result.index == pytest.approx(0.0)
    assert {lv.level: lv.status for lv in result.levels} == {
        "low": "within",
        "medium": "within",
        "high": "within",
    }


def test_one_wrong_certain_answer_says_nothing():
    result = calibration_index(at("high", 0, 1), STATED)
    assert result.index is None and result.levels[2].status is None and MIN_PER_LEVEL > 1


def test_answers_without_certainty_are_left_out():
    result = calibration_index([Rated(True, None), Rated(False, "unsure")], STATED)
    assert result.index is None
    assert result.n == 0
