"""The flask commands for accounts, cohorts and demo data."""

from app.models import Role
from app.services import accounts


def test_users_create_with_role_and_cohort(app, world):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "cli@example.test",
            "--role",
            "trainee",
            "--role",
            "author",
            "--cohort",
            "Cohort A",
            "--password",
            "long-enough-pw",
        ]
    )
    assert result.exit_code == 0, result.output
    person = accounts.find_user("cli@example.test")
    assert person.roles == {Role.TRAINEE, Role.AUTHOR}
    again = runner.invoke(
        args=["users", "create", "cli@example.test", "--role", "trainee", "--password", "x" * 12]
    )
    assert again.exit_code == 1 and "already exists" in again.output


def test_users_create_names_an_unknown_cohort(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "a@example.test",
            "--role",
            "trainee",
            "--cohort",
            "Nope",
            "--password",
            "long-enough-pw",
        ]
    )
    assert result.exit_code == 1 and "no cohort named 'Nope'" in result.output
    assert accounts.find_user("a@example.test") is None  # all or nothing


def test_cohorts_create_with_trainer(app, world):
    result = app.test_cli_runner().invoke(
        args=["cohorts", "create", "Night desk", "--trainer", world.trainer.email]
    )
    assert result.exit_code == 0, result.output
    assert accounts.find_cohort("night desk").trainers == [world.trainer]


def test_demo_seed_is_idempotent_and_complete(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    cohort = accounts.find_cohort("Demo cohort")
    assert len(cohort.trainees) == 30 and [t.email for t in cohort.trainers] == ["trainer@demo.test"]
    assert accounts.authenticate("trainee30@demo.test", "demo-password") is not None
    assert accounts.authenticate("admin@demo.test", "demo-password").roles == {Role.ADMIN}
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0 and "nothing changed" in second.output


def test_demo_seed_is_refused_in_production(app):
    app.config["ENV_NAME"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["demo", "seed"])
    finally:
        app.config["ENV_NAME"] = "test"
    assert result.exit_code == 1 and "refused in production" in result.output


def test_demo_history_answers_sit_in_daily_sessions_and_record_what_was_chosen(app, world, bank):
    import random
    from datetime import UTC, datetime

    from sqlalchemy import select

    from app.extensions import db
    from app.models import Answer, QuestionVersion, StudySession
    from app.services import demo_history

    demo_history.seed_histories([world.trainee], datetime(2026, 12, 1, tzinfo=UTC), random.Random(4))
    db.session.commit()
    answers = db.session.scalars(select(Answer).where(Answer.user_id == world.trainee.id)).all()
    sessions = db.session.scalars(select(StudySession).where(StudySession.user_id == world.trainee.id)).all()
    assert answers and sessions and all(a.session_id is not None for a in answers)
    assert sum(s.planned for s in sessions) == len(answers)
    for answer in answers:
        version = db.session.get(QuestionVersion, answer.question_version_id)
        if version.type == "numeric":
            assert (abs(answer.value - version.answer) <= version.tolerance) == answer.correct
        else:
            assert (sorted(answer.chosen) == sorted(version.correct_keys)) == answer.correct
