"""The background jobs, their schedule, and `flask jobs ...` (the machinery is app/jobs.py).

Each job commits its own work. A trainee's readiness is recomputed after new evidence (refresh_readiness,
queued by the request that brought it). The schedule runs on RQ's cron scheduler (`flask jobs scheduler`):
nightly calibration then readiness refresh (JOBS_NIGHTLY_CRON), every trainee's weekly snapshot
(JOBS_WEEKLY_CRON), every minute the xAPI deliveries whose retry time has come, and every ten minutes the
LTI scores an LMS has not accepted yet. E-mail from a page goes through `send_mail`, retried while SMTP is down.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import click
from flask import current_app
from sqlalchemy import select, update

from app import clock, jobs, mail

if TYPE_CHECKING:
    from rq.cron import CronScheduler
from app.extensions import db
from app.models import Answer, Role, TraineeReadiness, User, UserRole
from app.services import lti_scores, readiness, xapi

log = logging.getLogger("app.jobs")
XAPI_RETRY_INTERVAL = 60  # seconds between two looks at the outbox for statements due again
LTI_RETRY_INTERVAL = 600  # seconds between two tries of the LMS scores still pending


def _trainee_ids() -> list[int]:
    return list(db.session.scalars(select(User.id).join(UserRole).where(UserRole.role == Role.TRAINEE.value)))


def nightly_readiness() -> str:
    """Item calibration, then readiness for every trainee it made stale (as `flask readiness calibrate`
    followed by `flask readiness refresh`)."""
    now = clock.now()
    calibrated = "no answers yet: calibration skipped"
    if db.session.scalar(select(Answer.id).where(Answer.first_attempt.is_(True)).limit(1)) is not None:
        run = readiness.calibrate_items(now)
        db.session.commit()
        calibrated = f"calibrated {run.items} items from {run.responses} answers"
    count = readiness.refresh_stale(_trainee_ids(), current_app.config["CONTENT_DIR"], now)
    db.session.commit()
    return f"{calibrated}; recomputed {count} trainees"


def refresh_readiness(user_id: int) -> str:
    """One trainee's readiness, recomputed after new evidence (queued by services.progress.refresh_later,
    at most one waiting per trainee). Released first: evidence arriving while this runs queues it again,
    and that job recomputes even though this one will have stored its result as current (it did not see
    that evidence), so it never trusts the stored flag."""
    jobs.release(f"readiness:{user_id}")
    user = db.session.get(User, user_id)
    if user is None:
        return f"readiness: no user {user_id}"
    readiness.assess_trainee(user, current_app.config["CONTENT_DIR"], clock.now())
    db.session.commit()
    return f"readiness of user {user_id} recomputed"


def weekly_snapshot() -> str:
    """Recompute every trainee, so each has this week's snapshot for the trend even without new evidence
    (as `flask readiness refresh --all`)."""
    db.session.execute(update(TraineeReadiness).values(stale=True))
    count = readiness.refresh_stale(_trainee_ids(), current_app.config["CONTENT_DIR"], clock.now())
    db.session.commit()
    return f"weekly snapshot of {count} trainees"


def deliver_xapi() -> str:
    """Send every due outbox statement, batch after batch, committing each; stops at the first batch that
    failed (the LRS is down: the rows wait for their backoff)."""
    settings = xapi.XapiSettings.from_config(current_app.config)
    delivered = failed = 0
    while True:
        batch = xapi.deliver_batch(clock.now(), settings)
        db.session.commit()
        delivered, failed = delivered + batch.delivered, failed + batch.failed
        if not batch.attempted or batch.failed:
            return f"xAPI: {delivered} delivered, {failed} to retry"


class MailNotSent(RuntimeError):
    """The SMTP server refused or could not be reached: raising makes RQ retry the job with backoff."""


def send_mail(to: str, subject: str, text: str) -> str:
    """One e-mail, sent by a worker so that a page never waits on SMTP; retried while the server is down."""
    if mail.send(to, subject, text):
        return f"mail sent to {to}"
    if mail.configured():
        raise MailNotSent(f"{subject!r} to {to}: the SMTP server did not accept it (retried with backoff)")
    return "mail not sent: SMTP_HOST is not set"


def send_lti_scores(user_id: int | None = None) -> str:
    """Scores owed to LMS grade books (one learner's, or everyone's): a platform that was down gets them now."""
    from app.services.lti_tool import http_session, tool_key

    with http_session(current_app.config["LTI_HTTP_TIMEOUT"]) as http:
        sent, pending = lti_scores.send_pending(tool_key(), http, clock.now(), user_id=user_id)
    db.session.commit()
    return f"LTI scores: {sent} sent, {pending} still pending"


PERIODIC = {
    "nightly": nightly_readiness,
    "weekly": weekly_snapshot,
    "deliver-xapi": deliver_xapi,
    "lti-scores": send_lti_scores,
}


def cron_scheduler() -> CronScheduler:
    """RQ's cron scheduler with our periodic jobs on JOBS_QUEUE (the xAPI retry only when xAPI is on)."""
    from rq.cron import CronScheduler

    config = current_app.config
    scheduler = CronScheduler(connection=jobs.connection(), name=f"academy-{config['JOBS_QUEUE']}")
    queue = config["JOBS_QUEUE"]
    scheduler.register(nightly_readiness, queue, cron=config["JOBS_NIGHTLY_CRON"], job_timeout=3600)
    scheduler.register(weekly_snapshot, queue, cron=config["JOBS_WEEKLY_CRON"], job_timeout=3600)
    if config.get("XAPI_ENDPOINT"):
        scheduler.register(deliver_xapi, queue, interval=XAPI_RETRY_INTERVAL, job_timeout=600)
    if lti_scores.any_platform():
        scheduler.register(send_lti_scores, queue, interval=LTI_RETRY_INTERVAL, job_timeout=600)
    return scheduler


jobs_cli = click.Group("jobs", help="Background jobs: the RQ worker, the scheduler, and running a job now.")


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for scripts and checks).")
def worker(burst: bool) -> None:
    """Run an RQ worker on JOBS_QUEUE (with RQ's scheduler for retries after a delay)."""
    config = current_app.config
    if not jobs.redis_url():
        raise click.ClickException(
            "No JOBS_REDIS_URL or REDIS_URL: jobs run inline in the app; no worker is needed."
        )
    click.echo(f"RQ worker on queue {config['JOBS_QUEUE']!r}")
    from app.job_workers import AppWorker

    AppWorker([jobs.queue()], connection=jobs.connection()).work(burst=burst, with_scheduler=True)


@jobs_cli.command("scheduler")
def scheduler() -> None:
    """Enqueue the periodic jobs on their schedule (one scheduler per deployment)."""
    if not jobs.redis_url():
        raise click.ClickException(
            "No JOBS_REDIS_URL or REDIS_URL: run `flask jobs run nightly|weekly` from cron instead."
        )
    cron = cron_scheduler()
    for job in cron.get_jobs():
        click.echo(f"  {job.func_name}: {job.cron or f'every {job.interval} s'}")
    cron.start()


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(PERIODIC)))
def run(name: str) -> None:
    """Run one periodic job now, in this process (e.g. from cron when there is no Redis)."""
    click.echo(PERIODIC[name]())
