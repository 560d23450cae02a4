"""The demo trainees' review cards look like a desk that keeps up: no one starts with more than a day's limit
of reviews due, and what is due spreads over the coming days. Seeded on the shipped question bank, as `flask demo seed` does."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer
from app.services import accounts, content_sync, demo, demo_history, practice
from tests.content_fixtures import ROOT, fixture_roots

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def test_no_demo_trainee_starts_buried_in_reviews(app, monkeypatch):
    content_sync.sync([ROOT / "content"], fixture_roots(ROOT / "content", ROOT / "scenarios"), NOW)
    demo.seed_people()
    db.session.commit()
    # Scenario runs make no review cards; leaving them out keeps this test to the answers and their cards.
    monkeypatch.setattr(demo_history, "_runs", lambda *args: None)
    trainees = [accounts.find_user(f"trainee{i}@demo.test") for i in range(1, demo.TRAINEE_COUNT + 1)]
    histories = demo_history.seed_histories(trainees, NOW, random.Random(2026))
    demo_history.keep_up(histories, NOW)
    db.session.flush()
    cap = practice.DAILY_REVIEW_LIMIT
    for index, trainee in enumerate(trainees, 1):
        load = practice.review_load(trainee.id, NOW)
        days = [count for _, count in practice.review_forecast(trainee.id, NOW)]
        where = f"trainee{index}: {load.due} due, forecast {days}"
        assert load.due <= cap, where  # at most a day's reviews waiting, never a backlog
        assert load.today <= cap, where
        cards = practice.due_count(trainee.id, datetime(2100, 1, 1, tzinfo=UTC))
        if cards >= 100:  # a busy trainee: tomorrow and the days after have reviews too, under the cap
            assert sum(1 for n in days[1:] if n) >= 4 and max(days[2:]) < cap, where
    reviews = db.session.scalar(
        select(func.count())
        .select_from(Answer)
        .where(Answer.mode == "review", Answer.first_attempt.is_(False))
    )
    assert reviews > 0  # the cards got where they are by reviews, recorded as answers like any other
