"""Fixtures for the web tests that need a real service beside the database: Redis for the job tests."""

from __future__ import annotations

import os

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from app import jobs

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
