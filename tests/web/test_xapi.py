"""xAPI through the outbox to a real LRS (Ralph): every event's statement arrives, validated by Ralph, as
stored; an LRS outage loses nothing and a resend duplicates nothing."""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.domain.xapi import statement
from app.extensions import db
from app.models import Exam, PromotionCheck, QuestionVersion, ScenarioAttempt, StudySession, XapiOutbox
from app.services import xapi
from tests.conftest import csrf_token
from tests.lrs import PASSWORD, RALPH, USERNAME, Ralph
from tests.web.test_promotion_check import _right, small_check  # noqa: F401 (a fixture used below)
from tests.web.test_query_counts import ANSWER_POST, SCENARIO_STEP, _fresh

IN_CI = os.environ.get("CI", "").lower() == "true"
BASE = "https://academy.test"


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    if not RALPH.exists():
        message = f"Ralph LRS not installed at {RALPH}: run `make lrs` (make test does)"
        if IN_CI:
            pytest.fail(message + " (CI=true: this fails the run)", pytrace=False)
        pytest.skip(message)
    server = Ralph(tmp_path_factory.mktemp("ralph"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def xapi_on(app, monkeypatch, ralph):
    """xAPI configured against the test LRS, jobs inline (no Redis), retries due at once. Each test has a
    base of its own: the database numbers rows from 1 again in every test, the LRS keeps what it stored, and
    the same event ids under one base would be the same statement ids."""
    ralph.base = f"{BASE}/{uuid.uuid4().hex[:8]}"
    for key, value in {
        "XAPI_ENDPOINT": ralph.url + "/xAPI/",
        "XAPI_USERNAME": USERNAME,
        "XAPI_PASSWORD": PASSWORD,
        "XAPI_ACTIVITY_BASE": ralph.base,
        "XAPI_ACTOR": "account",
        "XAPI_RETRY_SECONDS": 0,
        "JOBS_REDIS_URL": None,
    }.items():
        monkeypatch.setitem(app.config, key, value)
    if not ralph.process:
        ralph.start()
    return ralph


def _study(client) -> tuple[str, str]:
    client.post("/practice/study", data={"csrf_token": csrf_token(client, "/practice/"), "size": "5"})
    session = db.session.scalar(select(StudySession).order_by(StudySession.id.desc()))
    return f"/practice/sessions/{session.id}/items/", session


def _answer(client, session, position: int):
    url = f"/practice/sessions/{session.id}/items/{position}"
    version = db.session.get(QuestionVersion, session.filters["version_ids"][position])
    data = {"value": "1"} if version.type == "numeric" else {"chosen": version.option_keys[0]}
    return client.post(url, data={"csrf_token": csrf_token(client, url), "confidence": "low", **data})


def _decide(client, attempt_id: int, ref: str, step: int, **extra):
    return client.post(
        f"/scenarios/attempts/{attempt_id}/decide",
        data={"csrf_token": csrf_token(client, "/scenarios/"), "ref": ref, "step": str(step), **extra},
    )


def _play_scenario(client) -> ScenarioAttempt:
    client.post("/scenarios/fx-split-shipment/start", data={"csrf_token": csrf_token(client, "/scenarios/")})
    attempt = db.session.scalar(select(ScenarioAttempt).order_by(ScenarioAttempt.id.desc()))
    _decide(client, attempt.id, "start/1", 0)
    _decide(client, attempt.id, "note/next", 1, text="SO-9001 line 1 ships today, line 2 Friday.")
    return attempt


def _sit_exam(client) -> Exam:
    response = client.post("/exams/", data={"csrf_token": csrf_token(client, "/exams/"), "length": "20"})
    exam = db.session.get(
        Exam, int(re.search(r"/exams/(\d+)/items/0", response.headers["Location"]).group(1))
    )
    first = db.session.get(QuestionVersion, exam.version_ids[0])
    data = {"value": "1"} if first.type == "numeric" else {"chosen": first.option_keys[0]}
    client.post(f"/exams/{exam.id}/items/0", data={"csrf_token": csrf_token(client, "/exams/"), **data})
    client.post(f"/exams/{exam.id}/submit", data={"csrf_token": csrf_token(client, "/exams/")})
    return exam


def _without_lrs_fields(statement: dict) -> dict:
    return {k: v for k, v in statement.items() if k not in ("stored", "authority", "version")}


def test_every_event_arrives_in_the_lrs_as_the_app_stored_it(client, world, bank, signed_in, xapi_on):
    base = xapi_on.base
    signed_in(world.trainee)
    _, session = _study(client)
    _answer(client, session, 0)
    attempt = _play_scenario(client)
    _sit_exam(client)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainee")})
    signed_in(world.trainer)
    url = f"/readiness/trainees/{world.trainee.id}"
    client.post(
        url + "/sign-off",
        data={"csrf_token": csrf_token(client, url), "decision": "recommend", "comment": "Calm on holds."},
    )

    rows = list(db.session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)))
    verbs = [row.statement["verb"]["id"].rsplit("/", 1)[-1] for row in rows]
    assert verbs == ["answered", "responded", "responded", "passed", "answered", "completed", "signed-off"]
    assert all(row.delivered_at is not None and row.attempts == 0 for row in rows), [
        r.last_error for r in rows
    ]
    for row in rows:  # Ralph validated each on the way in; what it returns is what we stored
        assert _without_lrs_fields(xapi_on.statement(row.statement_id)) == row.statement

    decision = rows[1].statement
    extensions = decision["context"]["extensions"]
    assert decision["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": base, "name": str(world.trainee.id)},
    }
    assert decision["object"]["id"] == f"{base}/scenarios/fx-split-shipment/nodes/start"
    assert extensions[f"{base}/xapi/extensions/choice"]["ref"] == "start/1"
    assert extensions[f"{base}/xapi/extensions/critical"] is False
    assert extensions[f"{base}/xapi/extensions/state-change"], "the decision changed the meters"
    finished = rows[3].statement
    assert (
        finished["result"]["success"] is True and finished["result"]["score"]["raw"] == attempt.total == 100
    )
    sign_off = rows[-1].statement
    assert sign_off["actor"]["account"]["name"] == str(world.trainer.id)
    assert sign_off["object"]["id"] == f"{base}/trainees/{world.trainee.id}/promotion"
    assert sign_off["context"]["extensions"][f"{base}/xapi/extensions/trainee"]["account"]["name"] == str(
        world.trainee.id
    )
    assert sign_off["result"]["response"] == "recommend"


