"""A cohort's retention target: set by its trainer (or an admin) on the cohort page, bounded, recorded with
who set it, and used to schedule every review its trainees answer from then on."""

from __future__ import annotations

import logging
import random
import re

from flask import g
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.models import Cohort, ReviewCard
from app.services import practice
from tests.conftest import csrf_token, login


def _client_of(app, user):
    """Another browser signed in as `user` (the test's app context holds the last signed-in user in g)."""
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    browser = app.test_client()
    assert login(browser, user.email).status_code == 302
    return browser


def _set_target(browser, cohort_id: int, percent: str):
    page = f"/trainer/cohorts/{cohort_id}"
    return browser.post(
        f"{page}/retention", data={"csrf_token": csrf_token(browser, page), "percent": percent}
    )


def test_a_trainer_sets_the_target_and_the_page_says_who_did(app, world, caplog):
    trainer = _client_of(app, world.trainer)
    page = trainer.get(f"/trainer/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert 'name="percent"' in page and 'value="90"' in page and "no trainer has changed it" in page
    with caplog.at_level(logging.INFO, logger="app"):
        response = _set_target(trainer, world.cohort.id, "95")
    assert response.status_code == 302 and response.headers["Location"].endswith("#ret-h")
    cohort = db.session.get(Cohort, world.cohort.id)
    db.session.refresh(cohort)
    assert cohort.retention_target == 0.95 and cohort.retention_set_by_id == world.trainer.id
    page = trainer.get(f"/trainer/cohorts/{world.cohort.id}").get_data(as_text=True)
    assert "Retention target set to 95%" in page and f"Set by {world.trainer.name}" in page
    assert any(
        "from 0.90 to 0.95" in r.getMessage() and world.trainer.email in r.getMessage()
        for r in caplog.records
    )
    assert any(
        getattr(r, "table", None) == "cohorts" and getattr(r, "user", None) == world.trainer.id
        for r in caplog.records
    )


def test_a_target_out_of_bounds_is_refused_beside_the_field_and_nothing_changes(app, world):
    trainer = _client_of(app, world.trainer)
    for typed, message in (("99", "Choose between 80% and 97%"), ("75", "Choose between 80% and 97%")):
        response = _set_target(trainer, world.cohort.id, typed)
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and message in page
        assert f'value="{typed}"' in page and 'aria-invalid="true"' in page  # what was typed stays
    response = _set_target(trainer, world.cohort.id, "ninety")
    assert response.status_code == 400 and "Not a valid integer value" in response.get_data(as_text=True)
    assert db.session.get(Cohort, world.cohort.id).retention_target == 0.90


def test_only_a_trainer_of_the_cohort_or_an_admin_may_change_it(app, world):
    assert _set_target(_client_of(app, world.other_trainer), world.cohort.id, "95").status_code == 404
    trainee = _client_of(app, world.trainee)
    token = csrf_token(trainee, "/practice/")
    denied = trainee.post(f"/trainer/cohorts/{world.cohort.id}/retention", data={"csrf_token": token})
    assert denied.status_code == 403
    db.session.expire_all()
    assert db.session.get(Cohort, world.cohort.id).retention_target == 0.90
    assert _set_target(_client_of(app, world.admin), world.cohort.id, "85").status_code == 302
    db.session.expire_all()
    cohort = db.session.get(Cohort, world.cohort.id)
    assert cohort.retention_target == 0.85 and cohort.retention_set_by_id == world.admin.id


def _answer_first_item_right(app, trainee, now):
    """The trainee answers their first study item right and certain; returns (question id, days until it
    comes back as the feedback says it, the card's due time)."""
    session = practice.start_study(trainee.id, [], [], False, 5, now, random.Random(7))
    db.session.commit()
    version = practice.session_version(session, 0)
    browser = _client_of(app, trainee)
    url = f"/practice/sessions/{session.id}/items/0"
    right = (
        {"value": str(version.answer)}
        if version.type == "numeric"
        else {"chosen": version.correct_keys if version.type == "multiple" else version.correct_keys[0]}
    )
    response = browser.post(url, data={"csrf_token": csrf_token(browser, url), "confidence": "high", **right})
    assert response.status_code == 302
    feedback = browser.get(url).get_data(as_text=True)
    said = re.search(r"comes back for review in (\d+) (days|weeks)", feedback)
    days = int(said.group(1)) * (7 if said.group(2) == "weeks" else 1)
    card = db.session.scalar(
        select(ReviewCard).where(
            ReviewCard.user_id == trainee.id, ReviewCard.question_id == version.question_id
        )
    )
    return version.question_id, days, card.due


def test_a_stricter_cohort_gets_shorter_intervals_for_the_same_answer(app, world, bank, monkeypatch):
    now = clock.now().replace(microsecond=0)
    monkeypatch.setattr(clock, "now", lambda: now)
    assert _set_target(_client_of(app, world.trainer), world.cohort.id, "95").status_code == 302
    assert _set_target(_client_of(app, world.other_trainer), world.other_cohort.id, "85").status_code == 302
    strict_question, strict_days, strict_due = _answer_first_item_right(app, world.trainee, now)
    lenient_question, lenient_days, lenient_due = _answer_first_item_right(app, world.other_trainee, now)
    assert strict_question == lenient_question  # the same item, answered the same way at the same moment
    assert strict_due < lenient_due and strict_days < lenient_days
    assert lenient_days >= 2 * strict_days  # what the feedback says differs visibly, not by rounding
