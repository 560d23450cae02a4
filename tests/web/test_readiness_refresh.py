"""Readiness is recomputed by a worker after new evidence, never inside a GET when there is a job queue:
answers queue one refresh per trainee, the report reads the stored result (marked as updating while a
worker counts newer evidence), and the first view before any computation says so. Real Redis, real RQ."""

from __future__ import annotations

import re

import pytest
from flask import g, has_request_context
from sqlalchemy import select

from app import jobs
from app.extensions import db
from app.models import QuestionVersion, StudySession, TraineeReadiness
from app.services import readiness
from tests.conftest import csrf_token
from tests.web.conftest import work as work_all
from tests.web.test_api import assert_problem, bearer


@pytest.fixture
def no_compute_in_requests(monkeypatch):
    """Fails any readiness computation made inside a request while `forbidden` is set; counts them all
    (the worker's run in this process, in the app context without a request)."""

    state = {"forbidden": False, "computed": 0}
    original = readiness.assess_trainee

    def guarded(*args, **kwargs):
        assert not (state["forbidden"] and has_request_context()), "readiness was computed in a request"
        state["computed"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(readiness, "assess_trainee", guarded)
    return state


def _answer(client, position: int) -> None:
    session = db.session.scalar(select(StudySession).order_by(StudySession.id.desc()))
    version = db.session.get(QuestionVersion, session.filters["version_ids"][position])
    url = f"/practice/sessions/{session.id}/items/{position}"
    data = {"value": "1"} if version.type == "numeric" else {"chosen": version.option_keys[0]}
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "confidence": "low", **data})
    assert response.status_code == 302


def _start(client) -> None:
    response = client.post(
        "/practice/study", data={"csrf_token": csrf_token(client, "/practice/"), "size": "5"}
    )
    assert response.status_code == 302


def work(queue) -> None:
    """The worker's jobs, then forget the signed-in user the shared app context cached: the worker closed
    the session that had loaded it (each request of a real server loads it afresh)."""
    work_all(queue)
    g.pop("_login_user", None)


def _stored(user_id: int) -> TraineeReadiness | None:
    db.session.expire_all()
    return db.session.get(TraineeReadiness, user_id)


def test_answers_queue_one_refresh_and_the_worker_stores_what_the_report_shows(
    client, world, bank, signed_in, on_redis, no_compute_in_requests
):
    trainee_id = signed_in(world.trainee) and world.trainee.id  # the worker detaches loaded objects
    no_compute_in_requests["forbidden"] = True
    _start(client)
    _answer(client, 0)
    _answer(client, 1)
    assert on_redis.count == 1  # two answers, one waiting refresh for this trainee
    assert _stored(trainee_id).stale

    work(on_redis)
    row = _stored(trainee_id)
    assert not row.stale and row.report and no_compute_in_requests["computed"] == 1
    page = client.get("/readiness/").get_data(as_text=True)
    assert "Readiness for the senior desk" in page and "being counted" not in page
    assert on_redis.count == 0  # a current report queues nothing


def test_the_report_shows_the_stored_result_as_updating_and_never_computes(
    client, world, bank, signed_in, on_redis, no_compute_in_requests
):
    trainee_id = signed_in(world.trainee) and world.trainee.id  # the worker detaches loaded objects
    _start(client)
    _answer(client, 0)
    work(on_redis)
    computed_at = _stored(trainee_id).computed_at

    no_compute_in_requests["forbidden"] = True
    _answer(client, 1)
    page = client.get("/readiness/").get_data(as_text=True)
    assert "New evidence arrived after this report was computed" in page
    assert computed_at.strftime("%Y-%m-%d %H:%M") in page
    assert on_redis.count == 1  # the answer queued it; the page's own request found it waiting

    work(on_redis)
    page = client.get("/readiness/").get_data(as_text=True)
    assert "New evidence arrived" not in page and no_compute_in_requests["computed"] == 2


def test_before_the_first_computation_the_page_says_it_is_being_worked_out(
    client, world, bank, signed_in, on_redis, no_compute_in_requests
):
    no_compute_in_requests["forbidden"] = True
    signed_in(world.trainer)
    report = f"/readiness/trainees/{world.trainee.id}"
    page = client.get(report).get_data(as_text=True)
    assert "readiness has not been computed yet" in page and world.trainee.name in page
    evidence = client.get(f"{report}/evidence/knowledge")
    assert evidence.status_code == 302 and evidence.headers["Location"].endswith(report)
    assert on_redis.count == 1  # the view queued the first computation

    work(on_redis)
    page = client.get(report).get_data(as_text=True)
    assert "has not been computed yet" not in page and "Promotion check" in page


def test_the_api_answers_503_with_retry_after_until_the_worker_has_computed_it(
    client, world, bank, on_redis, no_compute_in_requests
):
    no_compute_in_requests["forbidden"] = True
    url, headers = f"/api/v1/trainees/{world.trainee.id}/readiness", bearer(world.trainer)
    response = client.get(url, headers=headers)
    body = assert_problem(response, 503)
    assert int(response.headers["Retry-After"]) > 0 and "not been computed yet" in body["detail"]
    assert on_redis.count == 1  # sent although the answer was an error

    work(on_redis)
    body = client.get(url, headers=headers).get_json()
    assert body["updating"] is False and body["computed_at"] and body["verdict"]


def test_work_arriving_while_the_job_runs_queues_it_again(app, world, on_redis):
    trainee_id = world.trainee.id

    def send(key: str) -> None:
        with app.test_request_context("/"):
            jobs.enqueue_once(key, "app.tasks.refresh_readiness", trainee_id)
            app.process_response(app.response_class(status=302))

    send("readiness:1")
    send("readiness:1")
    assert on_redis.count == 1
    with app.app_context():
        jobs.release("readiness:1")  # what the job does as it starts
    send("readiness:1")
    assert on_redis.count == 2


def test_without_a_job_queue_the_report_is_computed_once_when_opened(client, world, bank, signed_in):
    """Development on one process, no worker: a stale report is recomputed by the view, then read."""
    signed_in(world.trainee)
    _start(client)
    _answer(client, 0)
    assert _stored(world.trainee.id).stale
    page = client.get("/readiness/").get_data(as_text=True)
    assert re.search(r"Readiness for the senior desk", page)
    assert not _stored(world.trainee.id).stale


def test_a_queued_refresh_recomputes_though_the_stored_result_reads_current(
    app, client, world, bank, signed_in, on_redis, no_compute_in_requests
):
    """Evidence that arrives while a refresh runs queues another; the running one then stores its result
    as current without having seen that evidence, so the next one must not trust the flag."""
    trainee_id = signed_in(world.trainee) and world.trainee.id
    _start(client)
    _answer(client, 0)
    work(on_redis)
    assert not _stored(trainee_id).stale and no_compute_in_requests["computed"] == 1
    with app.test_request_context("/"):
        jobs.enqueue_once(f"readiness:{trainee_id}", "app.tasks.refresh_readiness", trainee_id)
        app.process_response(app.response_class(status=302))
    work(on_redis)
    assert no_compute_in_requests["computed"] == 2
