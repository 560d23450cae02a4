"""Exam simulation: blueprint draw, server-side deadline (frozen clock), resume, submit once, results."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import clock as app_clock
from app.extensions import db
from app.models import Answer, Exam, QuestionVersion
from tests.conftest import csrf_token

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """A settable clock for the views."""
    state = {"now": START}
    monkeypatch.setattr(app_clock, "now", lambda: state["now"])
    return state


def _start(client, length=20) -> Exam:
    response = client.post(
        "/exams/", data={"csrf_token": csrf_token(client, "/exams/"), "length": str(length)}
    )
    assert response.status_code == 302
    exam_id = int(re.search(r"/exams/(\d+)/items/0", response.headers["Location"]).group(1))
    return db.session.get(Exam, exam_id)


def _right(version) -> dict:
    if version.type == "numeric":
        return {"value": str(version.answer)}
    keys = version.correct_keys
    return {"chosen": keys if version.type == "multiple" else keys[0]}


def _save(client, exam, position, **data):
    url = f"/exams/{exam.id}/items/{position}"
    return client.post(url, data={"csrf_token": csrf_token(client, "/exams/"), **data})


def test_a_short_exam_draws_every_item_once_with_a_scaled_time_limit(client, world, bank, signed_in, clock):
    signed_in(world.trainee)
    exam = _start(client)
    assert sorted(exam.version_ids) == sorted(set(exam.version_ids)) and len(exam.version_ids) == 6
    assert exam.deadline - exam.started_at == timedelta(minutes=9)  # 210 min x 6 / 150, rounded up


def test_answer_flag_navigate_resume_and_submit(client, world, bank, signed_in, clock):
    signed_in(world.trainee)
    exam = _start(client)
    first = db.session.get(QuestionVersion, exam.version_ids[0])
    response = _save(client, exam, 0, confidence="medium", goto="3", **_right(first))
    assert response.headers["Location"].endswith(f"/exams/{exam.id}/items/3")
    _save(client, exam, 1, flagged="y", goto="next")
    page = client.get(f"/exams/{exam.id}/items/2").get_data(as_text=True)
    assert "Item 1, answered" in page and "Item 2, flagged" in page
    # closing the browser and coming back resumes at the first unanswered item
    assert client.get(f"/exams/{exam.id}").headers["Location"].endswith("/items/1")
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0  # deferred feedback
    token = csrf_token(client, "/exams/")
    client.post(f"/exams/{exam.id}/submit", data={"csrf_token": token})
    client.post(f"/exams/{exam.id}/submit", data={"csrf_token": token})  # twice: counted once
    answers = db.session.scalars(select(Answer)).all()
    assert len(answers) == 1 and answers[0].mode == "exam" and answers[0].correct
    results = client.get(f"/exams/{exam.id}/results").get_data(as_text=True)
    assert "1 of 6 items" in results and "too few to mean much" in results


def test_answers_after_the_deadline_do_not_count(client, world, bank, signed_in, clock):
    signed_in(world.trainee)
    exam = _start(client)
    version = db.session.get(QuestionVersion, exam.version_ids[0])
    clock["now"] = exam.deadline - timedelta(seconds=1)
    assert _save(client, exam, 0, confidence="low", **_right(version)).status_code == 302
    clock["now"] = exam.deadline
    late = _save(
        client, exam, 1, confidence="low", **_right(db.session.get(QuestionVersion, exam.version_ids[1]))
    )
    assert late.status_code == 409 and "Time is up" in late.get_data(as_text=True)
    assert client.get(f"/exams/{exam.id}/items/2").headers["Location"].endswith("/results")
    client.get(f"/exams/{exam.id}/results")
    assert [a.question_version_id for a in db.session.scalars(select(Answer))] == [version.id]


def test_a_submitted_exam_refuses_changes(client, world, bank, signed_in, clock):
    signed_in(world.trainee)
    exam = _start(client)
    client.post(f"/exams/{exam.id}/submit", data={"csrf_token": csrf_token(client, "/exams/")})
    response = _save(client, exam, 0, confidence="low", chosen="A")
    assert response.status_code == 409 and "submitted" in response.get_data(as_text=True)


def test_foreign_options_are_refused(client, world, bank, signed_in, clock):
    signed_in(world.trainee)
    exam = _start(client)
    position = next(
        p for p, v in enumerate(exam.version_ids) if db.session.get(QuestionVersion, v).type != "numeric"
    )
    response = _save(client, exam, position, confidence="low", chosen="Q")
    assert response.status_code == 200 and "valid choice" in response.get_data(as_text=True).lower()
    assert not exam.responses


def test_another_trainees_exam_is_404(client, world, bank, signed_in, clock):
    signed_in(world.trainee)
    exam = _start(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    signed_in(world.other_trainee)
    assert client.get(f"/exams/{exam.id}/items/0").status_code == 404
    assert client.get(f"/exams/{exam.id}/results").status_code == 404
    assert _save(client, exam, 0, chosen="A").status_code == 404


def test_a_form_length_not_offered_is_refused_with_what_to_pick(client, world, bank, signed_in, clock):
    signed_in(world.trainee)
    response = client.post("/exams/", data={"csrf_token": csrf_token(client, "/exams/"), "length": "7"})
    assert response.status_code == 400
    assert "Pick one of the offered form lengths." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Exam)) == 0


def test_the_autosave_and_the_form_post_racing_for_one_position_keep_one_response(
    client, world, bank, signed_in, clock
):
    """exam.js saves an item while its form posts: the second insert for a position used to end in a 500
    (a unique violation on exam_id, position). The loser now updates the winner's row."""
    from app.models import ExamResponse
    from app.services import exams

    signed_in(world.trainee)
    exam = _start(client)
    assert exams.responses_by_position(exam) == {}  # this request's view: nothing saved yet
    with db.engine.begin() as other:  # the racing request commits first
        other.execute(
            ExamResponse.__table__.insert().values(
                exam_id=exam.id, position=0, chosen=[], flagged=True, seconds=3.0
            )
        )
    saved = exams.save_response(exam, 0, [], None, None, False, 4.0, START)
    db.session.commit()
    rows = db.session.scalars(select(ExamResponse).where(ExamResponse.exam_id == exam.id)).all()
    assert len(rows) == 1 and rows[0].id == saved.id and rows[0].seconds == 7.0 and not rows[0].flagged
