"""Scores only knowledge can earn: shuffled options behind stable ids, the reserve and item sets kept out of
practice, first attempts marked, one running exam that saves every selection and confirms before submit."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select, update

from app.extensions import db
from app.models import Answer, Exam, QuestionVersion, ScenarioAttempt, StudySession
from app.services import practice
from tests.conftest import csrf_token


def _study(client, size="10") -> StudySession:
    response = client.post(
        "/practice/study", data={"csrf_token": csrf_token(client, "/practice/"), "size": size}
    )
    assert response.status_code == 302
    return db.session.scalar(select(StudySession).order_by(StudySession.id.desc()))


def _shown_keys(page: str) -> list[str]:
    return re.findall(r'name="chosen" value="([A-Z])"', page)


def test_options_are_shown_in_a_per_session_order_and_scored_by_id(client, world, bank, signed_in):
    signed_in(world.trainee)
    orders = set()
    for _ in range(8):
        session = _study(client)
        position = next(
            p
            for p, v in enumerate(session.filters["version_ids"])
            if db.session.get(QuestionVersion, v).type == "single"
            and len(db.session.get(QuestionVersion, v).options) >= 3
        )
        url = f"/practice/sessions/{session.id}/items/{position}"
        shown = _shown_keys(client.get(url).get_data(as_text=True))
        assert shown == _shown_keys(client.get(url).get_data(as_text=True))  # a reload keeps the order
        orders.add(tuple(shown))
    assert len(orders) > 1  # servings differ

    version = db.session.get(QuestionVersion, session.filters["version_ids"][position])
    key = version.correct_keys[0]
    client.post(url, data={"csrf_token": csrf_token(client, url), "chosen": key, "confidence": "high"})
    answer = db.session.scalar(select(Answer).where(Answer.session_id == session.id))
    assert answer.correct and answer.chosen == [key]
    feedback = client.get(url).get_data(as_text=True)
    # the feedback lists the options in the order the question showed them
    texts = [o["html"] for o in practice.shown_options(version, session.seed, position)]
    assert [feedback.index(t) for t in texts] == sorted(feedback.index(t) for t in texts)


def test_practice_never_serves_the_reserve_and_serves_one_item_per_set(client, world, bank, signed_in):
    versions = db.session.scalars(select(QuestionVersion)).all()
    reserve, sibling_a, sibling_b = versions[0], versions[1], versions[2]
    db.session.execute(update(QuestionVersion).where(QuestionVersion.id == reserve.id).values(pool="reserve"))
    db.session.execute(
        update(QuestionVersion)
        .where(QuestionVersion.id.in_([sibling_a.id, sibling_b.id]))
        .values(item_set="shared-case")
    )
    db.session.commit()
    signed_in(world.trainee)
    session = _study(client, "20")
    served = set(session.filters["version_ids"])
    assert reserve.id not in served
    assert len(served & {sibling_a.id, sibling_b.id}) == 1


def test_only_the_first_answer_to_an_item_is_a_first_attempt(client, world, bank, signed_in):
    signed_in(world.trainee)
    for _ in range(2):
        session = _study(client, "5")
        version_id = session.filters["version_ids"][0]
        version = db.session.get(QuestionVersion, version_id)
        url = f"/practice/sessions/{session.id}/items/0"
        data = {"value": "1"} if version.type == "numeric" else {"chosen": version.option_keys[0]}
        client.post(url, data={"csrf_token": csrf_token(client, url), "confidence": "low", **data})
    firsts = {
        (a.question_id, a.first_attempt) for a in db.session.scalars(select(Answer).order_by(Answer.id))
    }
    per_question: dict[int, list[bool]] = {}
    for a in db.session.scalars(select(Answer).order_by(Answer.id)):
        per_question.setdefault(a.question_id, []).append(a.first_attempt)
    assert firsts and all(flags[0] and not any(flags[1:]) for flags in per_question.values())


def _start_exam(client):
    return client.post("/exams/", data={"csrf_token": csrf_token(client, "/exams/"), "length": "20"})


def test_one_running_exam_autosave_and_a_confirm_step_that_names_gaps(client, world, bank, signed_in):
    signed_in(world.trainee)
    first = _start_exam(client)
    exam = db.session.scalar(select(Exam))
    again = _start_exam(client)
    assert db.session.scalar(select(db.func.count()).select_from(Exam)) == 1
    assert again.headers["Location"].endswith(f"/exams/{exam.id}")
    assert "Resume your exam" in client.get("/home/trainee").get_data(as_text=True)
    assert first.status_code == 302

    version = db.session.get(QuestionVersion, exam.version_ids[0])
    url = f"/exams/{exam.id}/items/0"
    data = {"value": "3"} if version.type == "numeric" else {"chosen": version.option_keys[0]}
    saved = client.post(
        url, data={"csrf_token": csrf_token(client, url), **data}, headers={"X-Autosave": "1"}
    )
    assert saved.status_code == 204
    db.session.refresh(exam)
    assert exam.responses[0].answered_at is not None  # saved on the click, no Save button pressed

    flag = client.post(
        f"/exams/{exam.id}/items/1",
        data={"csrf_token": csrf_token(client, url), "flagged": "y", "goto": "submit"},
    )
    assert flag.headers["Location"].endswith(f"/exams/{exam.id}/confirm")
    confirm = client.get(f"/exams/{exam.id}/confirm").get_data(as_text=True)
    assert "Not answered (" in confirm and "Flagged for review (1)" in confirm and ">Item 2<" in confirm

    client.post(f"/exams/{exam.id}/submit", data={"csrf_token": csrf_token(client, url)})
    results = client.get(f"/exams/{exam.id}/results").get_data(as_text=True)
    assert ("Pass" in results or "Fail" in results) and "cut 65%" in results and "time used" in results
    assert "before this exam" in results and "Your readiness report" in results  # what the exam changed
    listing = client.get("/exams/").get_data(as_text=True)
    db.session.refresh(exam)
    assert f"{100 * exam.score:.0f}%" in listing


def test_exam_forms_report_reused_items(client, world, bank, signed_in):
    signed_in(world.trainee)
    _start_exam(client)
    exam = db.session.scalar(select(Exam))
    client.post(f"/exams/{exam.id}/submit", data={"csrf_token": csrf_token(client, "/exams/")})
    db.session.add(
        Answer(
            user_id=world.trainee.id,
            question_id=db.session.get(QuestionVersion, exam.version_ids[0]).question_id,
            question_version_id=exam.version_ids[0],
            domain="D1",
            mode="study",
            chosen=[],
            correct=False,
            credit=0,
            submission_key="seen",
            answered_at=datetime.now(UTC),
        )
    )
    db.session.commit()
    response = _start_exam(client)
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "answered in the last 14 days" in follow


def test_scenario_buttons_carry_opaque_tokens_in_a_per_attempt_order(client, world, bank, signed_in):
    signed_in(world.trainee)
    start = client.post(
        "/scenarios/fx-split-shipment/start", data={"csrf_token": csrf_token(client, "/scenarios/")}
    )
    page = client.get(start.headers["Location"]).get_data(as_text=True)
    values = re.findall(r'name="ref" value="([^"]+)"', page)
    assert values and not any("/" in v for v in values)  # never node/n
    assert values == re.findall(
        r'name="ref" value="([^"]+)"', client.get(start.headers["Location"]).get_data(as_text=True)
    )
    attempt = db.session.scalar(select(ScenarioAttempt))
    decided = client.post(
        f"/scenarios/attempts/{attempt.id}/decide",
        data={"csrf_token": csrf_token(client, "/scenarios/"), "ref": values[0], "step": "0"},
    )
    assert decided.status_code == 302
    db.session.refresh(attempt)
    assert len(attempt.log) == 1 and "/" in attempt.log[0]  # stored as the stable ref
