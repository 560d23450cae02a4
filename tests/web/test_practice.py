"""Study and review: answer once, feedback with every rationale, fsrs scheduling, bad input refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Question, ReviewCard, StudySession
from tests.conftest import csrf_token


def _start(client, **fields):
    data = {"csrf_token": csrf_token(client, "/practice/"), "size": "10", **fields}
    response = client.post("/practice/study", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def _item_version(session_id: int, position: int):
    session = db.session.get(StudySession, session_id)
    from app.models import QuestionVersion

    return db.session.get(QuestionVersion, session.filters["version_ids"][position])


def _answers() -> int:
    return db.session.scalar(select(func.count()).select_from(Answer))


def _right_response(version) -> dict:
    if version.type == "numeric":
        return {"value": str(version.answer)}
    keys = version.correct_keys
    return {"chosen": keys if version.type == "multiple" else keys[0]}


def test_study_a_domain_answer_and_read_every_rationale(client, world, bank, signed_in):
    signed_in(world.trainee)
    url = _start(client, domains=["D7"])
    session_id = int(re.search(r"/sessions/(\d+)/", url).group(1))
    version = _item_version(session_id, 0)
    assert version.domain == "D7"
    page = client.get(url).get_data(as_text=True)
    assert version.prompt_html in page and "How sure are you?" in page
    served_at = re.search(r'name="served_at"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "confidence": "high",
            "served_at": served_at,
            **_right_response(version),
        },
    )
    assert response.status_code == 302
    feedback = client.get(url).get_data(as_text=True)
    assert "Right" in feedback and "certainty mark +3" in feedback
    for option in version.options:
        assert option["rationale_html"] in feedback
    answer = db.session.scalar(select(Answer))
    assert (answer.mode, answer.confidence, answer.correct, answer.cbm_mark) == ("study", "high", True, 3.0)
    assert answer.question_version_id == version.id and answer.seconds is not None


def test_the_same_answer_submitted_twice_is_recorded_once(client, world, bank, signed_in):
    signed_in(world.trainee)
    url = _start(client, domains=["D2"])
    session_id = int(re.search(r"/sessions/(\d+)/", url).group(1))
    version = _item_version(session_id, 0)
    data = {"csrf_token": csrf_token(client, url), "confidence": "low", **_right_response(version)}
    client.post(url, data=data)
    client.post(url, data={**data, "confidence": "high"})  # refresh, double click, second tab
    assert _answers() == 1
    assert db.session.scalar(select(Answer.confidence)) == "low"


def test_options_that_do_not_belong_are_refused_and_nothing_is_stored(client, world, bank, signed_in):
    signed_in(world.trainee)
    url = _start(client, domains=["D2"])
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "confidence": "low", "chosen": "Z"}
    )
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    no_confidence = client.post(url, data={"csrf_token": csrf_token(client, url), "chosen": "A"})
    assert "Say how sure you are" in no_confidence.get_data(as_text=True)
    assert _answers() == 0


def test_numeric_answer_needs_a_number(client, world, bank, signed_in):
    signed_in(world.trainee)
    url = _start(client, topics=["fill-rates"])
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "confidence": "low", "value": "90%"}
    )
    assert "Enter a number" in response.get_data(as_text=True) or "Not a valid float" in response.get_data(
        as_text=True
    )
    client.post(url, data={"csrf_token": csrf_token(client, url), "confidence": "medium", "value": "89.95"})
    assert db.session.scalar(select(Answer.correct)) is True


def test_another_trainees_session_is_404(client, world, bank, signed_in):
    signed_in(world.trainee)
    url = _start(client, domains=["D2"])
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    signed_in(world.other_trainee)
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, data={"csrf_token": csrf_token(client, "/practice/"), "chosen": "A", "confidence": "low"}
        ).status_code
        == 404
    )
    assert _answers() == 0


def test_a_question_retired_mid_session_is_refused_with_409(client, world, bank, signed_in):
    signed_in(world.trainee)
    url = _start(client, domains=["D2"])
    session_id = int(re.search(r"/sessions/(\d+)/", url).group(1))
    version = _item_version(session_id, 0)
    db.session.get(Question, version.question_id).retired_at = datetime.now(UTC)
    db.session.commit()
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "confidence": "low", **_right_response(version)}
    )
    assert response.status_code == 409 and "retired" in response.get_data(as_text=True)
    assert _answers() == 0


def test_a_miss_is_due_for_review_soon_and_review_serves_it(client, world, bank, signed_in):
    signed_in(world.trainee)
    url = _start(client, domains=["D1"])
    session_id = int(re.search(r"/sessions/(\d+)/", url).group(1))
    version = _item_version(session_id, 0)
    wrong = next(o["key"] for o in version.options if not o["correct"])
    client.post(url, data={"csrf_token": csrf_token(client, url), "confidence": "high", "chosen": wrong})
    card = db.session.scalar(select(ReviewCard))
    assert card.due - card.last_review <= timedelta(minutes=10)
    card.due = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    home = client.get("/home/trainee").get_data(as_text=True)
    assert "1</strong> question to review today" in home
    response = client.post("/practice/review", data={"csrf_token": csrf_token(client, "/practice/")})
    review_url = response.headers["Location"]
    review_session = db.session.get(StudySession, int(re.search(r"/sessions/(\d+)/", review_url).group(1)))
    assert review_session.mode == "review" and review_session.filters["version_ids"] == [version.id]


def test_review_with_nothing_due_says_so(client, world, bank, signed_in):
    signed_in(world.trainee)
    response = client.post("/practice/review", data={"csrf_token": csrf_token(client, "/practice/")})
    assert response.status_code == 409 and "Nothing is due" in response.get_data(as_text=True)


def test_session_summary_counts_right_answers_and_certainty(client, world, bank, signed_in):
    signed_in(world.trainee)
    url = _start(client, domains=["D2"], size="5")
    session_id = int(re.search(r"/sessions/(\d+)/", url).group(1))
    version = _item_version(session_id, 0)
    client.post(
        url, data={"csrf_token": csrf_token(client, url), "confidence": "medium", **_right_response(version)}
    )
    summary = client.get(f"/practice/sessions/{session_id}/summary").get_data(as_text=True)
    assert "1 of 1 right" in summary and "Average certainty mark" in summary


def test_weakest_domains_pick_where_the_trainee_is_weakest(client, world, bank, signed_in):
    from app.services.practice import weakest_domains

    questions = {q.slug: q for q in db.session.scalars(select(Question))}
    for n, slug in enumerate(["fx-credit-release", "fx-atp-quote"]):
        q = questions[slug]
        db.session.add(
            Answer(
                user_id=world.trainee.id,
                question_id=q.id,
                question_version_id=q.current_version_id,
                domain=q.domain,
                mode="study",
                correct=slug != "fx-credit-release",
                credit=0.0 if slug == "fx-credit-release" else 1.0,
                submission_key=f"w{n}",
            )
        )
    db.session.commit()
    assert weakest_domains(world.trainee.id, 1) == ["D2"]


def test_the_topic_picker_lists_each_topic_once_under_its_domain(client, world, bank, signed_in):
    import re

    signed_in(world.trainee)
    page = client.get("/practice/").get_data(as_text=True)
    topics = re.findall(
        r'<option value="([a-z0-9-]+)"', page.split('name="topics"', 1)[1].split("</select>", 1)[0]
    )
    assert topics and len(topics) == len(set(topics))
    assert '<optgroup label="D1 Demand and promising">' in page


def test_a_review_item_answered_wrong_comes_back_in_the_same_session_and_says_when(
    client, world, bank, signed_in
):
    import random
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from app.models import QuestionVersion, StudySession
    from app.services import practice

    signed_in(world.trainee)
    now = datetime.now(UTC)
    study = practice.start_study(
        world.trainee.id, [], [], False, 5, now - timedelta(days=2), random.Random(1)
    )
    for position in range(study.planned):
        version = practice.session_version(study, position)
        wrong = (
            ("-1",)
            if version.type == "numeric"
            else tuple(k for k in version.option_keys if k not in version.correct_keys)[:1]
        )
        value = -1.0 if version.type == "numeric" else None
        practice.record_answer(
            world.trainee.id,
            study,
            position,
            practice.Response(() if value else wrong, value, "low", 9),
            now - timedelta(days=2),
        )
    db.session.commit()
    client.post("/practice/review", data={"csrf_token": csrf_token(client, "/practice/")})
    review = db.session.scalar(select(StudySession).where(StudySession.mode == "review"))
    planned = review.planned
    first = db.session.get(QuestionVersion, review.filters["version_ids"][0])
    url = f"/practice/sessions/{review.id}/items/0"
    data = (
        {"value": "-1"}
        if first.type == "numeric"
        else {"chosen": [k for k in first.option_keys if k not in first.correct_keys][0]}
    )
    client.post(url, data={"csrf_token": csrf_token(client, url), "confidence": "low", **data})
    db.session.refresh(review)
    assert review.planned == planned + 1 and review.filters["version_ids"][-1] == first.id
    assert "comes back for review in" in client.get(url).get_data(as_text=True)


def test_a_review_backlog_is_spread_over_days_by_a_daily_limit(client, world, bank, signed_in, monkeypatch):
    import random
    from datetime import UTC, datetime, timedelta

    from app.services import practice

    monkeypatch.setattr(practice, "DAILY_REVIEW_LIMIT", 3)
    now = datetime.now(UTC)
    study = practice.start_study(
        world.trainee.id, [], [], False, 6, now - timedelta(days=3), random.Random(2)
    )
    for position in range(study.planned):
        version = practice.session_version(study, position)
        value = -1.0 if version.type == "numeric" else None
        wrong = (
            ()
            if value is not None
            else tuple(k for k in version.option_keys if k not in version.correct_keys)[:1]
        )
        practice.record_answer(
            world.trainee.id,
            study,
            position,
            practice.Response(wrong, value, "low", 9),
            now - timedelta(days=3),
        )
    db.session.commit()
    signed_in(world.trainee)
    page = client.get("/practice/").get_data(as_text=True)
    assert "<strong>3</strong> questions to review today" in page and "3 more wait" in page
    client.post("/practice/review", data={"csrf_token": csrf_token(client, "/practice/")})
    review = db.session.scalars(select(StudySession).where(StudySession.mode == "review")).one()
    assert review.planned == 3
