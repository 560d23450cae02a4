"""Demo data: the people and cohort that `flask demo seed` creates (refused in production)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Answer, Role
from app.services import accounts, demo_history, readiness

DEMO_PASSWORD = "demo-password"
DEMO_COHORT = "Demo cohort"
TRAINEE_COUNT = 30

# First names for the demo trainees, so the trainer's views read like a real cohort.
TRAINEE_NAMES = [
    "Amara Okafor",
    "Ben Lindqvist",
    "Carla Mendes",
    "Dev Patel",
    "Elif Kaya",
    "Finn O'Rourke",
    "Grace Ho",
    "Hugo Laurent",
    "Ines Duarte",
    "Jonas Weber",
    "Keiko Tanaka",
    "Luis Romero",
    "Maya Cohen",
    "Nikolai Petrov",
    "Olivia Grant",
    "Pavel Novak",
    "Quinn Harper",
    "Rosa Alvarez",
    "Samir Haddad",
    "Tessa Brooks",
    "Umar Siddiqui",
    "Vera Ivanova",
    "Will Turner",
    "Ximena Ruiz",
    "Yusuf Demir",
    "Zoe Martin",
    "Aiden Clarke",
    "Bianca Rossi",
    "Chen Wei",
    "Dalia Nasser",
]


def demo_people() -> list[tuple[str, str, set[Role]]]:
    people = [
        ("admin@demo.test", "Ada Admin", {Role.ADMIN}),
        ("author@demo.test", "Sam Senior (author)", {Role.AUTHOR}),
        ("trainer@demo.test", "Tara Trainer", {Role.TRAINER}),
    ]
    people += [
        (f"trainee{i}@demo.test", TRAINEE_NAMES[i - 1], {Role.TRAINEE}) for i in range(1, TRAINEE_COUNT + 1)
    ]
    return people


def seed_people() -> bool:
    """Create the demo accounts and cohort unless they exist; True when anything was created."""
    if accounts.find_user("admin@demo.test") is not None:
        return False
    users = {
        email: accounts.create_user(email, DEMO_PASSWORD, roles, name) for email, name, roles in demo_people()
    }
    cohort = accounts.create_cohort(DEMO_COHORT, [users["trainer@demo.test"]])
    for i in range(1, TRAINEE_COUNT + 1):
        accounts.add_trainee(cohort, users[f"trainee{i}@demo.test"])
    return True


def seed_histories(content_dir: str, now: datetime) -> int:
    """Give the demo trainees histories once content is synced (and only once); returns answers created."""
    trainees = [accounts.find_user(f"trainee{i}@demo.test") for i in range(1, TRAINEE_COUNT + 1)]
    trainees = [t for t in trainees if t is not None]
    ids = [t.id for t in trainees]
    already = db.session.scalar(select(func.count()).select_from(Answer).where(Answer.user_id.in_(ids)))
    if already:
        return 0
    created = demo_history.seed_histories(trainees, now, random.Random(2026))
    db.session.flush()
    for weeks_ago in range(demo_history.WEEKS - 1, -1, -1):  # weekly snapshots, oldest first, for the trends
        moment = now - timedelta(weeks=weeks_ago)
        for trainee in trainees:
            readiness.assess_trainee(trainee, content_dir, moment)
    return created
