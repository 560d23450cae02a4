"""Demo data: the people and cohort that `flask demo seed` creates (refused in production)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app import jobs
from app.domain.readiness.results import Verdict
from app.extensions import db
from app.models import Answer, ReadinessSnapshot, Role, ScenarioAttempt, TraineeReadiness, User, WriteUp
from app.services import accounts, demo_checks, demo_history, exams, notifications, readiness

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
    """Give the demo trainees histories once content is synced (and only once); returns answers created.

    In order: each trainee's study period (demo_history), weekly readiness snapshots up to now, a promotion
    check for each trainee whose practice readiness meets every criterion but the check (demo_checks), the
    daily reviews since (demo_history.keep_up), the readiness of everyone those changed, assessed again;
    then the first trainee the assessment reads Ready asks for a sign-off, so that the trainer's promotion
    round shows a request beside Ready trainees who have not asked. No verdict is set here: each is the
    readiness assessment's."""
    trainees = [accounts.find_user(f"trainee{i}@demo.test") for i in range(1, TRAINEE_COUNT + 1)]
    trainees = [t for t in trainees if t is not None]
    ids = [t.id for t in trainees]
    already = db.session.scalar(select(func.count()).select_from(Answer).where(Answer.user_id.in_(ids)))
    if already:
        return 0
    histories = demo_history.seed_histories(trainees, now, random.Random(2026))
    db.session.flush()
    practice_results = {}
    for weeks_ago in range(demo_history.WEEKS - 1, -1, -1):  # weekly snapshots, oldest first, for the trends
        moment = now - timedelta(weeks=weeks_ago)
        for trainee in trainees:
            practice_results[trainee.id] = readiness.assess_trainee(trainee, content_dir, moment)
        demo_history.forget(Answer, ScenarioAttempt, WriteUp, ReadinessSnapshot)  # loaded by the assessments
    desk = demo_checks.CheckDesk(
        accounts.find_user("trainer@demo.test"),
        readiness.load_policy(content_dir),
        exams.load_blueprint(content_dir),
    )
    for history in histories:
        if demo_checks.wants_check(history, practice_results[history.trainee.id]):
            history.last_active = desk.sit(history, now)
    demo_history.keep_up(histories, now)
    readiness.refresh_stale(ids, content_dir, now)
    ready = [t for t in trainees if db.session.get(TraineeReadiness, t.id).verdict == Verdict.READY]
    if ready:
        _ask_for_sign_off(ready[0], now)
    return sum(h.answers for h in histories)


def _ask_for_sign_off(trainee: User, now: datetime) -> None:
    """The trainee presses "Ask for a sign-off" (the app's own rule: only a stored Ready may ask). The links
    in the trainers' e-mail need a request to be built in; the demo mails nobody, so the mail is dropped."""
    with current_app.test_request_context(
        base_url=current_app.config.get("PUBLIC_URL") or "http://localhost"
    ):
        notifications.request_sign_off(trainee, now)
        jobs.discard_pending()
