"""The demo cohort a trainer meets on `make run`: a few trainees Ready through the real readiness assessment
(a promotion check sat and scored by the app's own services), one of them asking for a sign-off, the
rest spread over the other verdicts; and nobody opens the demo with more reviews due than a day's limit.
Seeded on the shipped question bank and scenarios, as `flask demo seed` does (one seeding: syncing the
shipped scenarios alone takes most of a minute)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app import clock
from app.domain.readiness.verdict import assess
from app.extensions import db
from app.models import Exam, PromotionCheck, SignOffRequest, TraineeReadiness
from app.services import accounts, content_sync, demo, practice, readiness
from tests.conftest import login
from tests.content_fixtures import ROOT, fixture_roots

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
CONTENT = str(ROOT / "content")


@pytest.fixture
def demo_cohort(app, monkeypatch):
    """The 30 demo trainees with their histories, at NOW."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    shipped = [ROOT / "content", ROOT / "scenarios"]
    content_sync.sync(shipped, fixture_roots(*shipped), NOW)
    demo.seed_people()
    demo.seed_histories(CONTENT, NOW)
    db.session.commit()
    return [accounts.find_user(f"trainee{i}@demo.test") for i in range(1, demo.TRAINEE_COUNT + 1)]


def test_the_demo_has_ready_trainees_by_the_real_assessment_and_the_round_lists_them(
    app, client, demo_cohort
):
    policy = readiness.load_policy(CONTENT)
    verdicts = {t.email: db.session.get(TraineeReadiness, t.id).verdict for t in demo_cohort}
    ready = [t for t in demo_cohort if verdicts[t.email] == "ready"]
    assert 1 <= len(ready) <= 3, verdicts
    assert {"almost", "not-yet", "not-enough-evidence"} <= set(verdicts.values()), verdicts
    for trainee in ready:
        fresh = assess(readiness.evidence_for(trainee, CONTENT, NOW), policy, NOW)  # not the stored row
        check = next(c for c in fresh.criteria if c.key == "promotion.check")
        assert fresh.verdict.value == "ready" and check.met, check
        sat = db.session.scalar(select(PromotionCheck).where(PromotionCheck.trainee_id == trainee.id))
        exam = db.session.get(Exam, sat.exam_id)
        assert sat.scheduled_by_id == accounts.find_user("trainer@demo.test").id
        assert (
            exam.kind == "promotion"
            and exam.submitted_at <= NOW
            and len(exam.responses) == len(exam.version_ids)
        )
    asking = db.session.scalars(select(SignOffRequest)).all()
    assert [r.trainee_id for r in asking] == [ready[0].id]

    login(client, "trainer@demo.test", demo.DEMO_PASSWORD)
    page = client.get("/trainer/promotion-round").get_data(as_text=True)
    for trainee in ready:
        assert trainee.name.replace("'", "&#39;") in page
    assert page.count("asked for sign-off") == 1

    # The checks' items join the reviews like any exam's; the desk keeps up with them too (the cheaper
    # tests/web/test_demo_reviews.py checks the same of the study histories alone).
    for trainee in demo_cohort:
        assert practice.review_load(trainee.id, NOW).due <= practice.DAILY_REVIEW_LIMIT, trainee.email
