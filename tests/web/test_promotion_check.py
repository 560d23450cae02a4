"""The promotion check: requested by the trainee, scheduled by the trainer, drawn only from items the
trainee has never been served, sat without feedback, and cited by the readiness verdict."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain.exam import Blueprint
from app.extensions import db
from app.models import Exam, PromotionCheck, QuestionVersion
from app.services import exams, readiness
from tests.conftest import csrf_token

SMALL = Blueprint(
    6,
    timedelta(minutes=30),
    1,
    {"D1": 17, "D2": 17, "D3": 17, "D4": 16, "D5": 0, "D6": 0, "D7": 33, "D8": 0, "D9": 0},
)


@pytest.fixture
def small_check(monkeypatch):
    """The fixture bank holds 6 items: a 6-item check over their domains."""
    load_policy = readiness.load_policy
    monkeypatch.setattr(exams, "load_blueprint", lambda _dir: SMALL)
    monkeypatch.setattr(readiness, "load_policy", lambda d: replace(load_policy(d), check_length=6))


def _post(client, url, page="/readiness/"):
    return client.post(url, data={"csrf_token": csrf_token(client, page)})


def _right(version) -> dict:
    if version.type == "numeric":
        return {"value": str(version.answer)}
    keys = version.correct_keys
    return {"chosen": keys if version.type == "multiple" else keys[0]}


def test_request_schedule_sit_and_the_verdict_cites_the_check(client, world, bank, signed_in, small_check):
    signed_in(world.trainee)
    assert _post(client, "/readiness/promotion-check/request").status_code == 302
    assert "Requested: your trainer schedules it" in client.get("/readiness/").get_data(as_text=True)

    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    signed_in(world.trainer)
    report = client.get(f"/readiness/trainees/{world.trainee.id}").get_data(as_text=True)
    assert "Grant the requested check" in report
    _post(
        client,
        f"/readiness/trainees/{world.trainee.id}/promotion-check",
        f"/readiness/trainees/{world.trainee.id}",
    )
    check = db.session.scalar(select(PromotionCheck))
    assert check.status == "scheduled" and check.scheduled_by_id == world.trainer.id

    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainer")})
    signed_in(world.trainee)
    started = _post(client, f"/readiness/promotion-check/{check.id}/start")
    exam = db.session.scalar(select(Exam).where(Exam.kind == "promotion"))
    assert started.headers["Location"].endswith(f"/exams/{exam.id}/items/0") and len(exam.version_ids) == 6
    assert "Promotion check · item 1 of 6" in client.get(f"/exams/{exam.id}/items/0").get_data(as_text=True)
    for position, version_id in enumerate(exam.version_ids):
        url = f"/exams/{exam.id}/items/{position}"
        client.post(
            url,
            data={
                "csrf_token": csrf_token(client, url),
                **_right(db.session.get(QuestionVersion, version_id)),
            },
        )
    _post(client, f"/exams/{exam.id}/submit", "/exams/")
    results = client.get(f"/exams/{exam.id}/results").get_data(as_text=True)
    assert "Promotion check result" in results and "Passed" in results and "Item by item" not in results

    own = client.get("/readiness/").get_data(as_text=True)
    assert "A promotion check passed" in own and "100% on 6 unseen items; passed" in own


def test_a_check_never_reuses_served_items_and_says_what_is_short(
    client, world, bank, signed_in, small_check
):
    signed_in(world.trainee)
    client.post("/practice/study", data={"csrf_token": csrf_token(client, "/practice/"), "size": "5"})
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    signed_in(world.trainer)
    _post(
        client,
        f"/readiness/trainees/{world.trainee.id}/promotion-check",
        f"/readiness/trainees/{world.trainee.id}",
    )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainer")})
    signed_in(world.trainee)
    check = db.session.scalar(select(PromotionCheck))
    refused = _post(client, f"/readiness/promotion-check/{check.id}/start")
    assert refused.status_code == 409
    assert "Not enough unseen questions for a 6-item check" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Exam).where(Exam.kind == "promotion")) is None


def test_only_the_trainees_own_trainer_schedules(client, world, bank, signed_in):
    signed_in(world.other_trainer)
    response = _post(client, f"/readiness/trainees/{world.trainee.id}/promotion-check", "/home/trainer")
    assert response.status_code == 404 and db.session.scalar(select(PromotionCheck)) is None