def _settings(app) -> xapi.XapiSettings:
    return xapi.XapiSettings.from_config(app.config)


def test_an_lrs_outage_loses_nothing_and_a_resend_duplicates_nothing(client, world, bank, signed_in, xapi_on):
    signed_in(world.trainee)
    _, session = _study(client)
    xapi_on.stop()
    try:
        for position in range(3):  # the trainee keeps working while the LRS is down
            assert _answer(client, session, position).status_code in (200, 302)
        _play_scenario(client)
        waiting = list(db.session.scalars(select(XapiOutbox)))
        assert len(waiting) == 3 + 3 and all(row.delivered_at is None for row in waiting)
        assert all(row.attempts >= 1 and row.last_error for row in waiting)
    finally:
        xapi_on.start()
    _answer(client, session, 3)  # the next event's delivery sends the backlog too
    db.session.expire_all()
    rows = list(db.session.scalars(select(XapiOutbox)))
    assert len(rows) == 7 and all(row.delivered_at is not None for row in rows), [r.last_error for r in rows]

    # The LRS took a batch but its answer was lost: the app sends it again; the LRS keeps one copy.
    for row in rows[:4]:
        row.delivered_at = None
    db.session.commit()
    xapi.deliver_batch(datetime.now(UTC), _settings(client.application))
    db.session.commit()
    ours = {row.statement_id for row in rows}
    stored = [s["id"] for s in xapi_on.all_statements() if s["id"] in ours]
    assert sorted(stored) == sorted(ours)  # every one present, none twice


