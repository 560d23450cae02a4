"""LTI launches after pylti1p3 has verified them: the LMS person becomes an account, the course a cohort,
the link a study session, exam page or scenario attempt; and platform registrations for the CLI."""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.domain import lti as rules
from app.extensions import db
from app.models import Cohort, LtiContext, LtiDeployment, LtiGradeLink, LtiIdentity, LtiPlatform, Role, User
from app.services import ServiceError, practice, scenarios

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
RESOURCE_PARAM = "odesk_resource"  # the custom parameter naming what a link opens
STUDY_SET_SIZE = 10


class LtiError(ServiceError):
    pass


def add_platform(
    name: str,
    issuer: str,
    client_id: str,
    deployment_ids: list[str],
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    auth_audience: str | None = None,
) -> LtiPlatform:
    """Register an LMS, or update the registration with the same issuer and client id (deployment ids
    are added to those it had)."""
    platform = db.session.scalar(
        select(LtiPlatform).where(LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id)
    )
    if platform is None:
        platform = LtiPlatform(issuer=issuer, client_id=client_id)
        db.session.add(platform)
    platform.name = name
    platform.auth_login_url = auth_login_url
    platform.auth_token_url = auth_token_url
    platform.key_set_url = key_set_url
    platform.auth_audience = auth_audience or None
    known = set(platform.deployment_ids)
    platform.deployments += [
        LtiDeployment(deployment_id=d) for d in dict.fromkeys(deployment_ids) if d not in known
    ]
    db.session.flush()
    return platform


def platforms() -> list[LtiPlatform]:
    return list(db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.name, LtiPlatform.id)))


@dataclass(frozen=True)
class LaunchedPerson:
    user: User
    created: bool


def person_for(claims: dict[str, Any], now: datetime) -> LaunchedPerson:
    """The account linked to the LMS identity (issuer + sub), or a new one linked to it.

    Never matched by e-mail: the LMS's e-mail claim is whatever the LMS holds (often editable by the
    person, never verified by us), so trusting it would let one LMS account take over any academy
    account with that address, an admin's included. A new account takes the claimed e-mail when no
    account uses it, else a placeholder; its password is random and unknown, so it signs in only
    through the LMS until an admin sets one."""
    issuer, subject = claims["iss"], claims.get("sub")
    if not subject:
        raise LtiError(
            "The LMS launched without identifying the person (no sub claim): anonymous launches "
            "are not supported. Ask the LMS administrator to send the user's identity.",
            400,
        )
    granted = {Role(role) for role in rules.academy_roles(claims.get(CLAIM + "roles", []))}
    if not granted:
        raise LtiError(
            "Your role in this course (e.g. observer) has no place in the academy: only learners, "
            "instructors, teaching assistants and administrators can open it.",
            403,
        )
    identity = db.session.scalar(
        select(LtiIdentity).where(LtiIdentity.issuer == issuer, LtiIdentity.subject == subject)
    )
    if identity is not None:
        user = db.session.get(User, identity.user_id)
        assert user is not None
        if not user.active:
            raise LtiError("Your academy account is deactivated. Ask an academy admin to reactivate it.", 403)
        if not granted <= user.roles:
            user.set_roles(set(user.roles) | granted)
        return LaunchedPerson(user, created=False)
    email = (claims.get("email") or "").strip().lower()
    if not email or db.session.scalar(select(User.id).where(User.email == email)) is not None:
        digest = hashlib.sha256(f"{issuer}|{subject}".encode()).hexdigest()[:20]
        email = f"lti-{digest}@lti.invalid"
    name = (
        claims.get("name")
        or " ".join(filter(None, [claims.get("given_name"), claims.get("family_name")]))
        or email.split("@")[0]
    )[:120]
    user = User(email=email, name=name, created_at=now)
    user.set_password(secrets.token_urlsafe(32))
    user.set_roles(granted)
    db.session.add(user)
    db.session.flush()
    db.session.add(LtiIdentity(issuer=issuer, subject=subject, user_id=user.id, created_at=now))
    return LaunchedPerson(user, created=True)


def join_course_cohort(user: User, claims: dict[str, Any], now: datetime) -> Cohort | None:
    """Put the person in the cohort of the LMS course (made on the first launch from it): learners as
    trainees, those who teach as trainers. A launch without a course context joins nothing."""
    context = claims.get(CLAIM + "context") or {}
    if not context.get("id"):
        return None
    issuer = claims["iss"]
    link = db.session.scalar(
        select(LtiContext).where(LtiContext.issuer == issuer, LtiContext.context_id == context["id"])
    )
    if link is None:
        cohort = Cohort(name=_free_cohort_name(context, issuer), created_at=now)
        db.session.add(cohort)
        db.session.flush()
        link = LtiContext(issuer=issuer, context_id=context["id"], cohort_id=cohort.id, created_at=now)
        db.session.add(link)
    cohort = db.session.get(Cohort, link.cohort_id)
    assert cohort is not None
    granted = rules.academy_roles(claims.get(CLAIM + "roles", []))
    if "trainee" in granted and user not in cohort.trainees:
        cohort.trainees.append(user)
    if "trainer" in granted and user not in cohort.trainers:
        cohort.trainers.append(user)
    db.session.flush()
    return cohort


