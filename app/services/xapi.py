"""xAPI statements through an outbox: written with the event, delivered to the LRS by a background job.

Rules
- Only when XAPI_ENDPOINT is set: otherwise every function here returns at once and no row is written.
- The outbox row is added to the caller's session, so it commits (or rolls back) with the event itself:
  one INSERT more per event, no query (the actor is built from ids the caller already holds, and the
  e-mail, for XAPI_ACTOR=mbox, from the User already in the session).
- Delivery (`deliver_batch`) sends due rows oldest first, in batches, to POST {endpoint}/statements.
  2xx: delivered. 409 (the LRS holds a different statement under that id): counts as delivered, the id
  being taken is final. Any other answer, or no answer: each row waits XAPI_RETRY_SECONDS x 2^(tries-1)
  (at most 6 h) and is tried again; a 4xx on a batch (other than 401/403, the credentials) is retried one
  statement at a time so one bad statement cannot hold up the others. The LRS drops a resent statement it already has (same id, same
  content), so a delivery whose answer was lost duplicates nothing.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from app import jobs
from app.domain import xapi as profile_rules
from app.domain.scenarios import ScenarioSpec
from app.domain.scenarios.engine import StateChanged
from app.domain.xapi import Profile, score, statement
from app.extensions import db
from app.models import Answer, Exam, QuestionVersion, ScenarioAttempt, SignOff, User, XapiOutbox

log = logging.getLogger("app.xapi")
DELIVER_JOB = "app.tasks.deliver_xapi"


@dataclass(frozen=True)
class XapiSettings:
    """The XAPI_* configuration as values, so delivery runs wherever the caller has them (a job, a
    command, a test) without an app context. `endpoint` None means xAPI is off."""

    endpoint: str | None
    activity_base: str | None = None
    actor: str = "account"  # account (user id) or mbox (e-mail)
    username: str = ""
    password: str = ""
    timeout: float = 5.0
    batch_size: int = 50
    retry_seconds: int = 30  # the first retry's delay; it doubles with each failed try

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> XapiSettings:
        return cls(
            config.get("XAPI_ENDPOINT"),
            config.get("XAPI_ACTIVITY_BASE"),
            config.get("XAPI_ACTOR", "account"),
            config.get("XAPI_USERNAME", ""),
            config.get("XAPI_PASSWORD", ""),
            config.get("XAPI_TIMEOUT", 5.0),
            config.get("XAPI_BATCH_SIZE", 50),
            config.get("XAPI_RETRY_SECONDS", 30),
        )

    def profile(self) -> Profile | None:
        """The statement profile, or None when xAPI is off."""
        if not self.endpoint:
            return None
        return Profile(self.activity_base, self.actor)


def profile() -> Profile | None:
    """The configured profile, or None when xAPI is off (no XAPI_ENDPOINT). The event functions below
    read it here: they run inside the request that records the event."""
    return XapiSettings.from_config(current_app.config).profile()


def _actor(rules: Profile, user_id: int) -> dict[str, Any]:
    if rules.actor_kind == "mbox":
        user = db.session.get(User, user_id)  # the signed-in user is already in the session: no query
        return rules.actor(user_id, user.email if user else None)
    return rules.actor(user_id)


def _outbox(made: dict[str, Any]) -> None:
    written = datetime.now(UTC)  # when the row is written (the statement's timestamp is the event's time)
    db.session.add(
        XapiOutbox(statement_id=made["id"], statement=made, created=written, attempts=0, next_try_at=written)
    )
    jobs.enqueue(DELIVER_JOB)


def _exam_activity(rules: Profile, exam: Exam) -> dict[str, Any]:
    if exam.kind == "promotion":
        return rules.activity(f"promotion-checks/{exam.id}", "promotion-check", f"Promotion check {exam.id}")
    return rules.activity(f"exams/{exam.id}", "exam", f"Exam simulation {exam.id}")


def answered(answer: Answer, version: QuestionVersion, exam: Exam | None = None) -> None:
    """One statement per stored answer (practice, review or exam): verb answered, success = correct."""
    rules = profile()
    if rules is None:
        return
    slug = version.question.slug
    made = statement(
        rules,
        rules.statement_id("answer", answer.user_id, answer.submission_key),
        _actor(rules, answer.user_id),
        "answered",
        rules.activity(f"questions/{slug}", "question", slug),
        answer.answered_at,
        result={
            "success": answer.correct,
            "response": ",".join(answer.chosen or []) if answer.value is None else str(answer.value),
            "score": score(answer.credit, 1.0),
            "duration": _duration(answer.seconds),
        },
        extensions={
            "mode": answer.mode,
            "domain": answer.domain,
            "question-version": version.number,
            "confidence": answer.confidence,
            "first-attempt": answer.first_attempt,
        },
        parent=_exam_activity(rules, exam) if exam is not None else None,
    )
    _outbox(made)


def decided(
    attempt: ScenarioAttempt, scenario: ScenarioSpec, node_id: str, ref: str, events: list, now: datetime
) -> None:
    """One statement per scenario decision (call it after the ref joined attempt.log): verb responded,
    object the decision point; the choice, the state it changed (variable: before/after) and the
    critical error, if any, as extensions."""
    rules = profile()
    if rules is None:
        return
    step = len(attempt.log)
    choice = scenario.choice(ref)
    critical = choice.critical if choice is not None else None
    changes = {
        e.variable: {"before": e.before, "after": e.after} for e in events if isinstance(e, StateChanged)
    }
    made = statement(
        rules,
        rules.statement_id("decision", attempt.id, step, ref, now.isoformat()),
        _actor(rules, attempt.user_id),
        "responded",
        rules.activity(
            f"scenarios/{scenario.id}/nodes/{node_id}", "scenario-decision", f"{scenario.title}: {node_id}"
        ),
        now,
        result={"response": ref, "success": critical is None},
        extensions={
            "choice": {"ref": ref, "text": choice.text if choice is not None else "(write-up)"},
            "state-change": changes,
            "critical": critical is not None,
            "critical-error": critical,
            "attempt": attempt.id,
            "step": step,
        },
        parent=_scenario(rules, scenario),
    )
    _outbox(made)


def _scenario(rules: Profile, scenario: ScenarioSpec) -> dict[str, Any]:
    return rules.activity(f"scenarios/{scenario.id}", "scenario", scenario.title)


def completed_scenario(attempt: ScenarioAttempt, scenario: ScenarioSpec, now: datetime) -> None:
    """A finished run: verb passed or failed, score out of 100, critical errors and outcome as extensions."""
    rules = profile()
    if rules is None:
        return
    made = statement(
        rules,
        rules.statement_id("scenario-finished", attempt.id),
        _actor(rules, attempt.user_id),
        "passed" if attempt.passed else "failed",
        _scenario(rules, scenario),
        now,
        result={
            "success": bool(attempt.passed),
            "completion": True,
            "score": score(attempt.total or 0.0, 100),
        },
        extensions={
            "attempt": attempt.id,
            "dimensions": attempt.dimensions,
            "critical-errors": attempt.critical_errors,
            "outcome": attempt.outcome,
        },
    )
    _outbox(made)


def completed_exam(exam: Exam, now: datetime) -> None:
    """A submitted exam simulation or promotion check: verb completed, score = credit out of its items
    (pass or fail against the policy's cut is the readiness page's judgement, not sent)."""
    rules = profile()
    if rules is None:
        return
    items = len(exam.version_ids)
    made = statement(
        rules,
        rules.statement_id("exam-submitted", exam.id),
        _actor(rules, exam.user_id),
        "completed",
        _exam_activity(rules, exam),
        exam.submitted_at or now,
        result={"completion": True, "score": score((exam.score or 0.0) * items, items)},
        extensions={"kind": exam.kind, "items": items},
    )
    _outbox(made)


def signed_off(record: SignOff, trainee: User, trainer: User) -> None:
    """A trainer's sign-off: actor the trainer, verb signed-off, object the trainee's promotion (an
    activity per trainee), the trainee as an extension; the decision (recommend, not-yet) is the response
    and the computed verdict as it stood an extension."""
    rules = profile()
    if rules is None:
        return
    made = statement(
        rules,
        rules.statement_id("sign-off", record.id),
        rules.actor(trainer.id, trainer.email),
        "signed-off",
        rules.activity(f"trainees/{trainee.id}/promotion", "promotion", "Promotion to the senior desk"),
        record.created_at,
        result={"response": record.decision},
        extensions={
            "trainee": rules.actor(trainee.id, trainee.email),
            "verdict": record.verdict,
            "pass-probability": (record.evidence or {}).get("pass_probability"),
        },
    )
    _outbox(made)


def _duration(seconds: float | None) -> str | None:
    return None if seconds is None else f"PT{round(seconds, 2)}S"


@dataclass
class Delivery:
    delivered: int = 0
    failed: int = 0
    attempted: int = 0


class LrsClient:
    """POST {endpoint}/statements with the xAPI version header and basic auth (urllib: no extra library)."""

    def __init__(self, endpoint: str, username: str, password: str, timeout: float):
        self.url = endpoint.rstrip("/") + "/statements"
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.headers = {
            "Content-Type": "application/json",
            "X-Experience-API-Version": profile_rules.VERSION,
            "Authorization": f"Basic {token}",
        }
        self.timeout = timeout

    def post(self, statements: list[dict[str, Any]]) -> tuple[int | None, str]:
        """(status, body); status None when the LRS could not be reached."""
        body = json.dumps(statements).encode()
        request = urllib.request.Request(self.url, data=body, headers=self.headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, response.read(2000).decode(errors="replace")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read(2000).decode(errors="replace")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            return None, str(getattr(error, "reason", error))


def client(settings: XapiSettings) -> LrsClient:
    assert settings.endpoint, "xAPI is off: no XAPI_ENDPOINT"
    return LrsClient(settings.endpoint, settings.username, settings.password, settings.timeout)


def due_rows(now: datetime, limit: int) -> list[XapiOutbox]:
    """Undelivered rows whose time has come, oldest first; rows another worker holds are skipped."""
    query = (
        select(XapiOutbox)
        .where(XapiOutbox.delivered_at.is_(None), XapiOutbox.next_try_at <= now)
        .order_by(XapiOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(db.session.scalars(query))


def deliver_batch(now: datetime, settings: XapiSettings, lrs: LrsClient | None = None) -> Delivery:
    """Send one batch of due statements (module rules); the caller commits."""
    if settings.profile() is None:
        return Delivery()
    rows = due_rows(now, settings.batch_size)
    if not rows:
        return Delivery()
    lrs = lrs or client(settings)
    first_retry = timedelta(seconds=settings.retry_seconds)
    status, body = lrs.post([row.statement for row in rows])
    outcome = Delivery(attempted=len(rows))
    refused = (
        status is not None and 400 <= status < 500 and status not in (401, 403)
    )  # not a credentials problem
    if refused and len(rows) > 1:  # a bad statement or a taken id: settle each on its own, the rest go in
        for row in rows:
            single, single_body = lrs.post([row.statement])
            _settle(row, single, single_body, now, first_retry, outcome)
        return outcome
    for row in rows:
        _settle(row, status, body, now, first_retry, outcome)
    return outcome


def _settle(
    row: XapiOutbox, status: int | None, body: str, now: datetime, first_retry: timedelta, outcome: Delivery
) -> None:
    if status is not None and (200 <= status < 300 or status == 409):
        row.delivered_at = now
        row.last_error = None if status != 409 else f"409 from the LRS (id already taken): {body[:300]}"
        outcome.delivered += 1
        return
    row.attempts += 1
    row.next_try_at = now + profile_rules.retry_delay(row.attempts, first_retry)
    row.last_error = f"{status or 'no answer'}: {body[:500]}"
    outcome.failed += 1
    log.warning(
        "xAPI statement %s not delivered (try %d): %s",
        row.statement_id,
        row.attempts,
        row.last_error,
        extra={"event": "xapi-undelivered", "statement_id": row.statement_id},
    )