def test_failed_deliveries_back_off_exponentially(app, client, world, bank, signed_in, xapi_on, monkeypatch):
    monkeypatch.setitem(app.config, "XAPI_RETRY_SECONDS", 30)
    signed_in(world.trainee)
    _, session = _study(client)
    xapi_on.stop()
    try:
        _answer(client, session, 0)
        row = db.session.scalar(select(XapiOutbox))
        first_try = row.next_try_at
        assert row.attempts == 1 and row.next_try_at > datetime.now(UTC) + timedelta(seconds=25)
        assert (
            xapi.deliver_batch(datetime.now(UTC), _settings(app)).attempted == 0
        )  # not due yet: the LRS is left alone
        xapi.deliver_batch(first_try, _settings(app))
        db.session.commit()
        assert row.attempts == 2 and row.next_try_at == first_try + timedelta(seconds=60)
    finally:
        xapi_on.start()
    xapi.deliver_batch(row.next_try_at, _settings(app))
    db.session.commit()
    assert row.delivered_at is not None


def test_no_endpoint_no_rows(client, world, bank, signed_in):
    signed_in(world.trainee)
    _, session = _study(client)
    _answer(client, session, 0)
    _play_scenario(client)
    assert db.session.scalar(select(func.count()).select_from(XapiOutbox)) == 0


def test_mbox_actor(client, world, bank, signed_in, xapi_on, app, monkeypatch):
    monkeypatch.setitem(app.config, "XAPI_ACTOR", "mbox")
    world.trainee.email = "tess@orderdesk-academy.com"  # Ralph refuses reserved domains such as example.test
    db.session.commit()
    signed_in(world.trainee)
    _, session = _study(client)
    _answer(client, session, 0)
    row = db.session.scalar(select(XapiOutbox))
    assert row.statement["actor"] == {"objectType": "Agent", "mbox": "mailto:tess@orderdesk-academy.com"}
    assert row.delivered_at is not None, row.last_error


def test_the_outbox_costs_the_answer_and_decision_posts_one_insert(
    app, client, world, bank, signed_in, count_queries, monkeypatch, redis_url
):
    """With xAPI on (and jobs on Redis, as in production) the hot paths pay exactly one INSERT more."""
    for key, value in {
        "XAPI_ENDPOINT": "http://127.0.0.1:9/xAPI/",
        "XAPI_ACTIVITY_BASE": BASE,
        "JOBS_REDIS_URL": redis_url,
        "JOBS_QUEUE": "test-xapi-counts",
    }.items():
        monkeypatch.setitem(app.config, key, value)
    signed_in(world.trainee)
    _, session = _study(client)
    url = f"/practice/sessions/{session.id}/items/0"
    token = csrf_token(client, url)
    version = db.session.get(QuestionVersion, session.filters["version_ids"][0])
    data = {"value": "1"} if version.type == "numeric" else {"chosen": version.option_keys[0]}
    db.session.expire_all()
    _fresh()
    with count_queries() as post:
        client.post(url, data={"csrf_token": token, "confidence": "low", **data})
    inserts = [s for s in post.statements if s.lstrip().upper().startswith("INSERT INTO XAPI_OUTBOX")]
    assert len(inserts) == 1 and post.n <= ANSWER_POST + 1, post.statements

    client.post("/scenarios/fx-split-shipment/start", data={"csrf_token": csrf_token(client, "/scenarios/")})
    attempt = db.session.scalar(select(ScenarioAttempt))
    token = csrf_token(client, "/scenarios/")
    url = f"/scenarios/attempts/{attempt.id}/decide"  # before counting: reloading `attempt` is the test's
    db.session.expire_all()
    _fresh()
    with count_queries() as step:
        client.post(
            url,
            data={"csrf_token": token, "ref": "start/1", "step": "0"},
        )
    assert step.n <= SCENARIO_STEP + 1, step.statements
    assert db.session.scalar(select(func.count()).select_from(XapiOutbox)) == 2