def _free_cohort_name(context: dict[str, Any], issuer: str) -> str:
    title = (context.get("title") or context.get("label") or "LMS course").strip()[:100]
    name = f"{title} (LMS)"
    if db.session.scalar(select(Cohort.id).where(Cohort.name == name)) is None:
        return name
    suffix = hashlib.sha256(f"{issuer}|{context['id']}".encode()).hexdigest()[:8]
    return f"{title} (LMS {suffix})"


def resource_of(claims: dict[str, Any]) -> rules.Resource:
    """What the link opens, from its custom parameter (set by deep linking)."""
    custom = claims.get(CLAIM + "custom") or {}
    try:
        return rules.parse_resource(str(custom.get(RESOURCE_PARAM, "")))
    except rules.UnknownResource as error:
        raise LtiError(str(error), 400) from None


def open_resource(
    user: User, resource: rules.Resource, now: datetime
) -> tuple[str, dict[str, Any], int | None]:
    """Start what the link opens and say where to go: (endpoint, url arguments, record id). A study set is
    a fresh session of STUDY_SET_SIZE questions of the domain or topic; a scenario resumes its unfinished
    attempt or starts one; an exam opens the exam page, where the learner picks the form length."""
    if Role.TRAINEE not in user.roles:
        return "home.index", {}, None
    if resource.kind == "study":
        by, _, name = resource.key.partition(":")
        domains, topics = ([name], []) if by == "domain" else ([], [name])
        session = practice.start_study(user.id, domains, topics, False, STUDY_SET_SIZE, now, random.Random())
        return "practice.item", {"session_id": session.id, "position": 0}, session.id
    if resource.kind == "scenario":
        attempt = scenarios.start(user.id, scenarios.scenario_by_slug(resource.key), now)
        return "scenarios.play", {"attempt_id": attempt.id}, attempt.id
    return "exams.index", {}, None


def keep_grade_link(
    user: User,
    platform: LtiPlatform,
    claims: dict[str, Any],
    resource: rules.Resource,
    record_id: int | None,
    now: datetime,
) -> LtiGradeLink | None:
    """Remember where this learner's score for this placement goes, when the LMS offers AGS score
    posting; the latest launch's record (session, attempt) is the one scored."""
    ags = claims.get(AGS_CLAIM) or {}
    link_claim = claims.get(CLAIM + "resource_link") or {}
    if Role.TRAINEE not in user.roles or SCORE_SCOPE not in ags.get("scope", []) or not link_claim.get("id"):
        return None
    if not (ags.get("lineitem") or ags.get("lineitems")):
        return None
    link = db.session.scalar(
        select(LtiGradeLink).where(
            LtiGradeLink.user_id == user.id,
            LtiGradeLink.platform_id == platform.id,
            LtiGradeLink.resource_link_id == link_claim["id"],
        )
    )
    if link is None:
        link = LtiGradeLink(user_id=user.id, platform_id=platform.id, resource_link_id=link_claim["id"])
        db.session.add(link)
    link.subject = claims["sub"]
    link.resource = str(resource)
    link.ags = {key: ags[key] for key in ("scope", "lineitem", "lineitems") if key in ags}
    link.record_id = record_id
    link.launched_at = now
    db.session.flush()
    return link


def platform_of(claims: dict[str, Any]) -> LtiPlatform:
    aud = claims.get("aud")
    client_id = aud[0] if isinstance(aud, list) else aud
    platform = db.session.scalar(
        select(LtiPlatform).where(LtiPlatform.issuer == claims.get("iss"), LtiPlatform.client_id == client_id)
    )
    if platform is None:  # pylti1p3 found it a moment ago; only a concurrent removal gets here
        raise LtiError("This LMS is no longer registered with the academy.", 400)
    return platform


@dataclass(frozen=True)
class Landing:
    """Where a verified launch sends the person, signed in as `user`."""

    user: User
    endpoint: str
    arguments: dict[str, Any]
    graded: bool  # a score is owed back to the LMS when they complete it


def accept_resource_launch(claims: dict[str, Any], now: datetime) -> Landing:
    """A verified resource link launch: the account, the course cohort, the resource started, and where
    its score goes."""
    platform = platform_of(claims)
    resource = resource_of(claims)
    person = person_for(claims, now)
    join_course_cohort(person.user, claims, now)
    endpoint, arguments, record_id = open_resource(person.user, resource, now)
    link = keep_grade_link(person.user, platform, claims, resource, record_id, now)
    return Landing(person.user, endpoint, arguments, graded=link is not None)


def accept_deep_linking_launch(claims: dict[str, Any], now: datetime) -> User:
    """A verified deep-linking request: only those who teach the course may answer it."""
    platform_of(claims)
    if not rules.may_pick_links(claims.get(CLAIM + "roles", [])):
        raise LtiError("Only the course's instructors can choose what it links to.", 403)
    person = person_for(claims, now)
    join_course_cohort(person.user, claims, now)
    return person.user
