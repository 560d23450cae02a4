"""API operations on accounts and cohorts: what the admin pages do, for HR systems to provision people.

Who sees whom follows app/policy.py: an admin sees everyone; a trainer the trainees of the cohorts they
lead (and themself); anyone else only themself, and only admins and trainers may list people. A person
not visible is 404, as on the pages.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Select, select

from app.api import schemas
from app.api.blueprint import bp, operation, viewer
from app.errors import Conflict, InvalidFields
from app.extensions import db
from app.models import Cohort, Role, User, UserRole
from app.policy import (
    Action,
    cohort_or_404,
    get_or_404,
    in_visible_cohorts,
    of_visible_trainees,
    person_or_404,
)
from app.services import accounts
from app.services.accounts import AccountError

log = logging.getLogger(__name__)


def day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def dated(query: Select, column, args: dict) -> Select:
    """Filter by the inclusive UTC dates `from` and `to`."""
    if args.get("date_from"):
        query = query.where(column >= day_start(args["date_from"]))
    if args.get("date_to"):
        query = query.where(column < day_start(args["date_to"]) + timedelta(days=1))
    return query


def keyset_page(query: Select, id_column, args: dict) -> dict:
    """One page in id order after `cursor`; `next_cursor` is the last id when more follow."""
    if args.get("cursor") is not None:
        query = query.where(id_column > args["cursor"])
    limit = args["limit"]
    rows = list(db.session.scalars(query.order_by(id_column).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": rows[-1].id if more else None}


def user_detail(person: User) -> dict:
    return {
        **user_row(person),
        "trainee_in": [c.id for c in accounts.cohorts_of_trainee(person)],
        "trains": [c.id for c in accounts.cohorts_of_trainer(person)],
    }


def user_row(person: User) -> dict:
    return {
        "id": person.id,
        "email": person.email,
        "name": person.name,
        "active": person.active,
        "roles": sorted(r.value for r in person.roles),
        "created_at": person.created_at,
    }


@bp.route("/users", methods=["GET"])
@operation("users:read", Action.REVIEW_COHORTS)
@bp.arguments(schemas.UserArgs, location="query")
@bp.response(200, schemas.UserPageSchema)
def list_users(args: dict):
    """List the people you may see, in id order, paged (admins and trainers)

    Admins see everyone; trainers themself and the trainees of the cohorts they lead; trainees and
    authors may not list people (403). `from`/`to` filter on the day the account was created."""
    me = viewer()
    query = select(User).where((User.id == me.id) | of_visible_trainees(me, User.id))
    if args.get("role"):
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == args["role"])))
    if args.get("active") is not None:
        query = query.where(User.active.is_(args["active"]))
    page = keyset_page(dated(query, User.created_at, args), User.id, args)
    return {**page, "items": [user_row(u) for u in page["items"]]}


@bp.route("/users/<int:user_id>", methods=["GET"])
@operation("users:read", problems=(404,))
@bp.response(200, schemas.UserDetailSchema)
def get_user(user_id: int):
    """One person, with the cohorts they are in and lead"""
    return user_detail(person_or_404(viewer(), user_id))


@bp.route("/users", methods=["POST"])
@operation("users:write", Action.ADMINISTER, problems=(409,))
@bp.arguments(schemas.UserCreateSchema)
@bp.response(201, schemas.UserDetailSchema)
def create_user(data: dict):
    """Create an account (admins), with its roles and optionally a cohort to join as trainee

    Without a password the person cannot sign in until an admin sets one on the account's page.
    An e-mail already in use is 409."""
    cohort = None
    if data.get("cohort_id") is not None:
        cohort = db.session.get(Cohort, data["cohort_id"])
        if cohort is None:
            raise InvalidFields("There is no such cohort.", {"cohort_id": ["No such cohort."]})
    password = data.get("password") or secrets.token_urlsafe(32)  # nobody knows it: no sign-in yet
    try:
        person = accounts.create_user(data["email"], password, {Role(r) for r in data["roles"]}, data["name"])
        if cohort is not None:
            accounts.add_trainee(cohort, person)
    except AccountError as error:
        if error.field == "email":
            raise Conflict(str(error)) from error
        raise InvalidFields(str(error), {error.field: [str(error)]} if error.field else {}) from error
    db.session.commit()
    log.info("account %s created through the API", person.email)
    return user_detail(person)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@operation("users:write", Action.ADMINISTER, problems=(404, 409))
@bp.response(200, schemas.UserDetailSchema)
def deactivate_user(user_id: int):
    """Deactivate an account (admins): the person cannot sign in, their sessions and tokens stop working

    The last active admin cannot be deactivated (409). Deactivating twice changes nothing."""
    person = get_or_404(User, user_id, "person")
    try:
        accounts.guard_last_admin(person, set(person.roles), False)
    except AccountError as error:
        raise Conflict(str(error)) from error
    if person.active:
        person.active = False
        person.end_sessions()
        db.session.commit()
        log.info("account %s deactivated through the API", person.email)
    return user_detail(person)


# -- cohorts ------------------------------------------------------------------------------------------------


def cohort_row(cohort: Cohort) -> dict:
    return {
        "id": cohort.id,
        "name": cohort.name,
        "created_at": cohort.created_at,
        "trainer_ids": [u.id for u in cohort.trainers],
        "trainee_ids": [u.id for u in cohort.trainees],
    }


@bp.route("/cohorts", methods=["GET"])
@operation("cohorts:read", Action.REVIEW_COHORTS)
@bp.response(200, schemas.CohortListSchema)
def list_cohorts():
    """The cohorts you may see (admins: all; trainers: those they lead), by name"""
    me = viewer()
    found = db.session.scalars(select(Cohort).where(in_visible_cohorts(me, Cohort.id)).order_by(Cohort.name))
    return {"items": [cohort_row(c) for c in found]}


@bp.route("/cohorts/<int:cohort_id>", methods=["GET"])
@operation("cohorts:read", Action.REVIEW_COHORTS, problems=(404,))
@bp.response(200, schemas.CohortSchema)
def get_cohort(cohort_id: int):
    """One cohort with its trainers and trainees"""
    return cohort_row(cohort_or_404(viewer(), cohort_id))


@bp.route("/cohorts", methods=["POST"])
@operation("cohorts:write", Action.ADMINISTER, problems=(409,))
@bp.arguments(schemas.CohortCreateSchema)
@bp.response(201, schemas.CohortSchema)
def create_cohort(data: dict):
    """Create a cohort (admins) led by the given trainers; a name already in use is 409"""
    trainers = []
    for user_id in data["trainer_ids"]:
        trainer = db.session.get(User, user_id)
        if trainer is None:
            raise InvalidFields(f"There is no person {user_id}.", {"trainer_ids": ["No such person."]})
        trainers.append(trainer)
    if accounts.find_cohort(data["name"]) is not None:
        raise Conflict(f"A cohort named {data['name'].strip()!r} already exists.")
    try:
        cohort = accounts.create_cohort(data["name"], trainers)
    except AccountError as error:
        raise InvalidFields(str(error), {error.field: [str(error)]} if error.field else {}) from error
    db.session.commit()
    log.info("cohort %s created through the API", cohort.name)
    return cohort_row(cohort)


def _cohort_and_person(cohort_id: int, user_id: int) -> tuple[Cohort, User]:
    return get_or_404(Cohort, cohort_id, "cohort"), get_or_404(User, user_id, "person")


@bp.route("/cohorts/<int:cohort_id>/trainees/<int:user_id>", methods=["PUT"])
@operation("cohorts:write", Action.ADMINISTER, problems=(404, 409))
@bp.response(200, schemas.CohortSchema)
def add_trainee(cohort_id: int, user_id: int):
    """Add a trainee to a cohort (admins); adding a member again changes nothing. Not a trainee: 409"""
    cohort, person = _cohort_and_person(cohort_id, user_id)
    try:
        accounts.add_trainee(cohort, person)
    except AccountError as error:
        raise Conflict(str(error)) from error
    db.session.commit()
    return cohort_row(cohort)


@bp.route("/cohorts/<int:cohort_id>/trainees/<int:user_id>", methods=["DELETE"])
@operation("cohorts:write", Action.ADMINISTER, problems=(404,))
@bp.response(200, schemas.CohortSchema)
def remove_trainee(cohort_id: int, user_id: int):
    """Remove a trainee from a cohort (admins); removing a non-member changes nothing"""
    cohort, person = _cohort_and_person(cohort_id, user_id)
    accounts.remove_trainee(cohort, person)
    db.session.commit()
    return cohort_row(cohort)


@bp.route("/cohorts/<int:cohort_id>/trainers/<int:user_id>", methods=["PUT"])
@operation("cohorts:write", Action.ADMINISTER, problems=(404, 409))
@bp.response(200, schemas.CohortSchema)
def add_trainer(cohort_id: int, user_id: int):
    """Make a trainer lead a cohort (admins). Not a trainer: 409"""
    cohort, person = _cohort_and_person(cohort_id, user_id)
    try:
        accounts.assign_trainer(cohort, person)
    except AccountError as error:
        raise Conflict(str(error)) from error
    db.session.commit()
    return cohort_row(cohort)


@bp.route("/cohorts/<int:cohort_id>/trainers/<int:user_id>", methods=["DELETE"])
@operation("cohorts:write", Action.ADMINISTER, problems=(404,))
@bp.response(200, schemas.CohortSchema)
def remove_trainer(cohort_id: int, user_id: int):
    """Stop a trainer leading a cohort (admins)"""
    cohort, person = _cohort_and_person(cohort_id, user_id)
    accounts.remove_trainer(cohort, person)
    db.session.commit()
    return cohort_row(cohort)
