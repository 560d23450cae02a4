"""Spaced-repetition scheduling of practice questions with FSRS (the `fsrs` library, 6.x).

Deterministic by design: the scheduler uses the library's default parameters with fuzzing off, new
cards get a fixed id, and the caller always passes `now`, so the same history gives the same schedule.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from fsrs import Card, Rating, Scheduler

# The share of reviews a trainee should still answer right when a card comes due. A trainer sets it per
# cohort within these bounds: higher means shorter intervals and more reviews a day (with the default
# weights an interval at 0.95 is 1/2.5 of that at 0.90, at 0.97 1/4.5; at 0.85 it is about twice as long),
# lower means longer intervals and more forgetting; outside them the review load or the forgetting is absurd.
DEFAULT_RETENTION = 0.90
MIN_RETENTION = 0.80
MAX_RETENTION = 0.97


def check_retention(target: float) -> float:
    """The target itself when it lies within the bounds; ValueError saying the bounds otherwise."""
    if not MIN_RETENTION <= target <= MAX_RETENTION:
        raise ValueError(
            f"A retention target of {target:.0%} is outside {MIN_RETENTION:.0%}-{MAX_RETENTION:.0%}: "
            "choose a value within it."
        )
    return target


@cache
def scheduler(desired_retention: float = DEFAULT_RETENTION) -> Scheduler:
    """Default FSRS-6 weights, the given retention, 1 and 10 minute learning steps; no fuzz, so that a
    schedule can be tested and explained. Changing any of these changes every trainee's future schedule."""
    return Scheduler(desired_retention=check_retention(desired_retention), enable_fuzzing=False)


# fsrs stamps new cards with the clock as their id; ours are keyed by (trainee, question) elsewhere.
NEW_CARD_ID = 0
RATING_BY_CERTAINTY: dict[str | None, Rating] = {
    "low": Rating.Hard,
    "medium": Rating.Good,
    None: Rating.Good,  # no certainty asked: a plain right answer
    "high": Rating.Easy,
}


def rating_for(correct: bool, confidence: str | None) -> Rating:
    """How well the trainee knew the item: wrong -> Again; right at low certainty -> Hard;
    right at medium or with no certainty given -> Good; right at high certainty -> Easy."""
    if confidence not in RATING_BY_CERTAINTY:
        raise ValueError(f"unknown certainty {confidence!r}: use low, medium or high")
    return RATING_BY_CERTAINTY[confidence] if correct else Rating.Again


def review(
    card: dict[str, Any] | None,
    rating: Rating,
    now: datetime,
    desired_retention: float = DEFAULT_RETENTION,
) -> tuple[dict[str, Any], datetime]:
    """Apply one review at `now` to a stored card (None for an item never reviewed), scheduling the next one
    for when the chance of still knowing it has fallen to `desired_retention` (the cohort's target).

    Returns the new card as a JSON-able dict (store it as is and pass it back next time) and the
    time it is next due, in UTC. `now` must be timezone-aware; a stored card that fsrs cannot read
    raises ValueError.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    # fsrs insists on the timezone.utc object itself, not just a zero offset.
    now = now.astimezone(UTC)
    current = Card(card_id=NEW_CARD_ID, due=now) if card is None else _card_from_dict(card)
    updated, _log = scheduler(desired_retention).review_card(current, Rating(rating), review_datetime=now)
    return dict(updated.to_dict()), updated.due


def _card_from_dict(card: dict[str, Any]) -> Card:
    try:
        loaded = Card.from_dict(card)  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a stored review card ({exc!r}): {card!r}") from exc
    # Cards stored from other code may carry other offsets; fsrs compares against UTC.
    loaded.due = loaded.due.astimezone(UTC)
    if loaded.last_review is not None:
        loaded.last_review = loaded.last_review.astimezone(UTC)
    return loaded


# A leech: a question this trainee has missed this many times in study and review. More reviews will not
# fix it; reading its explanation and the material behind it will. Anki flags at 8 lapses of one card; a
# bank re-serves a missed item sooner than Anki's spacing does, so 4 misses say the same.
LEECH_LAPSES = 4


LEARNING_STATES = (1, 3)  # fsrs State.Learning and State.Relearning: short steps, within the day


def review_priority(card: dict[str, Any], due: datetime) -> tuple[int, datetime]:
    """Order of a review queue: cards being (re)learnt first (a missed item returns within minutes, so it
    must not wait behind older reviews), then by due time."""
    return (0 if card.get("state") in LEARNING_STATES else 1, due)


def describe_interval(now: datetime, due: datetime) -> str:
    """When an item comes back, as a person says it: "in 10 minutes", "tomorrow", "in 3 days", "in 5 weeks"."""
    seconds = max(0.0, (due - now).total_seconds())
    minutes = round(seconds / 60)
    if minutes < 60:
        return "in 1 minute" if minutes <= 1 else f"in {minutes} minutes"
    hours = round(seconds / 3600)
    if hours < 20:
        return "in 1 hour" if hours == 1 else f"in {hours} hours"
    days = round(seconds / 86400)
    if days <= 1:
        return "tomorrow"
    if days < 14:
        return f"in {days} days"
    if days < 60:
        return f"in {round(days / 7)} weeks"
    return f"in {round(days / 30)} months"


def forecast(
    dues: Iterable[datetime], now: datetime, done_today: int, limit: int, days: int = 7
) -> list[int]:
    """Reviews a trainee will be offered on each of the next `days` days (today first) under the daily
    `limit`: what is due by the end of a day joins the backlog, at most `limit` of it is offered that day
    (less what was already done today), and the rest carries over, as the queue does."""
    start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    per_day = [0] * days
    for due in dues:
        day = max(0, (due - start).days)  # overdue cards are due today
        if day < days:
            per_day[day] += 1
    offered, backlog = [], 0
    for day, arriving in enumerate(per_day):
        backlog += arriving
        room = max(0, limit - (done_today if day == 0 else 0))
        offered.append(min(backlog, room))
        backlog -= offered[-1]
    return offered
