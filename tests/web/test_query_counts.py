"""Query counts of the hot paths, pinned: a change that adds queries per request (an N+1) fails here."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import QuestionVersion, ScenarioAttempt, StudySession
from tests.conftest import csrf_token

# Measured 2026-12-06; raise a pin only with a reason in the commit.
PRACTICE_PAGE = 4  # person, session, version, the session's answers (Core rows, fastpath)
ANSWER_POST = 10  # the page's four, first-attempt check with the retention target, answer, card read and write, two aggregates
SCENARIO_STEP = 5  # attempt, person, version (id, hash, source), activity upsert, compare-and-set UPDATE
DASHBOARD = 12  # the weekly trend (two aggregate queries) and the recently handled interventions


def _fresh():
    g.pop("_login_user", None)


def test_practice_page_and_answer_post(client, world, bank, signed_in, count_queries):
    signed_in(world.trainee)
    client.post("/practice/study", data={"csrf_token": csrf_token(client, "/practice/"), "size": "5"})
    session = db.session.scalar(select(StudySession))
    url = f"/practice/sessions/{session.id}/items/0"
    token = csrf_token(client, url)
    version = db.session.get(QuestionVersion, session.filters["version_ids"][0])
    db.session.expire_all()
    _fresh()
    with count_queries() as page:
        assert client.get(url).status_code == 200
    data = {"value": "1"} if version.type == "numeric" else {"chosen": version.option_keys[0]}
    _fresh()
    with count_queries() as post:
        assert client.post(url, data={"csrf_token": token, "confidence": "low", **data}).status_code == 302
    assert page.n <= PRACTICE_PAGE, page.statements
    assert post.n <= ANSWER_POST, post.statements


def test_scenario_step(client, world, bank, signed_in, count_queries):
    signed_in(world.trainee)
    client.post("/scenarios/fx-split-shipment/start", data={"csrf_token": csrf_token(client, "/scenarios/")})
    attempt = db.session.scalar(select(ScenarioAttempt))
    token = csrf_token(client, "/scenarios/")
    url = f"/scenarios/attempts/{attempt.id}/decide"  # before counting: reloading `attempt` is the test's
    db.session.expire_all()
    _fresh()
    with count_queries() as step:
        response = client.post(url, data={"csrf_token": token, "ref": "start/1", "step": "0"})
    assert response.status_code == 302
    assert step.n <= SCENARIO_STEP, step.statements


def test_trainer_dashboard(client, world, bank, signed_in, count_queries):
    signed_in(world.trainer)
    client.get(f"/trainer/cohorts/{world.cohort.id}")
    db.session.expire_all()
    _fresh()
    with count_queries() as dashboard:
        client.get(f"/trainer/cohorts/{world.cohort.id}")
    assert dashboard.n <= DASHBOARD, dashboard.statements
