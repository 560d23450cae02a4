"""Scores back to the LMS through AGS: noticing that a launched resource is complete, and delivering the
score. Delivery is a plain function (`send_pending`): called after the learner's request, and by
`flask lti resend-scores` (cron, or background jobs later) for whatever the platform did not accept.

What counts as complete, and the score (0-100, the line item's scoreMaximum):
- study set: every question of the session launched is answered; its percent of credit
- exam: the first practice exam the learner submits after the launch; its percent
- scenario: the attempt launched is finished; its weighted total
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from app.domain import lti as rules
from app.extensions import db
from app.models import Answer, Exam, LtiGradeLink, LtiPlatform, LtiScore, ScenarioAttempt, StudySession

if TYPE_CHECKING:  # pylti1p3 (with PyJWT, cryptography, jwcrypto) loads only where scores are sent
    import requests
    from pylti1p3.service_connector import ServiceConnector

    from app.services.lti_tool import ToolKey

log = logging.getLogger(__name__)
SCORE_MAXIMUM = 100.0


def _completed(link: LtiGradeLink) -> tuple[int, float, datetime] | None:
    """(record id, percent, completed at) when the linked resource is complete, else None."""
    kind = rules.parse_resource(link.resource).kind
    if kind == "study" and link.record_id is not None:
        session = db.session.get(StudySession, link.record_id)
        if session is None or session.ended_at is None:
            return None
        credit = (
            db.session.scalar(
                select(func.coalesce(func.sum(Answer.credit), 0.0)).where(Answer.session_id == session.id)
            )
            or 0.0
        )
        return session.id, rules.percent(credit, session.planned), session.ended_at
    if kind == "scenario" and link.record_id is not None:
        attempt = db.session.get(ScenarioAttempt, link.record_id)
        if attempt is None or attempt.finished_at is None:
            return None
        return attempt.id, round(attempt.total or 0.0, 1), attempt.finished_at
    if kind == "exam":
        exam = db.session.scalar(
            select(Exam)
            .where(
                Exam.user_id == link.user_id,
                Exam.kind == "practice",
                Exam.started_at >= link.launched_at,
                Exam.submitted_at.is_not(None),
            )
            .order_by(Exam.submitted_at)
            .limit(1)
        )
        if exam is None:
            return None
        assert exam.submitted_at is not None
        return exam.id, rules.percent(exam.score or 0.0, 1.0), exam.submitted_at
    return None


def note_completions(user_id: int) -> list[LtiScore]:
    """Scores owed for the person's launched resources that are now complete (each record once)."""
    owed = []
    for link in db.session.scalars(select(LtiGradeLink).where(LtiGradeLink.user_id == user_id)):
        done = _completed(link)
        if done is None:
            continue
        record_id, score, completed_at = done
        exists = db.session.scalar(
            select(LtiScore.id).where(LtiScore.link_id == link.id, LtiScore.record_id == record_id)
        )
        if exists is None:
            link.record_id = record_id
            score_row = LtiScore(
                link=link,
                record_id=record_id,
                score_given=score,
                score_maximum=SCORE_MAXIMUM,
                completed_at=completed_at,
            )
            db.session.add(score_row)
            owed.append(score_row)
    db.session.flush()
    return owed


def deliver(score: LtiScore, connector: ServiceConnector, now: datetime) -> bool:
    """Post one score to the platform's line item (found or created from the line items URL when the
    launch named none). True when the platform accepted it; on any failure (platform down, refused,
    nonsense answer) the reason is kept for a retry and nothing is raised."""
    from pylti1p3.assignments_grades import AssignmentsGradesService
    from pylti1p3.exception import LtiServiceException
    from pylti1p3.grade import Grade
    from pylti1p3.lineitem import LineItem

    link = score.link
    service = AssignmentsGradesService(connector, dict(link.ags))  # type: ignore[arg-type]
    grade = (
        Grade()
        .set_score_given(score.score_given)
        .set_score_maximum(score.score_maximum)
        .set_timestamp(score.completed_at.astimezone(UTC).isoformat())
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(link.subject)
    )
    score.attempts += 1
    try:
        lineitem = None
        if not link.ags.get("lineitem"):  # the link has no line item of its own: ours, made once
            lineitem = service.find_or_create_lineitem(
                LineItem()
                .set_resource_link_id(link.resource_link_id)
                .set_resource_id(link.resource)
                .set_tag(link.resource)
                .set_score_maximum(SCORE_MAXIMUM)
                .set_label(link.resource),
                find_by="resource_link_id",
            )
        service.put_grade(grade, lineitem)
    except LtiServiceException as error:
        score.last_error = f"the platform answered {error.response.status_code}: {error.response.text[:300]}"
    except Exception as error:  # noqa: BLE001 - whatever the platform did, the learner's page must not fail
        score.last_error = f"{type(error).__name__}: {str(error)[:300]}"
    else:
        score.status, score.sent_at, score.last_error = "sent", now, None
        return True
    log.warning("lti score %s not delivered (attempt %s): %s", score.id, score.attempts, score.last_error)
    return False


def send_pending(
    key: ToolKey, http: requests.Session, now: datetime, user_id: int | None = None, limit: int = 500
) -> tuple[int, int]:
    """Try every pending score (of one person, or all), oldest first: (sent, still pending)."""
    from pylti1p3.service_connector import ServiceConnector

    from app.services.lti_tool import registration_for

    query = select(LtiScore).where(LtiScore.status == "pending").order_by(LtiScore.id).limit(limit)
    if user_id is not None:
        query = query.join(LtiGradeLink).where(LtiGradeLink.user_id == user_id)
    sent = failed = 0
    connectors: dict[int, ServiceConnector] = {}  # one per platform: its access token is reused
    for score in db.session.scalars(query).all():
        platform = score.link.platform
        if platform.id not in connectors:
            connectors[platform.id] = ServiceConnector(registration_for(platform, key), requests_session=http)
        if deliver(score, connectors[platform.id], now):
            sent += 1
        else:
            failed += 1
    db.session.flush()
    return sent, failed


def any_platform() -> bool:
    """True once an LMS is registered: only then does the scheduler look for scores to resend."""
    return db.session.scalar(select(LtiPlatform.id).limit(1)) is not None
