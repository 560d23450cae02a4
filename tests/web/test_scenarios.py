"""Scenario player: play to an ending, debrief, resume, tampered and stale submissions, version pinning."""

from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Scenario, ScenarioAttempt
from tests.conftest import csrf_token
from tests.content_fixtures import FIXTURES, fixture_roots


def _start(client) -> str:
    response = client.post(
        "/scenarios/fx-split-shipment/start", data={"csrf_token": csrf_token(client, "/scenarios/")}
    )
    assert response.status_code == 302
    return response.headers["Location"]


def _attempt() -> ScenarioAttempt:
    return db.session.scalar(select(ScenarioAttempt))


def _decide(client, attempt_id, ref, step, **extra):
    token = csrf_token(client, "/scenarios/")
    return client.post(
        f"/scenarios/attempts/{attempt_id}/decide",
        data={"csrf_token": token, "ref": ref, "step": str(step), **extra},
    )


def test_play_to_the_ending_and_read_the_debrief(client, world, bank, signed_in):
    signed_in(world.trainee)
    url = _start(client)
    page = client.get(url).get_data(as_text=True)
    assert "Line 2 is short" in page and "Case file" in page and "Customer satisfaction" in page
    attempt = _attempt()
    assert _decide(client, attempt.id, "start/1", 0).status_code == 302
    assert "Note to the warehouse" in client.get(url).get_data(as_text=True)
    missing = _decide(client, attempt.id, "note/next", 1)
    assert missing.status_code == 400 and "Write your note" in missing.get_data(as_text=True)
    done = _decide(client, attempt.id, "note/next", 1, text="SO-9001 line 1 ships today, line 2 Friday.")
    assert done.headers["Location"].endswith("/debrief")
    db.session.refresh(attempt)
    assert attempt.finished and attempt.passed and attempt.total == 100 and attempt.outcome == "good"
    debrief = client.get(f"/scenarios/attempts/{attempt.id}/debrief").get_data(as_text=True)
    assert "100 / 100" in debrief and "You followed the expert path" in debrief
    assert "Waiting for your trainer to grade it" in debrief


def test_critical_error_caps_the_score_and_is_explained(client, world, bank, signed_in):
    signed_in(world.trainee)
    _start(client)
    attempt = _attempt()
    _decide(client, attempt.id, "start/3", 0)
    db.session.refresh(attempt)
    assert attempt.finished and not attempt.passed and attempt.total <= 40
    assert attempt.critical_errors == ["Took stock allocated to another customer"]
    debrief = client.get(f"/scenarios/attempts/{attempt.id}/debrief").get_data(as_text=True)
    assert "Critical errors" in debrief and "Allocation belongs to planning" in debrief
    assert "Ship line 1 now and backorder line 2" in debrief  # the expert's choice at the divergence


def test_a_choice_not_offered_is_refused_and_the_attempt_is_intact(client, world, bank, signed_in):
    signed_in(world.trainee)
    _start(client)
    attempt = _attempt()
    for ref in ("start/9", "end-good/1", "note/next", "<script>"):
        response = _decide(client, attempt.id, ref, 0)
        assert response.status_code == 400, ref
        assert "not offered" in response.get_data(as_text=True)
    db.session.refresh(attempt)
    assert attempt.log == [] and not attempt.writeups


def test_a_stale_submission_from_another_tab_is_409(client, world, bank, signed_in):
    signed_in(world.trainee)
    _start(client)
    attempt = _attempt()
    _decide(client, attempt.id, "start/1", 0)
    stale = _decide(client, attempt.id, "start/2", 0)  # the other tab still shows decision 1
    assert stale.status_code == 409 and "already made" in stale.get_data(as_text=True)
    db.session.refresh(attempt)
    assert attempt.log == ["start/1"]


def test_start_again_resumes_the_open_attempt(client, world, bank, signed_in):
    signed_in(world.trainee)
    first = _start(client)
    _decide(client, _attempt().id, "start/1", 0)
    assert _start(client) == first
    assert "Note to the warehouse" in client.get(first).get_data(as_text=True)


