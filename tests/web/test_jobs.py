"""Background jobs on a real Redis with a real RQ worker (SimpleAppWorker, burst, in this process)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from rq.job import JobStatus
from sqlalchemy import func, select

from app import jobs, tasks
from app.extensions import db
from app.models import (
    Answer,
    CalibrationRun,
    Question,
    QuestionVersion,
    ReadinessSnapshot,
    StudySession,
    TraineeReadiness,
    User,
)
from tests.conftest import csrf_token
from tests.web.conftest import work as _work

RUNS: list[str] = []


def record_run(label: str) -> None:
    """A job with a visible effect: a user renamed (committed by the worker, read back by the test)."""
    user = db.session.scalar(select(User).order_by(User.id).limit(1))
    user.name = label
    db.session.commit()


def always_fails() -> None:
    raise RuntimeError("the service this job needs is down")


def test_a_job_enqueued_in_a_request_reaches_redis_after_the_commit_and_the_worker_runs_it(
    app, client, world, on_redis
):
    with app.test_request_context("/"):
        jobs.enqueue(record_run, "renamed by a job")
        jobs.enqueue(record_run, "renamed by a job")  # the same call twice: one job
        assert on_redis.count == 0  # nothing is sent before the request has succeeded
        app.process_response(app.response_class(status=302))
    assert on_redis.count == 1
    _work(on_redis)
    db.session.expire_all()
    assert db.session.scalar(select(User).order_by(User.id).limit(1)).name == "renamed by a job"


def test_a_failed_request_sends_no_job(app, world, on_redis):
    with app.test_request_context("/"):
        jobs.enqueue(record_run, "never")
        app.process_response(app.response_class(status=400))
    assert on_redis.count == 0


def test_a_failing_job_is_retried_with_backoff_then_lands_in_the_failed_registry(app, world, on_redis):
    jobs.enqueue(always_fails)
    jobs.dispatch_pending()
    job = on_redis.jobs[0]
    assert job.retries_left == 2 and job.retry_intervals == [1, 2]

    failed_at = datetime.now(UTC)
    _work(on_redis)  # first try fails: scheduled again in 1 s (RQ keeps whole seconds)
    job.refresh()
    assert job.get_status() == JobStatus.SCHEDULED and job.retries_left == 1
    due = on_redis.scheduled_job_registry.get_scheduled_time(job)
    assert timedelta(0) <= due - failed_at <= timedelta(seconds=2)

    time.sleep(1.1)
    failed_at = datetime.now(UTC)
    _work(on_redis, with_scheduler=True)  # second try fails: scheduled again in 2 s (the backoff grows)
    job.refresh()
    assert job.get_status() == JobStatus.SCHEDULED and job.retries_left == 0
    due = on_redis.scheduled_job_registry.get_scheduled_time(job)
    assert timedelta(seconds=1) <= due - failed_at <= timedelta(seconds=3)

    time.sleep(2.1)
    _work(on_redis, with_scheduler=True)  # last try fails: kept in RQ's failed registry
    job.refresh()
    assert job.get_status() == JobStatus.FAILED
    assert job.id in on_redis.failed_job_registry.get_job_ids()
    assert "the service this job needs is down" in job.latest_result().exc_string


def test_the_nightly_job_calibrates_and_refreshes_readiness_in_the_database(
    app, client, world, bank, signed_in, on_redis
):
    trainee_id = world.trainee.id  # the worker closes the session after each job: keep ids, not rows
    signed_in(world.trainee)
    client.post("/practice/study", data={"csrf_token": csrf_token(client, "/practice/"), "size": "5"})
    session = db.session.scalar(select(StudySession))
    version = db.session.get(QuestionVersion, session.filters["version_ids"][0])
    url = f"/practice/sessions/{session.id}/items/0"
    data = {"value": "1"} if version.type == "numeric" else {"chosen": version.option_keys[0]}
    client.post(url, data={"csrf_token": csrf_token(client, url), "confidence": "low", **data})
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
    assert db.session.scalar(select(func.count()).select_from(CalibrationRun)) == 0
    on_redis.enqueue(tasks.nightly_readiness)
    _work(on_redis)
    db.session.expire_all()
    run = db.session.scalar(select(CalibrationRun))
    assert run is not None and run.items == db.session.scalar(select(func.count()).select_from(Question))
    readiness = db.session.get(TraineeReadiness, trainee_id)
    assert readiness is not None and readiness.stale is False


def test_the_weekly_job_writes_every_trainees_snapshot(app, world, bank, on_redis):
    trainees = {world.trainee.id, world.other_trainee.id}
    on_redis.enqueue(tasks.weekly_snapshot)
    _work(on_redis)
    db.session.expire_all()
    users = set(db.session.scalars(select(ReadinessSnapshot.user_id)))
    assert users == trainees


def test_the_scheduler_registers_the_periodic_jobs_on_rqs_cron(app, world, bank, on_redis, monkeypatch):
    monkeypatch.setitem(app.config, "XAPI_ENDPOINT", "http://127.0.0.1:9/xAPI/")
    monkeypatch.setitem(app.config, "XAPI_ACTIVITY_BASE", "https://academy.test")
    scheduler = tasks.cron_scheduler()
    plan = {job.func_name: job.cron or job.interval for job in scheduler.get_jobs()}
    assert plan == {
        "app.tasks.nightly_readiness": app.config["JOBS_NIGHTLY_CRON"],
        "app.tasks.weekly_snapshot": app.config["JOBS_WEEKLY_CRON"],
        "app.tasks.deliver_xapi": tasks.XAPI_RETRY_INTERVAL,
    }
    enqueued = scheduler.enqueue_jobs()  # the interval job is due at once; the cron ones at their hour
    assert [job.func_name for job in enqueued] == ["app.tasks.deliver_xapi"]
    _work(on_redis)
    assert on_redis.finished_job_registry.count == 1


def test_without_redis_a_job_runs_inline_after_the_request(app, client, world, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", None)
    with app.test_request_context("/"):
        jobs.enqueue(record_run, "renamed inline")
        assert db.session.scalar(select(User).order_by(User.id).limit(1)).name != "renamed inline"
        app.process_response(app.response_class(status=200))
    db.session.expire_all()
    assert db.session.scalar(select(User).order_by(User.id).limit(1)).name == "renamed inline"


def test_an_inline_job_that_fails_is_logged_and_leaves_the_request_alone(app, world, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", None)
    jobs.enqueue(always_fails)
    jobs.dispatch_pending()
    assert "always_fails failed" in caplog.text
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0  # the session is usable
