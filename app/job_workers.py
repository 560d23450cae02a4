"""The RQ workers of `flask jobs worker` and the tests: each job runs in the app context the worker was
started in (app/jobs.py says how jobs are sent). Only a worker process imports this module, and RQ with it.
"""

from __future__ import annotations

from rq import Queue, SimpleWorker, Worker
from rq.job import Job

from app.extensions import db
from app.jobs import dispatch_pending


class _AppContextJobs:
    """Jobs run in the app context the worker was started in; after each one the session is closed and
    the jobs it enqueued are sent."""

    def perform_job(self, job: Job, queue: Queue, execution) -> bool:  # type: ignore[override]
        try:
            return super().perform_job(job, queue, execution)  # type: ignore[misc]
        finally:
            try:
                dispatch_pending()
            finally:
                db.session.remove()


class AppWorker(_AppContextJobs, Worker):
    """RQ's forking worker, for `flask jobs worker`."""

    def main_work_horse(self, job: Job, queue: Queue):
        db.engine.dispose(close=False)  # pooled connections copied from the parent stay the parent's
        super().main_work_horse(job, queue)


class SimpleAppWorker(_AppContextJobs, SimpleWorker):
    """The same without forking (tests, and platforms without fork)."""
