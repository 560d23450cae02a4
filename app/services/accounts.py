"""Accounts and cohorts: creating people, giving roles, grouping trainees under trainers."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import Cohort, Role, User, UserRole


@cache
def _dummy() -> User:
    """A constant hash to compare against when the e-mail is unknown, so both paths cost the same time.
    Made on first use: an scrypt hash costs 0.3 s, which every worker and CLI start would pay otherwise."""
    user = User(email="", name="", password_hash="")
    user.set_password("timing-equaliser")
    return user


class AccountError(ValueError):
    """A request about accounts that cannot be carried out; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (the same answer for every failure)."""
    user = find_user(email)
    if user is None or not user.has_password:  # the same time for both as for a wrong password
        _dummy().check_password(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


def create_user(email: str, password: str, roles: Iterable[Role], name: str | None = None) -> User:
    email = normalise_email(email)
    roles = set(roles)
    if not roles:
        raise AccountError("Give the person at least one role.", "roles")
    if find_user(email) is not None:
        raise AccountError(f"An account for {email} already exists.", "email")
    user = User(email=email, name=(name or email.split("@")[0]).strip())
    set_password(user, password)
    user.set_roles(roles)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Hash with the configured method (scrypt; tests use a cheaper one to stay fast). Every earlier
    session of the person ends: a stolen cookie does not outlive the password it was signed in with."""
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    if user.id is not None:
        user.end_sessions()


def set_no_password(user: User) -> None:
    """No password yet (bulk add): the person uses "Forgot password?" or an admin sets one."""
    user.set_no_password()
    if user.id is not None:
        user.end_sessions()


def find_cohort(name: str) -> Cohort | None:
    return db.session.scalar(select(Cohort).where(func.lower(Cohort.name) == name.strip().lower()))


def create_cohort(name: str, trainers: Iterable[User] = ()) -> Cohort:
    name = name.strip()
    if not name:
        raise AccountError("Give the cohort a name.", "name")
    if find_cohort(name) is not None:
        raise AccountError(f"A cohort named {name!r} already exists.", "name")
    cohort = Cohort(name=name)
    db.session.add(cohort)
    for trainer in trainers:
        assign_trainer(cohort, trainer)
    db.session.flush()
    return cohort


def add_trainee(cohort: Cohort, user: User) -> None:
    if Role.TRAINEE not in user.roles:
        raise AccountError(f"{user.email} is not a trainee; give them the trainee role first.", "trainee")
    if user not in cohort.trainees:
        cohort.trainees.append(user)


def remove_trainee(cohort: Cohort, user: User) -> None:
    if user in cohort.trainees:
        cohort.trainees.remove(user)


def move_trainee(user: User, cohort: Cohort | None) -> list[Cohort]:
    """Make `cohort` the trainee's only cohort (None: no cohort); returns the cohorts they left. Their
    history stays with them, so the new cohort's trainers see it at once."""
    if cohort is not None:
        add_trainee(cohort, user)
    left = [c for c in cohorts_of_trainee(user) if c is not cohort]
    for old in left:
        remove_trainee(old, user)
    return left


def assign_trainer(cohort: Cohort, user: User) -> None:
    if Role.TRAINER not in user.roles:
        raise AccountError(f"{user.email} is not a trainer; give them the trainer role first.", "trainer")
    if user not in cohort.trainers:
        cohort.trainers.append(user)


def remove_trainer(cohort: Cohort, user: User) -> None:
    if user in cohort.trainers:
        cohort.trainers.remove(user)


def cohorts_of_trainer(trainer: User) -> list[Cohort]:
    return list(
        db.session.scalars(select(Cohort).where(Cohort.trainers.contains(trainer)).order_by(Cohort.name))
    )


def cohorts_of_trainee(trainee: User) -> list[Cohort]:
    return list(
        db.session.scalars(select(Cohort).where(Cohort.trainees.contains(trainee)).order_by(Cohort.name))
    )


def first_admin() -> User | None:
    return db.session.scalar(
        select(User).join(User.role_rows).where(UserRole.role == Role.ADMIN.value).order_by(User.id)
    )


def guard_last_admin(user: User, roles: set[Role], active: bool) -> None:
    """Refuse a change that would leave no active admin (nobody could then manage accounts)."""
    if Role.ADMIN not in user.roles or (Role.ADMIN in roles and active):
        return
    others = db.session.scalar(
        select(func.count())
        .select_from(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN.value, User.active, User.id != user.id)
    )
    if not others:
        raise AccountError(
            f"{user.email} is the only active admin: make someone else an admin first, or nobody could "
            "manage accounts.",
            "roles",
        )


def update_account(user: User, name: str, roles: set[Role], active: bool, new_password: str | None) -> None:
    """An admin's edit of an account: name, roles, active and optionally a new password. Refused (nothing
    changed) when it would leave no active admin."""
    guard_last_admin(user, roles, active)
    user.name = name.strip()
    user.set_roles(roles)
    user.active = active
    if new_password:
        set_password(user, new_password)


def save_cohort(cohort: Cohort, name: str, trainers: Iterable[User]) -> None:
    """Rename a cohort and make exactly `trainers` lead it; a name another cohort has is refused."""
    other = find_cohort(name)
    if other is not None and other.id != cohort.id:
        raise AccountError(f"A cohort named {name!r} already exists.", "name")
    cohort.name = name.strip()
    chosen = set(trainers)
    for trainer in list(cohort.trainers):
        if trainer not in chosen:
            remove_trainer(cohort, trainer)
    for trainer in chosen:
        assign_trainer(cohort, trainer)


# -- lists for the admin pages ----------------------------------------------------------------------------


def people_with_role(role: Role) -> list[User]:
    """Everyone holding `role`, by name (the choices of the cohort forms)."""
    query = select(User).join(UserRole).where(UserRole.role == role.value).order_by(User.name)
    return list(db.session.scalars(query))


def people(role: str | None = None) -> list[User]:
    """Every account by e-mail, or those holding `role` when it names one."""
    query = select(User).order_by(User.email)
    if role in {r.value for r in Role}:
        query = query.join(UserRole).where(UserRole.role == role)
    return list(db.session.scalars(query))


def people_by_ids(ids: Iterable[int]) -> list[User]:
    """The accounts with these ids (ids of nobody are left out; forms offer only real choices)."""
    wanted = set(ids)
    return list(db.session.scalars(select(User).where(User.id.in_(wanted)))) if wanted else []


def all_cohorts() -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).order_by(Cohort.name)))


def counts() -> tuple[dict[str, int], int]:
    """Accounts per role, and the number of cohorts (the admin's front page)."""
    per_role = dict(db.session.execute(select(UserRole.role, func.count()).group_by(UserRole.role)).all())
    return per_role, db.session.scalar(select(func.count()).select_from(Cohort)) or 0