@pytest.mark.usefixtures("small_check")
def test_a_promotion_check_sends_its_answers_and_its_completion(client, world, bank, signed_in, xapi_on):
    base = xapi_on.base
    signed_in(world.trainer)
    page = f"/readiness/trainees/{world.trainee.id}"
    client.post(page + "/promotion-check", data={"csrf_token": csrf_token(client, page)})
    check = db.session.scalar(select(PromotionCheck))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/home/trainer")})
    signed_in(world.trainee)
    client.post(
        f"/readiness/promotion-check/{check.id}/start", data={"csrf_token": csrf_token(client, "/readiness/")}
    )
    exam = db.session.scalar(select(Exam).where(Exam.kind == "promotion"))
    for position, version_id in enumerate(exam.version_ids):
        url = f"/exams/{exam.id}/items/{position}"
        client.post(
            url,
            data={
                "csrf_token": csrf_token(client, url),
                **_right(db.session.get(QuestionVersion, version_id)),
            },
        )
    client.post(f"/exams/{exam.id}/submit", data={"csrf_token": csrf_token(client, "/exams/")})

    rows = list(db.session.scalars(select(XapiOutbox).order_by(XapiOutbox.id)))
    assert [r.statement["verb"]["display"]["en-US"] for r in rows] == ["answered"] * 6 + ["completed"]
    check_activity = f"{base}/promotion-checks/{exam.id}"
    assert all(
        r.statement["context"]["contextActivities"]["parent"][0]["id"] == check_activity for r in rows[:6]
    )
    completed = rows[-1].statement
    assert completed["object"]["id"] == check_activity
    assert completed["object"]["definition"]["type"] == f"{base}/xapi/activity-types/promotion-check"
    assert completed["result"]["score"] == {"raw": 6.0, "min": 0, "max": 6, "scaled": 1.0}
    assert all(r.delivered_at is not None for r in rows), [r.last_error for r in rows]
    assert _without_lrs_fields(xapi_on.statement(completed["id"])) == completed


def _queued(made: dict) -> XapiOutbox:
    now = datetime.now(UTC)
    row = XapiOutbox(statement_id=made["id"], statement=made, created=now, attempts=0, next_try_at=now)
    db.session.add(row)
    return row


def test_a_taken_id_counts_as_delivered_and_a_refused_statement_holds_up_no_other(app, xapi_on):
    profile = xapi.profile()

    def made(key: str, slug: str) -> dict:
        return statement(
            profile,
            profile.statement_id("test", key),
            profile.actor(1),
            "answered",
            profile.activity(f"questions/{slug}", "question", slug),
            datetime.now(UTC),
        )

    taken = made("taken", "q1")
    other_source = {**made("other", "q2"), "id": taken["id"]}  # another system got that id in first
    assert xapi.client(_settings(app)).post([other_source])[0] == 200
    bad = {**made("bad", "q3"), "actor": {"objectType": "Agent"}}  # nobody: the LRS refuses it (422)
    rows = [_queued(taken), _queued(bad), _queued(made("fine", "q4"))]
    db.session.commit()

    delivery = xapi.deliver_batch(datetime.now(UTC), _settings(app))
    db.session.commit()
    assert (delivery.delivered, delivery.failed) == (2, 1)
    assert rows[0].delivered_at is not None and rows[0].last_error.startswith("409")
    assert (
        rows[1].delivered_at is None
        and rows[1].attempts == 1
        and rows[1].last_error.startswith(("400", "422"))
    )
    assert rows[2].delivered_at is not None
    assert xapi_on.statement(rows[2].statement_id)["id"] == rows[2].statement_id
