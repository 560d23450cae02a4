"""The trainee's history: every study session, scenario run and exam, newest first, each linked."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Scenario
from app.services import practice, scenarios
from tests.web.test_evidence_rules import _answer_session

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_history_lists_sessions_runs_and_links_them(client, world, bank, signed_in):
    user = world.trainee
    first = practice.start_study(user.id, [], [], False, 5, NOW, random.Random(1))
    _answer_session(user, first, NOW, right=True)
    later = practice.start_study(user.id, [], [], False, 5, NOW + timedelta(days=1), random.Random(2))
    scenario = db.session.scalar(select(Scenario))
    run = scenarios.start(user.id, scenario, NOW + timedelta(days=2))
    other = practice.start_study(world.other_trainee.id, [], [], False, 5, NOW, random.Random(3))
    db.session.commit()

    signed_in(user)
    page = client.get("/home/history").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>(\d{4}-\d\d-\d\d \d\d:\d\d)</td>", page)
    assert rows[:2] == ["2026-12-02 09:00", "2026-12-01 09:00"]  # sessions, newest first
    assert f"/practice/sessions/{first.id}/summary" in page and "5 of 5" in page
    assert f'/practice/sessions/{later.id}"' in page and "0 of 5" in page  # unfinished: resume
    assert f'/scenarios/attempts/{run.id}"' in page and "in progress" in page
    assert f"/practice/sessions/{other.id}" not in page  # someone else's
    assert 'href="/home/history"' in client.get("/home/trainee").get_data(as_text=True)


def test_the_catalogue_links_the_last_debrief(app, client, world, bank, signed_in):
    from flask import g

    from tests.conftest import login
    from tests.web.test_trainer_and_readiness import _finished_writeup

    writeup = _finished_writeup(client, world, signed_in)
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    trainee = app.test_client()
    login(trainee, world.trainee.email)
    page = trainee.get("/scenarios/").get_data(as_text=True)
    assert f'href="/scenarios/attempts/{writeup.attempt_id}/debrief">last debrief</a>' in page
