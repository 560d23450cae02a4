"""Fixtures for the web tests that need a real service beside the database: Redis for the job tests."""

from __future__ import annotations

import os
import uuid

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue

from app import jobs
from app.job_workers import SimpleAppWorker

IN_CI = os.environ.get("CI", "").lower() == "true"
# A database number of its own, flushed before and after: other users of this Redis are left alone.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except RedisConnectionError:
        client.close()
        message = f"Redis at {TEST_REDIS_URL} is unreachable (the job tests run a real RQ worker on it)"
        if IN_CI:
            pytest.fail(message + " (CI=true: this fails the run)", pytrace=False)
        pytest.skip(message)
    client.flushdb()
    yield TEST_REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture(autouse=True)
def _close_job_connections(request):
    """Redis clients the app opened for jobs in a test are closed after it (no unclosed sockets)."""
    yield
    if "app" in request.fixturenames:
        jobs.close_connections(request.getfixturevalue("app"))


@pytest.fixture
def on_redis(app, monkeypatch, redis_url) -> Queue:
    """Jobs on the test Redis database, on a queue of this test's own, retried after 1 s then 2 s."""
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", redis_url)
    monkeypatch.setitem(app.config, "JOBS_QUEUE", f"test-{uuid.uuid4().hex[:8]}")
    monkeypatch.setitem(app.config, "JOBS_RETRY_DELAYS", [1, 2])
    return jobs.queue()


class BurstWorker(SimpleAppWorker):
    """The app's worker, minus the pub/sub listener for remote commands (kill, shutdown) that a burst run
    never receives: its thread polls every 60 s, and joining it at the end of a burst could wait that long."""

    def subscribe(self) -> None:
        pass

    def unsubscribe(self) -> None:
        pass


def work(queue: Queue, with_scheduler: bool = False) -> None:
    """Run every job waiting in `queue` with the app's worker, in this process, then return."""
    BurstWorker([queue], connection=queue.connection).work(burst=True, with_scheduler=with_scheduler)
