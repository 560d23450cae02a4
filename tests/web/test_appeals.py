"""Appeals: a trainee reports a question they answered (an author decides) and contests a verdict (their
trainer decides); decisions are recorded and shown, and nobody decides their own appeal."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Appeal, QuestionVersion, StudySession
from tests.conftest import csrf_token


def _answer_first(client):
    client.post("/practice/study", data={"csrf_token": csrf_token(client, "/practice/"), "size": "5"})
    session = db.session.scalar(select(StudySession))
    version = db.session.get(QuestionVersion, session.filters["version_ids"][0])
    url = f"/practice/sessions/{session.id}/items/0"
    data = {"value": "1"} if version.type == "numeric" else {"chosen": version.option_keys[0]}
    client.post(url, data={"csrf_token": csrf_token(client, url), "confidence": "low", **data})
    return session, version, url


def test_a_reported_question_reaches_the_author_queue_and_is_decided(client, world, bank, signed_in):
    signed_in(world.trainee)
    session, version, url = _answer_first(client)
    assert "Report a problem with this question" in client.get(url).get_data(as_text=True)
    token = csrf_token(client, url)
    for _ in range(2):  # a second report of the same question adds nothing
        client.post(
            f"{url}/report", data={"csrf_token": token, "reason": "ambiguous", "note": "B also fits."}
        )
    appeal = db.session.scalar(select(Appeal))
    assert db.session.query(Appeal).count() == 1 and appeal.question_id == version.question_id

    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    signed_in(world.author)
    queue = client.get("/authoring/reports").get_data(as_text=True)
    assert version.question.slug in queue and "B also fits." in queue
    client.post(
        f"/authoring/reports/{appeal.id}/decide",
        data={
            "csrf_token": csrf_token(client, "/authoring/reports"),
            "decision": "upheld",
            "note": "Reworded option B.",
        },
    )
    db.session.refresh(appeal)
    assert appeal.status == "upheld" and appeal.decided_by_id == world.author.id
    assert version.question.slug not in client.get("/authoring/reports").get_data(as_text=True)


def test_an_unanswered_question_cannot_be_reported(client, world, bank, signed_in):
    signed_in(world.trainee)
    client.post("/practice/study", data={"csrf_token": csrf_token(client, "/practice/"), "size": "5"})
    session = db.session.scalar(select(StudySession))
    url = f"/practice/sessions/{session.id}/items/1"
    response = client.post(
        f"{url}/report", data={"csrf_token": csrf_token(client, url), "reason": "other", "note": "Typo"}
    )
    assert response.status_code == 404 and db.session.scalar(select(Appeal)) is None


def test_a_contested_verdict_is_decided_by_the_trainer_beside_the_sign_offs(client, world, bank, signed_in):
    signed_in(world.trainee)
    client.post(
        "/readiness/contest",
        data={
            "csrf_token": csrf_token(client, "/readiness/"),
            "note": "My D4 mastery ignores last week's exam.",
        },
    )
    appeal = db.session.scalar(select(Appeal))
    assert appeal.kind == "verdict" and "Open" in client.get("/readiness/").get_data(as_text=True)

    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    signed_in(world.other_trainer)
    page = f"/readiness/trainees/{world.trainee.id}/appeals/{appeal.id}/decide"
    assert (
        client.post(
            page, data={"csrf_token": csrf_token(client, "/home/trainer"), "decision": "upheld", "note": "x"}
        ).status_code
        == 404
    )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainer")})
    signed_in(world.trainer)
    client.post(
        page,
        data={
            "csrf_token": csrf_token(client, "/home/trainer"),
            "decision": "rejected",
            "note": "The exam is in the evidence list; D4 is still thin.",
        },
    )
    report = client.get(f"/readiness/trainees/{world.trainee.id}").get_data(as_text=True)
    assert "Rejected" in report and "D4 is still thin." in report
