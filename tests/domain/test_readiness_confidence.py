"""Confidence calibration index: its sign says over- or under-confidence."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.domain.readiness.confidence import calibration_index

STATED = {"low": 0.4, "medium": 0.7, "high": 0.9}


@dataclass(frozen=True)
class Rated:
    correct: bool
    certainty: str | None


def answers(*pairs):
    return [Rated(correct, certainty) for certainty, correct in pairs]


def test_overconfident_trainee_has_a_positive_index():
    result = calibration_index(
        answers(("high", False), ("high", True), ("high", False), ("high", False)), STATED
    )
    assert result.index == pytest.approx(0.9 - 0.25)
    assert result.n == 4


def test_underconfident_trainee_has_a_negative_index():
    result = calibration_index(
        answers(("low", True), ("low", True), ("medium", True), ("low", False)), STATED
    )
    assert result.index == pytest.approx((0.4 * 3 + 0.7) / 4 - 0.75)
    assert result.index < 0


def test_calibrated_trainee_scores_zero_and_levels_show_accuracy():
    pairs = [("high", True)] * 9 + [("high", False)] + [("low", True)] * 2 + [("low", False)] * 3
    result = calibration_index(answers(*pairs), STATED)
    assert result.index == pytest.approx(0.0, abs=1e-12)
    levels = {level.level: level for level in result.levels}
    assert levels["high"].accuracy == pytest.approx(0.9)
    assert levels["low"].accuracy == pytest.approx(0.4)
    assert levels["medium"].n == 0 and levels["medium"].accuracy is None


def test_answers_without_certainty_are_left_out():
    result = calibration_index(answers((None, True), ("unsure", False)), STATED)
    assert result.index is None
    assert result.n == 0
