"""Spaced repetition: ratings from answers, and a deterministic FSRS schedule for a fixed `now`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fsrs import Rating, State

from app.domain.review import MAX_RETENTION, MIN_RETENTION, check_retention, rating_for, review

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("correct", "confidence", "rating"),
    [
        (False, None, Rating.Again),
        (False, "high", Rating.Again),
        (False, "low", Rating.Again),
        (True, "low", Rating.Hard),
        (True, "medium", Rating.Good),
        (True, None, Rating.Good),
        (True, "high", Rating.Easy),
    ],
)
def test_rating_for(correct: bool, confidence: str | None, rating: Rating) -> None:
    assert rating_for(correct, confidence) is rating


def test_rating_for_an_unknown_certainty_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown certainty 'sure'"):
        rating_for(True, "sure")


def test_a_new_card_answered_well_walks_the_learning_steps_then_spaces_out() -> None:
    card, due = review(None, Rating.Good, NOW)
    assert due == NOW + timedelta(minutes=10)  # second learning step
    assert card["state"] == State.Learning and card["step"] == 1
    card, due = review(card, Rating.Good, due)
    assert due == datetime(2026, 1, 7, 9, 10, tzinfo=UTC)  # graduates: 2 days
    assert card["state"] == State.Review
    card, due = review(card, Rating.Good, due)
    assert due == datetime(2026, 1, 18, 9, 10, tzinfo=UTC)  # 11 days
    assert card["stability"] == pytest.approx(10.971, abs=1e-3)


def test_easy_on_a_new_card_skips_learning() -> None:
    card, due = review(None, Rating.Easy, NOW)
    assert card["state"] == State.Review
    assert due == datetime(2026, 1, 13, 9, 0, tzinfo=UTC)  # 8 days, the initial Easy stability


def test_a_lapse_goes_back_to_relearning_for_ten_minutes() -> None:
    card, due = review(None, Rating.Easy, NOW)
    card, due = review(card, Rating.Again, due)
    assert card["state"] == State.Relearning
    assert due == datetime(2026, 1, 13, 9, 10, tzinfo=UTC)


def test_the_same_history_gives_the_same_schedule() -> None:
    def run() -> list[tuple[dict, datetime]]:
        card, at, out = None, NOW, []
        for rating in (Rating.Good, Rating.Hard, Rating.Good, Rating.Again, Rating.Good, Rating.Easy):
            card, at = review(card, rating, at)
            out.append((card, at))
        return out

    assert run() == run()


def test_card_is_json_and_round_trips_through_storage() -> None:
    card, due = review(None, Rating.Good, NOW)
    stored = json.loads(json.dumps(card))
    assert stored == card
    again, next_due = review(stored, Rating.Good, due)
    assert next_due > due
    assert again["last_review"] == due.isoformat()


def test_now_in_another_timezone_is_the_same_instant() -> None:
    elsewhere = NOW.astimezone(timezone(timedelta(hours=-5)))
    assert review(None, Rating.Good, elsewhere) == review(None, Rating.Good, NOW)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        review(None, Rating.Good, datetime(2026, 1, 5, 9, 0))


def test_a_card_fsrs_cannot_read_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a stored review card"):
        review({"state": 2}, Rating.Good, NOW)


def test_intervals_read_as_people_say_them():
    from datetime import timedelta

    from app.domain.review import describe_interval

    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    cases = {
        timedelta(minutes=1): "in 1 minute",
        timedelta(minutes=10): "in 10 minutes",
        timedelta(hours=5): "in 5 hours",
        timedelta(hours=23): "tomorrow",
        timedelta(days=3): "in 3 days",
        timedelta(days=21): "in 3 weeks",
        timedelta(days=90): "in 3 months",
    }
    assert {delta: describe_interval(now, now + delta) for delta in cases} == cases


def test_cards_being_relearnt_come_before_older_reviews():
    from app.domain.review import review_priority

    old = datetime(2026, 11, 1, tzinfo=UTC)
    new = datetime(2026, 12, 1, tzinfo=UTC)
    queue = sorted(
        [({"state": 2}, old), ({"state": 3}, new), ({"state": 1}, new)], key=lambda c: review_priority(*c)
    )
    assert [c[0]["state"] for c in queue] == [3, 1, 2]


def test_the_forecast_counts_each_day_and_carries_what_the_daily_limit_leaves():
    from app.domain.review import forecast

    dues = (
        [NOW - timedelta(days=3)] * 70  # a backlog: overdue counts today
        + [NOW + timedelta(hours=2)] * 5
        + [NOW + timedelta(days=1)] * 10
        + [NOW + timedelta(days=9)] * 4
    )
    assert forecast(dues, NOW, done_today=0, limit=60, days=4) == [60, 25, 0, 0]
    assert forecast(dues, NOW, done_today=50, limit=60, days=4) == [10, 60, 15, 0]
    assert forecast([], NOW, done_today=0, limit=60) == [0] * 7
    assert sum(forecast(dues, NOW, 0, 60, days=14)) == len(dues)  # nothing is lost, only moved


def _intervals(retention: float, answers: list[Rating]) -> list[timedelta]:
    """The gap to the next review after each answer, each answered when it comes due."""
    card, moment, gaps = None, NOW, []
    for rating in answers:
        card, due = review(card, rating, moment, retention)
        gaps.append(due - moment)
        moment = due
    return gaps


def test_a_higher_retention_target_brings_the_same_answers_back_sooner() -> None:
    answers = [Rating.Easy, Rating.Good, Rating.Good, Rating.Hard, Rating.Good]
    strict, default, lenient = (_intervals(r, answers) for r in (0.95, 0.90, 0.85))
    assert all(s < d < e for s, d, e in zip(strict, default, lenient, strict=True))
    assert strict[-1] * 2 < lenient[-1]  # not a rounding difference: half the spacing or less


def test_the_default_target_is_the_schedule_the_tests_above_pin() -> None:
    assert _intervals(0.90, [Rating.Easy]) == [timedelta(days=8)]
    assert review(None, Rating.Easy, NOW) == review(None, Rating.Easy, NOW, 0.90)


@pytest.mark.parametrize("target", [MIN_RETENTION - 0.01, MAX_RETENTION + 0.01, 0.5, 1.0])
def test_a_retention_target_outside_the_bounds_is_refused_with_them(target: float) -> None:
    with pytest.raises(ValueError, match="outside 80%-97%"):
        check_retention(target)
    with pytest.raises(ValueError, match="outside 80%-97%"):
        review(None, Rating.Good, NOW, target)
