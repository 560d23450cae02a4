"""The soak bench (bench/soak.py) reads pages as the app serves them, and counts errors in fault windows fairly.

`make soak` itself runs for minutes against gunicorn and PostgreSQL and is not part of the suite; these
tests keep its simulated trainee in step with the templates, so a renamed field fails here, not in a soak.
"""

from __future__ import annotations

import re

import pytest

from app.models import Role
from app.services import scenarios
from bench.soak import in_fault
from bench.soak_clients import Page, Record, Trainee
from tests import factories
from tests.conftest import csrf_token


@pytest.fixture
def trainee_bot():
    bot = Trainee(
        "http://127.0.0.1:9", "t@soak.test", "pw", 1, clock=lambda: 0.0, stop_at=0.0, think=(0.0, 0.0), seed=3
    )
    yield bot
    bot.http.close()


def test_an_error_counts_as_the_faults_when_the_request_overlaps_the_fault_or_its_grace():
    windows = [{"start": 10.0, "end": 12.0}]
    assert in_fault(Record("answer_post", 500, 9.0, 10.5), windows)  # in flight when the fault began
    assert in_fault(Record("answer_post", 0, 16.0, 16.2), windows)  # within the 5 s grace
    assert not in_fault(Record("answer_post", 500, 18.0, 18.1), windows)
    assert not in_fault(Record("answer_post", 500, 2.0, 9.9), windows)


def test_the_simulated_trainee_answers_a_practice_item_from_the_page_and_is_acknowledged(
    client, bank, signed_in, trainee_bot
):
    signed_in(factories.user(Role.TRAINEE))
    start = client.post("/practice/study", data={"csrf_token": csrf_token(client, "/practice/"), "size": "5"})
    path = start.headers["Location"]
    assert re.fullmatch(r"/practice/sessions/\d+/items/0", path)

    page = Page(client.get(path).get_data(as_text=True))
    form = {
        "csrf_token": page.value("csrf_token"),
        "served_at": page.value("served_at"),
        "confidence": "low",
        **trainee_bot.answer_fields(page),
    }
    answered = client.post(path, data=form)

    assert answered.status_code == 302 and answered.headers["Location"] == path


def test_the_simulated_trainee_finds_the_scenario_choices_on_the_page(client, bank, signed_in):
    signed_in(factories.user(Role.TRAINEE))
    index = Page(client.get("/scenarios/").get_data(as_text=True))
    starts = [a for a in index.actions if re.fullmatch(r"/scenarios/[^/]+/start", a)]
    assert starts
    play = client.post(starts[0], data={"csrf_token": index.value("csrf_token")}).headers["Location"]

    page = Page(client.get(play).get_data(as_text=True))
    refs = [b["value"] for b in page.buttons if b.get("name") == "ref"]
    decided = client.post(
        play + "/decide",
        data={
            "csrf_token": page.value("csrf_token"),
            "step": page.value("step"),
            "served_at": page.value("served_at"),
            "ref": refs[0],
            "text": "A note.",
        },
    )

    assert refs and page.value("step") == "0"
    assert decided.status_code == 302


def test_starting_and_playing_a_scenario_never_waits_for_its_path_analysis(
    client, bank, signed_in, monkeypatch
):
    """Found by the soak: every gunicorn worker analysed each scenario's paths (up to 7 s of CPU for the
    shipped ones) on the first start or page view, so starts timed out under load. Now only scoring the
    finished run (and its debrief) needs the analysis, and sync stores it on the version."""
    analysed = []
    real = scenarios.engine.analyse
    monkeypatch.setattr(scenarios.engine, "analyse", lambda model: analysed.append(model.id) or real(model))
    scenarios._parse.cache_clear()
    scenarios._analyse.cache_clear()
    signed_in(factories.user(Role.TRAINEE))
    index = Page(client.get("/scenarios/").get_data(as_text=True))
    play = client.post(
        next(a for a in index.actions if a.endswith("/start")), data={"csrf_token": index.value("csrf_token")}
    ).headers["Location"]

    for _ in range(30):
        page = client.get(play)
        if page.status_code == 302:
            break
        assert analysed == [], "a scenario page or decision ran the path analysis"
        form = Page(page.get_data(as_text=True))
        ref = next(b["value"] for b in form.buttons if b.get("name") == "ref")
        client.post(
            play + "/decide",
            data={
                "csrf_token": form.value("csrf_token"),
                "step": form.value("step"),
                "served_at": form.value("served_at"),
                "ref": ref,
                "text": "A note.",
            },
        )

    assert page.status_code == 302 and page.headers["Location"].endswith("/debrief")
    assert analysed == []  # even scoring the finished run uses the analysis stored at sync
    assert client.get(page.headers["Location"]).status_code == 200
