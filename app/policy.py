"""Who may do what: the one place where authorization is decided.

Two kinds of rule live here:
- role rules (`permits`, `require`): may this person open this kind of page at all? A signed-in person
  without the role gets 403; an anonymous visitor is sent to sign in.
- record rules (`can_view_trainee`): may this person see this trainee's records? Views answer 404 when
  not, so an id reveals nothing about whether the record exists.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, exists, select, true

from app.extensions import db, login_manager
from app.models import Cohort, Role, User, cohort_trainees, cohort_trainers
from app.services import ServiceError


class Action(StrEnum):
    PRACTISE = "practise"  # study, review, exams, scenarios as a trainee
    AUTHOR = "author"  # write and submit questions and scenarios
    REVIEW_COHORTS = "review_cohorts"  # trainer views of cohorts, sign-offs, grading
    APPROVE_CONTENT = "approve_content"  # approve someone else's draft for publishing
    CONTENT_STATISTICS = "content_statistics"  # item and scenario statistics (anonymous aggregates)
    ADMINISTER = "administer"  # accounts and cohorts


ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.TRAINEE: frozenset({Action.PRACTISE}),
    Role.AUTHOR: frozenset({Action.AUTHOR, Action.APPROVE_CONTENT, Action.CONTENT_STATISTICS}),
    Role.TRAINER: frozenset({Action.REVIEW_COHORTS, Action.APPROVE_CONTENT, Action.CONTENT_STATISTICS}),
    Role.ADMIN: frozenset({Action.ADMINISTER, Action.REVIEW_COHORTS, Action.CONTENT_STATISTICS}),
}


def permits(user: User, action: Action) -> bool:
    """True when any of the person's roles grants the action."""
    return any(action in ROLE_ACTIONS[role] for role in user.roles)


def require(action: Action) -> Callable:
    """Decorate a view: anonymous visitors go to sign in, people without the action get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not permits(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_action = action  # type: ignore[attr-defined]
        return wrapped

    return decorator


def require_login(view: Callable) -> Callable:
    """Decorate a view any signed-in person may open (their own account pages)."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)

    return wrapped


def may_open(endpoint: str) -> bool:
    """May the signed-in person open this page? Asked by the navigation, so a link shows exactly when its
    view's `require` would let the person in (views without one need only a sign-in)."""
    if not current_user.is_authenticated:
        return False
    view = current_app.view_functions.get(endpoint)
    action = getattr(view, "required_action", None)
    return action is None or permits(current_user, action)


def trains(trainer: User, trainee_id: int) -> bool:
    """True when the trainee is in a cohort that this person leads as trainer."""
    query = select(
        exists()
        .where(cohort_trainers.c.user_id == trainer.id)
        .where(cohort_trainees.c.cohort_id == cohort_trainers.c.cohort_id)
        .where(cohort_trainees.c.user_id == trainee_id)
    )
    return bool(db.session.scalar(query))


def sees_every_cohort(viewer: User) -> bool:
    """Cohort rule: an admin sees every cohort and its trainees; a trainer only the cohorts they lead."""
    return Role.ADMIN in viewer.roles


def can_view_cohort(viewer: User, cohort: Cohort) -> bool:
    return sees_every_cohort(viewer) or viewer in cohort.trainers


def led_cohort_ids(viewer: User) -> Select:
    """The ids of the cohorts this person leads as trainer (a subquery)."""
    return select(cohort_trainers.c.cohort_id).where(cohort_trainers.c.user_id == viewer.id)


def in_visible_cohorts(viewer: User, cohort_id: ColumnElement[int]) -> ColumnElement[bool]:
    """A WHERE clause for lists: the cohort is one the viewer may see (admins: every cohort)."""
    return true() if sees_every_cohort(viewer) else cohort_id.in_(led_cohort_ids(viewer))


def of_visible_trainees(viewer: User, user_id: ColumnElement[int]) -> ColumnElement[bool]:
    """A WHERE clause for lists: the trainee is in a cohort the viewer may see (admins: everyone)."""
    if sees_every_cohort(viewer):
        return true()
    led = select(cohort_trainees.c.user_id).where(cohort_trainees.c.cohort_id.in_(led_cohort_ids(viewer)))
    return user_id.in_(led)


def can_view_trainee(viewer: User, trainee_id: int) -> bool:
    """Trainees see only themselves; trainers see the trainees of their cohorts; admins see everyone."""
    if viewer.id == trainee_id or sees_every_cohort(viewer):
        return True
    return Role.TRAINER in viewer.roles and trains(viewer, trainee_id)


class NotFound(ServiceError):
    """A record that does not exist, or does not exist for this person (the same answer, so an id reveals
    nothing). Services raise it too; app/errors.py renders every ServiceError the same way."""

    def __init__(self, message: str):
        super().__init__(message, 404)


class Forbidden(ServiceError):
    """A record the person may see but not change in this way."""

    def __init__(self, message: str):
        super().__init__(message, 403)


def get_or_404(model: type, record_id: int, what: str) -> Any:
    """A record by id, or NotFound saying what was looked for (pages that any holder of the role may open)."""
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound(f"There is no such {what}.")
    return record


def own_or_404(model: type, record_id: int, user_id: int, what: str) -> Any:
    """A trainee's own record (session, exam, attempt), or 404: someone else's does not exist for them."""
    record = db.session.get(model, record_id)
    if record is None or record.user_id != user_id:
        raise NotFound(f"There is no such {what} among yours.")
    return record


def trainee_or_404(viewer: User, trainee_id: int) -> User:
    """Load a trainee the viewer may see, or answer 404 (never 403, so ids reveal nothing)."""
    trainee = db.session.get(User, trainee_id)
    if trainee is None or Role.TRAINEE not in trainee.roles or not can_view_trainee(viewer, trainee_id):
        raise NotFound("There is no such trainee among those you may see.")
    return trainee


def person_or_404(viewer: User, person_id: int) -> User:
    """Anyone the viewer may see (themself, their cohorts' trainees; admins: everyone), or 404."""
    person = db.session.get(User, person_id)
    if person is None or not can_view_trainee(viewer, person_id):
        raise NotFound("There is no such person among those you may see.")
    return person


def cohort_or_404(viewer: User, cohort_id: int) -> Cohort:
    """A cohort the viewer leads (admins: any), or 404: other cohorts do not exist for them."""
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not can_view_cohort(viewer, cohort):
        raise NotFound("There is no such cohort among yours.")
    return cohort


def own_trainee_or_403(viewer: User, trainee_id: int, to_do: str) -> User:
    """A trainee the viewer trains: someone they may not see is 404, someone they may see but do not train
    (an admin, a trainer of another cohort) is 403 with what only a cohort's trainer may do."""
    trainee = trainee_or_404(viewer, trainee_id)
    if not trains(viewer, trainee.id):
        raise Forbidden(f"Only a trainer of the trainee's cohort can {to_do}.")
    return trainee
