"""Small factories for test data, built through the same services the app uses."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

from app.extensions import db
from app.models import Cohort, Role, User
from app.services import accounts

PASSWORD = "correct-horse-battery"
_seq = count(1)


def user(*roles: Role, email: str | None = None, name: str | None = None) -> User:
    n = next(_seq)
    person = accounts.create_user(
        email or f"person{n}@example.test", PASSWORD, set(roles or {Role.TRAINEE}), name
    )
    db.session.commit()
    return person


def cohort(name: str | None = None, trainers=(), trainees=()) -> Cohort:
    group = accounts.create_cohort(name or f"Cohort {next(_seq)}", trainers)
    for trainee in trainees:
        accounts.add_trainee(group, trainee)
    db.session.commit()
    return group


@dataclass
class World:
    trainee: User
    other_trainee: User
    author: User
    trainer: User
    other_trainer: User
    admin: User
    cohort: Cohort
    other_cohort: Cohort


def world() -> World:
    trainee = user(Role.TRAINEE, email="trainee@example.test", name="Tess Trainee")
    other_trainee = user(Role.TRAINEE, email="other.trainee@example.test", name="Otto Other")
    trainer = user(Role.TRAINER, email="trainer@example.test", name="Tom Trainer")
    other_trainer = user(Role.TRAINER, email="other.trainer@example.test", name="Olga Other")
    author = user(Role.AUTHOR, email="author@example.test", name="Ann Author")
    admin = user(Role.ADMIN, email="admin@example.test", name="Adam Admin")
    main = cohort("Cohort A", [trainer], [trainee])
    other = cohort("Cohort B", [other_trainer], [other_trainee])
    return World(trainee, other_trainee, author, trainer, other_trainer, admin, main, other)
