"""Background jobs: one small interface over RQ (Redis), or inline in the process when no Redis is set.

Rules
- `enqueue(func, *args, **kwargs)` never runs or sends a job in the middle of the caller's transaction:
  jobs wait until the request succeeded (status below 400, i.e. after its commit), the CLI command ended
  without an error, or the job that enqueued them finished. A failed request drops them, as it dropped
  the work they were about.
- With JOBS_REDIS_URL (or REDIS_URL) they go to the RQ queue JOBS_QUEUE, retried with backoff
  (JOBS_RETRY_DELAYS seconds between tries); after the last try RQ keeps them in its failed registry.
  Redis being down loses the job (logged), never the request: work that must not be lost, like xAPI
  statements, is kept in the database and picked up again by a periodic job.
- Without it (development on SQLite) they run inline, one after another, each committing its own work;
  an inline job that fails is logged and rolled back, not retried.
- `enqueue_once(key, func, ...)` coalesces: while a job with that key waits in the queue, more requests
  for it send nothing. The job calls `release(key)` when it starts, so that work arriving while it runs
  queues it again (a readiness refresh after every answer would otherwise be one job per answer).
- `flask jobs worker` runs `app.job_workers.AppWorker`: an RQ worker whose jobs run inside the app
  context, each in a forked work horse with its own database connections.
- Redis and RQ are imported when a job is first sent: a process without JOBS_REDIS_URL never loads them
  (about 9 MB of each web worker's memory otherwise; tests/web/test_startup.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, after_this_request, current_app, g, has_app_context, has_request_context
from werkzeug.utils import import_string

from app.extensions import db

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue, Retry

log = logging.getLogger("app.jobs")
JobFunc = Callable[..., Any] | str  # a function, or its dotted path ("app.tasks.deliver_xapi")


ONCE_TTL = 3600  # seconds a coalescing key outlives a job that never started (lost with a flushed Redis)


def enqueue(func: JobFunc, *args: Any, **kwargs: Any) -> None:
    """Run `func(*args, **kwargs)` in the background once the caller's work is committed (module rules).
    The same call made twice before then is sent once."""
    _pend(None, func, args, kwargs)


def enqueue_once(key: str, func: JobFunc, *args: Any, **kwargs: Any) -> None:
    """As enqueue, but not sent while a job with this key waits in the queue unstarted (module rules)."""
    _pend(key, func, args, kwargs)


def release(key: str) -> None:
    """Called by a job queued with enqueue_once as it starts: from now on the key queues a new job."""
    if redis_url():
        connection().delete(_once_key(key))


def _pend(key: str | None, func: JobFunc, args: tuple, kwargs: dict) -> None:
    if not has_app_context():
        raise RuntimeError("jobs.enqueue needs the app context (the job runs with the app's settings)")
    pending: list[tuple[str | None, JobFunc, tuple, dict]] = g.setdefault("_pending_jobs", [])
    if (key, func, args, kwargs) in pending:
        return
    pending.append((key, func, args, kwargs))
    if has_request_context() and not g.get("_jobs_hooked"):
        g._jobs_hooked = True

        @after_this_request
        def start_jobs(response):
            if response.status_code < 400:
                dispatch_pending()
            else:
                discard_pending()
            return response


def discard_pending() -> None:
    """Forget the jobs enqueued so far in this context: nothing is sent (a failed request, the demo seed)."""
    g.pop("_pending_jobs", None)
    g.pop("_jobs_hooked", None)


def dispatch_pending() -> None:
    """Send (or, without Redis, run) the jobs enqueued so far in this context."""
    pending = g.pop("_pending_jobs", [])
    g.pop("_jobs_hooked", None)
    for key, func, args, kwargs in pending:
        if not redis_url():
            _run_inline(func, args, kwargs)
            continue
        from redis.exceptions import RedisError

        try:
            if key is None or connection().set(_once_key(key), 1, nx=True, ex=ONCE_TTL):
                _send(key, func, args, kwargs)
        except RedisError:  # the work is committed; a page must not fail because Redis did
            log.exception(
                "job %s could not be queued: Redis unreachable",
                _name(func),
                extra={"event": "job-not-queued", "job": _name(func)},
            )


def _send(key: str | None, func: JobFunc, args: tuple, kwargs: dict) -> None:
    from redis.exceptions import RedisError

    try:
        queue().enqueue(func, *args, retry=_retry(), **kwargs)
    except RedisError:
        if key is not None:  # nothing waits under the key: the next request may queue the job
            connection().delete(_once_key(key))
        raise


def redis_url() -> str | None:
    return current_app.config.get("JOBS_REDIS_URL")


def connection() -> Redis:
    """One Redis client per URL per app (RQ stores jobs as pickles: no decode_responses)."""
    url = redis_url()
    if not url:
        raise RuntimeError(
            "Background jobs need Redis: set JOBS_REDIS_URL (or REDIS_URL), e.g. redis://127.0.0.1:6379/0"
        )
    clients: dict[str, Redis] = current_app.extensions.setdefault("jobs_redis", {})
    if url not in clients:
        from redis import Redis

        clients[url] = Redis.from_url(url)
    return clients[url]


def _once_key(key: str) -> str:
    return f"academy:{current_app.config['JOBS_QUEUE']}:once:{key}"


def queue() -> Queue:
    from rq import Queue

    return Queue(current_app.config["JOBS_QUEUE"], connection=connection())


def close_connections(app: Flask) -> None:
    for client in app.extensions.pop("jobs_redis", {}).values():
        client.close()


def _retry() -> Retry:
    from rq import Retry

    delays = list(current_app.config.get("JOBS_RETRY_DELAYS") or [30, 120, 600])
    return Retry(max=len(delays), interval=delays)


def _name(func: JobFunc) -> str:
    return func if isinstance(func, str) else f"{func.__module__}.{func.__qualname__}"


def _run_inline(func: JobFunc, args: tuple, kwargs: dict) -> None:
    name = _name(func)
    target = import_string(func) if isinstance(func, str) else func
    try:
        target(*args, **kwargs)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception(
            "inline job %s failed (not retried: set JOBS_REDIS_URL for retries)",
            name,
            extra={"event": "job-failed", "job": name},
        )


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def start_command_jobs(error: BaseException | None) -> None:
        """A CLI command's jobs start when it ends without an error (requests start theirs earlier)."""
        if g.get("_pending_jobs") and error is None:
            dispatch_pending()
