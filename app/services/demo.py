"""Demo data: the people and cohort that `flask demo seed` creates (refused in production)."""

from __future__ import annotations

from app.models import Role
from app.services import accounts

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