def test_going_back_drops_later_decisions_when_allowed(client, world, bank, signed_in):
    signed_in(world.trainee)
    _start(client)
    attempt = _attempt()
    _decide(client, attempt.id, "start/1", 0)
    response = client.post(
        f"/scenarios/attempts/{attempt.id}/back",
        data={"csrf_token": csrf_token(client, "/scenarios/"), "to_step": "0"},
    )
    assert response.status_code == 302
    db.session.refresh(attempt)
    assert attempt.log == []


def test_another_trainees_attempt_is_404(client, world, bank, signed_in):
    signed_in(world.trainee)
    url = _start(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    signed_in(world.other_trainee)
    assert client.get(url).status_code == 404
    assert _decide(client, _attempt().id, "start/1", 0).status_code == 404
    assert _attempt().log == []


@pytest.fixture
def editable_scenarios(tmp_path):
    shutil.copytree(FIXTURES / "content", tmp_path / "content")
    shutil.copytree(FIXTURES / "scenarios", tmp_path / "scenarios")
    return fixture_roots(tmp_path / "content", tmp_path / "scenarios")


def test_an_edit_during_an_attempt_keeps_the_attempt_on_its_version(
    client, world, bank, signed_in, editable_scenarios
):
    from datetime import UTC, datetime

    from app.services import content_sync

    signed_in(world.trainee)
    url = _start(client)
    attempt = _attempt()
    path = editable_scenarios.scenarios / "fx-split-shipment.md"
    path.write_text(
        path.read_text().replace(
            "- Hold everything until Friday -> end-late", "- Hold everything until Monday -> end-late"
        )
    )
    content_sync.sync([editable_scenarios.scenarios], editable_scenarios, datetime.now(UTC))
    db.session.commit()
    scenario = db.session.scalar(select(Scenario))
    assert scenario.current_version_id != attempt.version_id
    page = client.get(url).get_data(as_text=True)
    assert "updated after you started" in page and "until Friday" in page
    _decide(client, attempt.id, "start/2", 0)
    db.session.refresh(attempt)
    assert attempt.finished and attempt.outcome == "mixed"
    assert re.search(
        r"until Friday", client.get(f"/scenarios/attempts/{attempt.id}/debrief").get_data(as_text=True)
    )


def test_a_critical_choice_comes_back_as_a_review_item(client, world, bank, signed_in):
    from datetime import UTC, datetime, timedelta

    from app.models import DecisionReviewCard

    signed_in(world.trainee)
    _start(client)
    attempt = _attempt()
    _decide(client, attempt.id, "start/3", 0)
    card = db.session.scalar(select(DecisionReviewCard))
    assert card.node_id == "start" and card.wrong_ref == "start/3"
    card.due = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    assert "critical decision to revisit" in client.get("/home/trainee").get_data(as_text=True)
    url = f"/scenarios/reviews/{card.version_id}/start"
    assert "Line 2 is short" in client.get(url).get_data(as_text=True)
    page = client.post(url, data={"csrf_token": csrf_token(client, url), "ref": "start/1"}).get_data(
        as_text=True
    )
    assert "A sound call" in page
    db.session.refresh(card)
    assert card.reviews == 2 and card.due > datetime.now(UTC)
    bad = client.post(url, data={"csrf_token": csrf_token(client, url), "ref": "start/9"})
    assert bad.status_code == 400


def test_the_debrief_speaks_plainly_and_says_an_ungraded_note_is_not_in_the_score(
    client, world, bank, signed_in
):
    signed_in(world.trainee)
    _start(client)
    attempt = _attempt()
    _decide(client, attempt.id, "start/1", 0)
    _decide(client, attempt.id, "note/next", 1, text="SO-9001 line 1 ships today, line 2 Friday.")
    debrief = client.get(f"/scenarios/attempts/{attempt.id}/debrief").get_data(as_text=True)
    assert "waits for your trainer's grade; it is not part of this score" in debrief
    assert "csat" not in debrief.replace("csat-", "")  # variables shown by their names for people
